/** A DriverContext that records what a driver sends, for device tests. */
import pino from 'pino';
import type { Clock, DriverContext, SourceRejection, SourceStatus } from '../../../devices/index.js';
import type { DeviceEvent } from '../../../protocols/index.js';

export interface RecordingContext {
  readonly ctx: DriverContext;
  readonly events: DeviceEvent[];
  readonly rejects: SourceRejection[];
  readonly statuses: SourceStatus[];
  /** Emit calls that will be answered with an error, from the next one on. */
  failNext(n: number): void;
}

export function recordingContext(device = 'dev-1', clock: Clock = { now: () => Date.now() }): RecordingContext {
  const events: DeviceEvent[] = [];
  const rejects: SourceRejection[] = [];
  const statuses: SourceStatus[] = [];
  let failures = 0;
  const ctx: DriverContext = {
    device,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock,
    emit(batch, done) {
      if (failures > 0) {
        failures--;
        setImmediate(() => done(new Error('journal busy')));
        return;
      }
      events.push(...batch);
      setImmediate(() => done());
    },
    reject(r) {
      rejects.push(r);
    },
    status(s) {
      statuses.push(s);
    },
  };
  return {
    ctx,
    events,
    rejects,
    statuses,
    failNext(n) {
      failures = n;
    },
  };
}

/** Sum of `n` of door.crossing events, per direction. */
export function crossingTotals(events: readonly DeviceEvent[]): { in: number; out: number } {
  let i = 0;
  let o = 0;
  for (const e of events) {
    if (e.type !== 'door.crossing') continue;
    if (e.dir === 'in') i += e.n;
    else o += e.n;
  }
  return { in: i, out: o };
}
