/**
 * The demo's history: the days the dashboard compares today with (the same weekday last
 * week, the week and month so far against the ones before, 同比 a year back), each a
 * simulated store day of its own (firmware-sim, varied by date), written through the
 * gateway's own input path: every device message decoded as MQTT input, stamped as
 * received on its own day, journaled by the group commit and derived by the correlation.
 * The history is older than the day playing, so the derivation takes it as late input and
 * recomputes from the checkpoint before it (docs/decisions.md "Order independence"):
 * VIP arrivals in it are recorded, never pushed to phones.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { generateStoreDay, variedDayOptions } from '../firmware-sim/index.js';
import type { GatewayConfig } from './infra/config/index.js';
import type { StoreCalendar } from './infra/time/index.js';
import { decodeMqttInput, type Ingest } from './pipeline/ingest/index.js';
import { COMPARISONS, planComparisons } from './read/views/compare.js';

/**
 * At most this many days are backfilled (each ~50k messages; measured 4.5 s a day on a
 * shared 2-core machine beside a 60x day, 9 s beside a 10,000x one under load): the day and
 * week views always fit (at most 20 days), the month view's until the middle of the month.
 */
export const HISTORY_MAX_DAYS = 40;
/** Messages handed to the group commit and not yet journaled. */
const IN_FLIGHT = 2048;

export type HistoryView = 'day' | 'week' | 'month';

export interface HistoryPlan {
  /** Local days to backfill, oldest first. */
  readonly days: readonly string[];
  /** The views whose comparisons those days cover (all of each view's days, or none). */
  readonly views: readonly HistoryView[];
}

/**
 * The days the day, week and month views read besides today: the period so far, the
 * previous period and the period a year back, each up to today's date (the rules of
 * gateway/read/views/compare.ts). A view is covered whole or not at all, in that order, while
 * the days stay within `maxDays` (late in a month, the month view's 60-90 days do not fit).
 */
export function planHistory(calendar: StoreCalendar, today: string, maxDays = HISTORY_MAX_DAYS): HistoryPlan {
  const start = calendar.startOfLocalDay(today);
  if (Number.isNaN(start)) throw new RangeError(`not a day: ${today}`);
  const weekFrom = calendar.localDay(calendar.weekStart(start));
  const monthFrom = calendar.localDay(calendar.monthStart(start));
  // The periods as the Reports page asks for them: the whole week and month, still running.
  const periods: [HistoryView, string, string][] = [
    ['day', today, today],
    ['week', weekFrom, calendar.addDays(weekFrom, 6)],
    ['month', monthFrom, calendar.localDay(calendar.nextPeriodStart(calendar.monthStart(start), 'month') - 1)],
  ];
  const days = new Set<string>();
  const views: HistoryView[] = [];
  for (const [view, from, to] of periods) {
    // As if at noon today: the running period is compared up to the same day.
    const plan = planComparisons(calendar, from, to, COMPARISONS, start + 12 * 3_600_000);
    const wanted = new Set(dayRange(calendar, from, calendar.addDays(today, -1)));
    for (const shift of plan.comparisons.values()) {
      for (const day of dayRange(calendar, shift.clamped(from), shift.clamped(today))) wanted.add(day);
    }
    const merged = new Set([...days, ...wanted]);
    if (merged.size > maxDays) continue;
    for (const day of wanted) days.add(day);
    views.push(view);
  }
  return { days: [...days].sort(), views };
}

function dayRange(calendar: StoreCalendar, from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = calendar.addDays(day, 1)) days.push(day);
  return days;
}

export interface BackfillOptions {
  readonly ingest: Ingest;
  readonly config: GatewayConfig;
  readonly days: readonly string[];
  readonly seed: number;
  readonly traffic: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface BackfillReport {
  readonly days: number;
  readonly messages: number;
  readonly rejected: number;
  readonly ms: number;
}

/** Generates each day and hands its messages to the gateway, oldest day first. */
export async function backfillHistory(options: BackfillOptions): Promise<BackfillReport> {
  const started = performance.now();
  let messages = 0;
  let rejected = 0;
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled = (err?: Error) => {
    inFlight--;
    if (err) failure ??= err;
    const w = wake;
    wake = undefined;
    w?.();
  };
  let done = 0;
  for (const date of options.days) {
    if (options.signal?.aborted) break;
    const day = generateStoreDay(variedDayOptions({ seed: options.seed, date, traffic: options.traffic }));
    for (const m of day.messages) {
      if (options.signal?.aborted || failure) break;
      // Received when sent, on its own day: the MQTT decoder's time rules apply as they would live.
      const decoded = decodeMqttInput(m.topic, Buffer.from(JSON.stringify(m.payload)), m.at, options.config);
      if (!decoded.result.ok) {
        rejected++;
        continue;
      }
      inFlight++;
      messages++;
      options.ingest.fromDriver(decoded.device ?? '', decoded.result.value, settled);
      while (inFlight >= IN_FLIGHT && !failure) await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure) throw failure;
    done++;
    options.log.debug({ component: 'demo', date, messages: day.messages.length }, 'history day written');
    // Let the day playing and the dashboard have the loop between days.
    await yieldToLoop();
  }
  while (inFlight > 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
  if (failure) throw failure;
  return { days: done, messages, rejected, ms: Math.round(performance.now() - started) };
}
