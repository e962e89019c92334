/**
 * Turns the planned day into wire messages: every happening is handed, in time order, to
 * the simulator of its device (so ids, cumulative totals and uptimes come out as a real
 * device would send them). RFID reads are batched per reader per second.
 */
import type { ReceiptLine } from '../../protocols/index.js';
import type { SimMessage } from '../devices/index.js';
import type { Rng } from '../prng.js';
import { MINUTE, SECOND } from '../time.js';
import { DEVICE_IDS, type Fleet, type Incidents, ticks } from './fleet.js';
import type {
  DayClock,
  PlannedCrossing,
  PlannedLine,
  PlannedRead,
  PlannedReceipt,
  PlannedSeen,
  TimedMessage,
} from './types.js';

export interface RenderInput {
  readonly clock: DayClock;
  readonly incidents: Incidents;
  readonly crossings: readonly PlannedCrossing[];
  readonly reads: readonly PlannedRead[];
  readonly receipts: readonly PlannedReceipt[];
  readonly seen: readonly PlannedSeen[];
}

const HEARTBEAT = MINUTE;
const TOTALS_EVERY = MINUTE;

interface Happening {
  readonly at: number;
  readonly emit: () => SimMessage | undefined;
}

export function renderDay(rng: Rng, fleet: Fleet, input: RenderInput): TimedMessage[] {
  const { clock, incidents } = input;
  const happenings: Happening[] = [];
  const reboot = incidents.doorReboot;
  const offline = incidents.tillOffline;
  const down = (device: string, at: number) =>
    (device === reboot.device && at >= reboot.from && at < reboot.to) ||
    (device === offline.device && at >= offline.from && at < offline.to);

  // The reboot first, so that anything at the same instant already sees the new boot.
  happenings.push({
    at: reboot.to,
    emit: () => {
      fleet.entrance.restart(reboot.to, reboot.boot);
      return undefined;
    },
  });
  happenings.push({ at: reboot.to + SECOND, emit: () => fleet.entrance.totalsMessage(reboot.to + SECOND) });
  happenings.push({
    at: reboot.to + 2 * SECOND,
    emit: () => fleet.entrance.status(reboot.to + 2 * SECOND, { errors: ['watchdog reset'] }),
  });

  for (const c of input.crossings) {
    const sim = c.device === DEVICE_IDS.street ? fleet.street : fleet.entrance;
    happenings.push({ at: c.at, emit: () => sim.crossing(c.at, c.dir, c.n) });
  }
  for (const door of [fleet.entrance, fleet.street]) {
    for (const at of ticks(rng, clock.dayStart, clock.dayEnd, TOTALS_EVERY)) {
      if (!down(door.device, at)) happenings.push({ at, emit: () => door.totalsMessage(at) });
    }
  }

  const sims = [fleet.entrance, fleet.street, fleet.reader, ...fleet.tills.values(), fleet.app];
  const span = clock.dayEnd - clock.dayStart;
  for (const sim of sims) {
    for (const at of ticks(rng, clock.dayStart, clock.dayEnd, HEARTBEAT)) {
      if (down(sim.device, at)) continue;
      const extras =
        sim === fleet.street
          ? { battery: Math.round(86 - (6 * (at - clock.dayStart)) / span), errors: 0 }
          : { errors: 0 };
      happenings.push({ at, emit: () => sim.status(at, extras) });
    }
  }

  for (const batch of batchReads(input.reads)) {
    happenings.push({ at: batch.at, emit: () => fleet.reader.reads(batch.at, batch.reads) });
  }
  for (const r of input.receipts) {
    const till = fleet.tills.get(r.terminal);
    if (!till) throw new Error(`no till ${r.terminal}`);
    const lines = r.lines.map(wireLine);
    const receipt =
      r.member === undefined
        ? { kind: r.kind, lines, total: r.total }
        : { kind: r.kind, lines, total: r.total, member: r.member };
    // Rendered when sent (a flushed receipt keeps its own ts).
    happenings.push({ at: r.at, emit: () => till.receipt(r.ts, receipt, r.receipt) });
  }
  for (const s of input.seen) {
    happenings.push({ at: s.at, emit: () => fleet.app.seen(s.at, s.who, s.zone, s.via) });
  }

  happenings.sort((a, b) => a.at - b.at);
  const messages: TimedMessage[] = [];
  for (const h of happenings) {
    const m = h.emit();
    if (m) messages.push({ at: h.at, topic: m.topic, payload: m.payload });
  }
  return messages;
}

/** The payload line: the chosen id, plus the less specific ones when the till sends them. */
function wireLine(line: PlannedLine): ReceiptLine {
  const { product, qty } = line;
  const price = line.price ?? product.price;
  if (line.mode === 'epc' && line.epc !== undefined) {
    return line.more
      ? { epc: line.epc, gtin: product.gtin, sku: product.sku, qty, price }
      : { epc: line.epc, qty, price };
  }
  if (line.mode === 'gtin') {
    return line.more ? { gtin: product.gtin, sku: product.sku, qty, price } : { gtin: product.gtin, qty, price };
  }
  return { sku: product.sku, qty, price };
}

/** One batch per second that has reads, sent at the end of that second. */
export function batchReads(reads: readonly PlannedRead[]): { at: number; reads: PlannedRead[] }[] {
  const bySecond = new Map<number, PlannedRead[]>();
  for (const r of reads) {
    const sec = Math.floor(r.at / SECOND);
    const list = bySecond.get(sec);
    if (list) list.push(r);
    else bySecond.set(sec, [r]);
  }
  return [...bySecond.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([sec, list]) => ({ at: (sec + 1) * SECOND, reads: list.sort((a, b) => a.at - b.at) }));
}

/** Receipts made while a till was offline are sent, in order, once it is back. */
export function applyOutage(receipts: readonly PlannedReceipt[], offline: Incidents['tillOffline']): void {
  let k = 0;
  for (const r of receipts) {
    if (r.terminal === offline.device && r.ts >= offline.from && r.ts < offline.to) {
      r.at = offline.to + 500 + k * 250;
      k += 1;
    }
  }
}
