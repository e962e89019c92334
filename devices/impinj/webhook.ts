/**
 * Impinj reader webhook (`POST`, a JSON array of events), as the gateway mounts it at
 * `POST /api/v1/ingest/impinj/{device}`. Pure: no server, no timers; events leave through
 * ctx.emit and the answer waits for the sink, so the reader's retry covers a failed store.
 *
 * - nothing usable (not JSON, too many events, every event bad) → 400 with the first reason's
 *   code (`malformed-json`, `too-large`, `schema`);
 * - a partly bad array → 204: the good events are kept, each bad one goes to ctx.reject;
 * - the sink failed → 503 (the reader sends the batch again).
 *
 * Event ids come from a hash of the body, so the reader's retry of the same batch gives the
 * same ids and the gateway's dedupe drops it.
 */
import { createHash } from 'node:crypto';
import {
  decodeImpinjPayload,
  foldTagReads,
  type ImpinjPayloadOptions,
  type RejectCode,
  type TagRead,
} from '../../protocols/index.js';
import type { DriverContext } from '../source.js';
import { parseAntennaMap } from '../tags.js';

export interface ImpinjWebhookError {
  readonly code: RejectCode | 'store-failed';
  readonly message: string;
}

export interface ImpinjWebhookResult {
  readonly status: 204 | 400 | 503;
  readonly error?: ImpinjWebhookError;
  /** Reads kept, reads on antennas the config does not map, events rejected. */
  readonly reads: number;
  readonly unmapped: number;
  readonly rejected: number;
}

export interface ImpinjWebhookOptions extends ImpinjPayloadOptions {
  /** Longest wait for the sink. Default 10 s. */
  readonly storeTimeoutMs?: number;
}

export async function handleImpinjWebhook(
  body: Uint8Array,
  ctx: DriverContext,
  antennas: Readonly<Record<string, string>>,
  options: ImpinjWebhookOptions = {},
): Promise<ImpinjWebhookResult> {
  const log = ctx.log.child({ component: 'impinj-webhook', device: ctx.device });
  const rxTs = ctx.clock.now();
  const batch = decodeImpinjPayload(body, options);
  for (const r of batch.rejected) ctx.reject({ code: r.code, reason: r.reason, raw: body });
  const first = batch.rejected[0];
  if (batch.reads.length === 0 && first) {
    log.warn({ code: first.code, rejected: batch.rejected.length, bytes: body.byteLength }, 'impinj webhook refused');
    return fail(400, { code: first.code, message: first.reason }, batch.rejected.length);
  }
  const zones = parseAntennaMap(antennas, 1, 64).map;
  const reads: TagRead[] = [];
  let unmapped = 0;
  for (const r of batch.reads) {
    const zone = zones.get(r.antennaPort);
    if (zone === undefined) unmapped++;
    else reads.push({ epc: r.epc, zone, rssi: r.rssiDbm, ts: r.ts });
  }
  if (unmapped > 0) log.debug({ unmapped }, 'reads on unmapped antennas');
  const result = { reads: reads.length, unmapped, rejected: batch.rejected.length };
  if (reads.length === 0) return { status: 204, ...result };
  const id = `wh-${createHash('sha256').update(body).digest('hex').slice(0, 20)}`;
  const events = foldTagReads(reads, { device: ctx.device, id, rxTs, flags: 0 }).map((e) => Object.freeze(e));
  const err = await store(ctx, events, options.storeTimeoutMs ?? 10_000);
  if (err) {
    log.warn({ err, events: events.length }, 'impinj webhook not stored');
    return { status: 503, error: { code: 'store-failed', message: err.message }, ...result };
  }
  return { status: 204, ...result };
}

function fail(status: 400, error: ImpinjWebhookError, rejected: number): ImpinjWebhookResult {
  return { status, error, reads: 0, unmapped: 0, rejected };
}

function store(
  ctx: DriverContext,
  events: Parameters<DriverContext['emit']>[0],
  timeoutMs: number,
): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      resolve(new Error(`the sink did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(err);
    };
    try {
      ctx.emit(events, done);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
