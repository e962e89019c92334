/**
 * DeviceEvent: what every driver produces and what the journal stores, one row each.
 * Wire messages (messages.ts, serial frames, Impinj JSON) are decoded into these; the
 * correlators see nothing else.
 *
 * Times are epoch milliseconds. `ts` is the device's time (or the receive time for
 * devices without a trustworthy clock), `rxTs` the gateway's receive time.
 * Zones are resolved by the gateway from its config (antenna → zone, door → zone), so an
 * event is meaningful on its own when replayed.
 */
import type { ReceiptLine } from './messages.js';

export const EventFlags = {
  /** Device ts was beyond the skew bound in the future and was replaced by rxTs. */
  tsReplaced: 1,
  /** Device is configured `clock: untrusted`; ts is rxTs. */
  clockUntrusted: 2,
} as const;

interface EventBase {
  /** Configured device id (the sender). */
  readonly device: string;
  /** Dedupe key together with device: the sender's message id (plus a suffix when one message yields several events). */
  readonly id: string;
  readonly ts: number;
  readonly rxTs: number;
  /** Bit set of EventFlags. */
  readonly flags: number;
}

export interface DoorCrossingEvent extends EventBase {
  readonly type: 'door.crossing';
  readonly door: string;
  readonly zone: string;
  readonly dir: 'in' | 'out';
  readonly n: number;
  /**
   * Counters that report per period (network people counters, backfilled history): the
   * crossings happened somewhere in [ts, ts + period), in ms. Absent or 0: at `ts`. Staff
   * exclusion matches badge passages against the whole period (gateway/pipeline/correlate).
   */
  readonly period?: number | undefined;
}

export interface DoorTotalsEvent extends EventBase {
  readonly type: 'door.totals';
  readonly door: string;
  readonly zone: string;
  readonly totalIn: number;
  readonly totalOut: number;
  readonly boot: string;
}

/** Raw RFID reads folded per (epc, zone, second): `ts` is the first read, `lastTs` the last. */
export interface TagSeenEvent extends EventBase {
  readonly type: 'tag.seen';
  /** Upper-case hex. */
  readonly epc: string;
  readonly zone: string;
  readonly lastTs: number;
  readonly peakRssi: number;
  readonly count: number;
}

export interface PosReceiptEvent extends EventBase {
  readonly type: 'pos.receipt';
  readonly receipt: string;
  readonly kind: 'sale' | 'refund' | 'void';
  readonly member?: string;
  readonly lines: readonly ReceiptLine[];
  readonly total: number;
  readonly currency: string;
}

export interface MemberSeenEvent extends EventBase {
  readonly type: 'member.seen';
  readonly member?: string;
  readonly credential?: string;
  readonly zone: string;
  readonly via: 'app' | 'card' | 'wifi' | 'staff';
}

export interface DeviceStatusEvent extends EventBase {
  readonly type: 'device.status';
  readonly uptime: number;
  readonly fw: string;
  readonly battery?: number;
  readonly errors?: number | readonly string[];
}

export type DeviceEvent =
  | DoorCrossingEvent
  | DoorTotalsEvent
  | TagSeenEvent
  | PosReceiptEvent
  | MemberSeenEvent
  | DeviceStatusEvent;

export type DeviceEventType = DeviceEvent['type'];

/** Raw tag read before folding, as drivers and adapters produce it. */
export interface TagRead {
  readonly epc: string;
  readonly zone: string;
  readonly rssi: number;
  readonly ts: number;
}

/**
 * Folds raw reads into one TagSeenEvent per (epc, zone, whole second of ts), in first-seen
 * order, so the same reads always fold to the same events (and the same dedupe ids).
 */
export function foldTagReads(
  reads: readonly TagRead[],
  base: { device: string; id: string; rxTs: number; flags: number },
): TagSeenEvent[] {
  const groups = new Map<
    string,
    { epc: string; zone: string; ts: number; lastTs: number; peak: number; count: number }
  >();
  for (const r of reads) {
    const epc = r.epc.toUpperCase();
    const key = `${epc}|${r.zone}|${Math.floor(r.ts / 1000)}`;
    const g = groups.get(key);
    if (g) {
      g.ts = Math.min(g.ts, r.ts);
      g.lastTs = Math.max(g.lastTs, r.ts);
      g.peak = Math.max(g.peak, r.rssi);
      g.count += 1;
    } else {
      groups.set(key, { epc, zone: r.zone, ts: r.ts, lastTs: r.ts, peak: r.rssi, count: 1 });
    }
  }
  const out: TagSeenEvent[] = [];
  let i = 0;
  for (const g of groups.values()) {
    out.push({
      type: 'tag.seen',
      device: base.device,
      id: `${base.id}#${i++}`,
      ts: g.ts,
      rxTs: base.rxTs,
      flags: base.flags,
      epc: g.epc,
      zone: g.zone,
      lastTs: g.lastTs,
      peakRssi: g.peak,
      count: g.count,
    });
  }
  return out;
}
