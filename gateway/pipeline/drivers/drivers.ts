/**
 * Starts a Source (devices/) for every configured device the gateway reads itself — serial
 * door counters and R2000 readers, GPIO beam counters, Impinj HTTP streams, Hikvision and
 * AXIS network people counters — and feeds
 * their events into ingest. A failing device degrades and is reported; it never takes the
 * gateway down.
 */
import { readFileSync } from 'node:fs';
import {
  AxisPeopleCounter,
  type BackoffOptions,
  createDeviceSource,
  type DriverConfig,
  type DriverContext,
  type GpioPinFactory,
  HikvisionPeopleCounter,
  ImpinjStreamClient,
  type Source,
  type SourceStatus,
} from '../../../devices/index.js';
import type { Clock } from '../../infra/clock/index.js';
import { type GatewayConfig, parseDuration } from '../../infra/config/index.js';
import type { Logger } from '../../log.js';
import type { Ingest } from '../ingest/index.js';

export interface DriverHost {
  readonly config: GatewayConfig;
  readonly ingest: Ingest;
  readonly clock: Clock;
  readonly log: Logger;
  /** Connection state changes of a driver (device health, the manager's feed). */
  readonly onStatus: (device: string, status: SourceStatus) => void;
  /** GPIO backend (tests inject a double; default onoff). */
  readonly openPin?: GpioPinFactory;
  /** Network people counter timings (tests shorten them; the defaults suit a store). */
  readonly counterTiming?: CounterTiming;
}

export interface CounterTiming {
  readonly backfillEveryMs?: number;
  readonly statusEveryMs?: number;
  readonly stallMs?: number;
  readonly timeoutMs?: number;
  readonly backoff?: BackoffOptions;
}

export function driverContext(host: DriverHost, device: string): DriverContext {
  return {
    device,
    log: host.log.child({ device }),
    clock: host.clock,
    emit: (events, done) => host.ingest.fromDriver(device, events, done),
    reject: (r) =>
      host.ingest.reject(
        { device, source: `driver:${device}`, code: r.code, reason: r.reason, raw: r.raw },
        () => undefined,
      ),
    status: (s) => host.onStatus(device, s),
  };
}

export class Drivers {
  private readonly sources: Source[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly host: DriverHost) {}

  /** Starts every driver in the background; a driver that cannot start reports an error status. */
  start(): void {
    for (const [device, config] of Object.entries(this.host.config.devices)) {
      const ctx = driverContext(this.host, device);
      let source: Source | undefined;
      if (config.transport === 'serial' || config.transport === 'gpio') {
        source = createDeviceSource(
          ctx,
          config as DriverConfig,
          this.host.openPin ? { openPin: this.host.openPin } : {},
        );
      } else if (config.transport === 'http-stream') {
        source = new ImpinjStreamClient(ctx, {
          url: config.url,
          antennas: config.antennas,
          ...(config.username && config.password
            ? { auth: { username: config.username, password: config.password } }
            : {}),
        });
      } else if (config.transport === 'hikvision-isapi' || config.transport === 'axis-vapix') {
        source = this.peopleCounter(ctx, device, config);
      }
      if (!source) continue;
      this.sources.push(source);
      source.start(this.abort.signal).catch((err: unknown) => {
        this.host.log.error({ device, err }, 'device driver failed');
        this.host.onStatus(device, { state: 'error', detail: String((err as Error).message ?? err), reconnects: 0 });
      });
    }
  }

  /** A Hikvision or AXIS people counter; a password file that cannot be read is an error status. */
  private peopleCounter(
    ctx: DriverContext,
    device: string,
    config: Extract<GatewayConfig['devices'][string], { transport: 'hikvision-isapi' | 'axis-vapix' }>,
  ): Source | undefined {
    let password = config.password;
    if (password === undefined && config.passwordFile !== undefined) {
      try {
        password = readFileSync(config.passwordFile, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        const detail = `cannot read passwordFile ${config.passwordFile}: ${(err as Error).message}`;
        this.host.log.error({ device, err }, 'people counter password unreadable');
        this.host.onStatus(device, { state: 'error', detail, reconnects: 0 });
        return undefined;
      }
    }
    const t = this.host.counterTiming ?? {};
    const common = {
      url: config.url,
      auth: { username: config.username, password: password ?? '' },
      door: config.door,
      zone: config.zone,
      timeZone: config.timezone ?? this.host.config.store.timezone,
      skewBoundMs: this.host.config.correlation.skewBoundMs,
      ...(t.backfillEveryMs !== undefined ? { backfillEveryMs: t.backfillEveryMs } : {}),
      ...(t.statusEveryMs !== undefined ? { statusEveryMs: t.statusEveryMs } : {}),
      ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
      ...(t.backoff ? { backoff: t.backoff } : {}),
    };
    if (config.transport === 'hikvision-isapi') {
      return new HikvisionPeopleCounter(ctx, {
        ...common,
        ...(config.channel !== undefined ? { channel: config.channel } : {}),
        ...(t.stallMs !== undefined ? { stallMs: t.stallMs } : {}),
      });
    }
    return new AxisPeopleCounter(ctx, {
      ...common,
      ...(config.pollInterval !== undefined ? { pollMs: parseDuration(config.pollInterval) } : {}),
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  get count(): number {
    return this.sources.length;
  }
}
