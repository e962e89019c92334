/**
 * The ingest stage: every device input, whatever its transport, enters here, is decoded
 * or rejected, and is handed to group commit. `done` fires once the input is durable.
 */
import type { Logger } from 'pino';
import { type RejectCode, utf8Text } from '../../../protocols/index.js';
import { type Clock, isDeviceFollowing } from '../../infra/clock/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { JournalEvent } from '../journal/index.js';
import type { Done, GroupCommit } from './group-commit.js';
import { decodeMqttInput } from './mqtt-decode.js';

export interface IngestContext {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly commit: GroupCommit<unknown>;
}

/** A rejection is logged at warn at most this often per (device, code); the rest at debug. */
const WARN_EVERY_MS = 60_000;

export class Ingest {
  private readonly lastWarned = new Map<string, number>();

  constructor(private readonly ctx: IngestContext) {}

  /** An MQTT PUBLISH on a device topic. */
  fromMqtt(topic: string, payload: Uint8Array, done: Done): void {
    if (isDeviceFollowing(this.ctx.clock)) this.ctx.clock.observe(peekDeviceTime(payload));
    const rxTs = this.ctx.clock.now();
    const { device, result, partial } = decodeMqttInput(topic, payload, rxTs, this.ctx.config);
    if (partial) {
      this.reject(
        { device, source: topic, code: partial.code, reason: partial.reason, raw: payload, rxTs },
        () => undefined,
      );
    }
    if (result.ok) {
      this.ctx.commit.enqueue({ device: device ?? '', events: result.value, rejected: undefined, done });
    } else {
      this.reject({ device, source: topic, code: result.code, reason: result.reason, raw: payload, rxTs }, done);
    }
  }

  /** Events a driver decoded itself (serial, GPIO, HTTP) or an API input: already stamped and zoned. */
  fromDriver(device: string, events: readonly JournalEvent[], done: Done): void {
    this.ctx.commit.enqueue({ device, events, rejected: undefined, done });
  }

  /** Records a refused input; `done` fires once the record is durable. */
  reject(
    r: {
      device: string | undefined;
      source: string;
      code: RejectCode;
      reason: string;
      raw: Uint8Array | undefined;
      rxTs?: number;
    },
    done: Done,
  ): void {
    const rxTs = r.rxTs ?? this.ctx.clock.now();
    this.logRejection(r.device, r.source, r.code, r.reason, rxTs);
    this.ctx.commit.enqueue({
      device: r.device ?? '',
      events: [],
      rejected: { rxTs, device: r.device, source: r.source, code: r.code, reason: r.reason, raw: r.raw },
      done,
    });
  }

  private logRejection(
    device: string | undefined,
    source: string,
    code: RejectCode,
    reason: string,
    now: number,
  ): void {
    const key = `${device ?? source}|${code}`;
    const last = this.lastWarned.get(key);
    const fields = { component: 'ingest', device, source, code, reason };
    if (last === undefined || now - last >= WARN_EVERY_MS) {
      this.lastWarned.set(key, now);
      if (this.lastWarned.size > 10_000) this.lastWarned.clear();
      this.ctx.log.warn(fields, 'input rejected');
    } else {
      this.ctx.log.debug(fields, 'input rejected');
    }
  }
}

/** The `ts` of a JSON payload, or 0 (only used by the device-following replay clock). */
function peekDeviceTime(payload: Uint8Array): number {
  try {
    const ts = (JSON.parse(utf8Text(payload)) as { ts?: unknown }).ts;
    const ms = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
    return Number.isFinite(ms) ? ms : 0;
  } catch {
    return 0;
  }
}
