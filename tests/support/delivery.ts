/**
 * Store days delivered the way real stores deliver them, into the real derivation on a real
 * SQLite database (journal → Derivation → facts, buckets, alerts), without MQTT: the
 * order-independence tests compare what different deliveries of the same day derive.
 *
 * A delivery plan gives each device a lateness (a fixed delay, batches every N, an outage
 * whose messages are flushed at the end); each device's own order is always kept.
 */
import type { TimedMessage } from '../../firmware-sim/day/types.js';
import type { StoreDay } from '../../firmware-sim/index.js';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import type { GatewayConfig } from '../../gateway/infra/config/index.js';
import { GatewayMetrics } from '../../gateway/infra/metrics/index.js';
import { ReferenceData } from '../../gateway/infra/reference/index.js';
import { createLogger } from '../../gateway/log.js';
import { AssistStore, assistId } from '../../gateway/outputs/alerts/assist-store.js';
import { AlertStore } from '../../gateway/outputs/alerts/store.js';
import { Derivation } from '../../gateway/pipeline/derive/index.js';
import { decodeMqttInput } from '../../gateway/pipeline/ingest/index.js';
import { type Db, Journal, type JournalEvent, type JournalRow, openDb } from '../../gateway/pipeline/journal/index.js';

export interface DeviceLateness {
  /** Every message of the device arrives this much after it was sent. */
  readonly delayMs?: number;
  /** Messages are held and sent together at the end of each period of this length. */
  readonly batchMs?: number;
  /** Messages sent in [from, to) are held until after the last message of the day. */
  readonly outage?: { readonly from: number; readonly to: number };
}

export interface DeliveredMessage {
  readonly device: string;
  readonly deliverAt: number;
  readonly message: TimedMessage;
}

export function deviceOf(topic: string): string {
  return topic.split('/')[3] ?? '';
}

/** When each message reaches the gateway, in delivery order (each device's own order kept). */
export function deliver(
  messages: readonly TimedMessage[],
  plan: ReadonlyMap<string, DeviceLateness>,
  flushAt: number,
): DeliveredMessage[] {
  const out = messages.map((message, index) => {
    const device = deviceOf(message.topic);
    const lateness = plan.get(device) ?? {};
    let at = message.at;
    if (lateness.outage && at >= lateness.outage.from && at < lateness.outage.to) at = flushAt;
    else {
      if (lateness.batchMs) at = Math.ceil(at / lateness.batchMs) * lateness.batchMs;
      at += lateness.delayMs ?? 0;
    }
    return { device, deliverAt: at, message, index };
  });
  // Same delivery time: the order they were sent in (which keeps each device's order).
  out.sort((a, b) => a.deliverAt - b.deliverAt || a.index - b.index);
  return out.map(({ device, deliverAt, message }) => ({ device, deliverAt, message }));
}

export interface DerivedDay {
  /** Facts rows: `type body`, sorted. */
  readonly facts: string[];
  /** Bucket counters without revisions: `start {...}`, sorted. */
  readonly buckets: string[];
  readonly alerts: string[];
  readonly pushed: string[];
}

/** A derivation over a fresh database in `dataDir`, fed batch by batch like GroupCommit does. */
export class DerivationRig {
  readonly clock: ManualClock;
  readonly metrics = new GatewayMetrics();
  private db!: Db;
  private journal!: Journal;
  private reference!: ReferenceData;
  private alerts!: AlertStore;
  private assist!: AssistStore;
  private derivation!: Derivation;
  readonly pushed = new Set<string>();

  constructor(
    private readonly config: GatewayConfig,
    start: number,
  ) {
    this.clock = new ManualClock(start);
    this.open();
  }

  /** The database as it is now (re-opened after a crash). */
  get database(): Db {
    return this.db;
  }

  importMembers(members: Parameters<ReferenceData['importMembers']>[0]): void {
    this.reference.importMembers(members);
  }

  importCatalog(products: Parameters<ReferenceData['importCatalog']>[0]): void {
    this.reference.importCatalog(products);
  }

  importReference(day: StoreDay): void {
    this.reference.importMembers(
      JSON.parse(JSON.stringify(day.roster)) as Parameters<ReferenceData['importMembers']>[0],
    );
    this.reference.importCatalog(
      JSON.parse(JSON.stringify(day.catalog)) as Parameters<ReferenceData['importCatalog']>[0],
    );
  }

  /** Journals and derives one batch at the clock's time (rxTs), then "pushes" new alerts. */
  commit(events: readonly JournalEvent[]): void {
    const result = this.db.transaction(() => {
      const rows: JournalRow[] = [];
      for (const event of events) {
        const seq = this.journal.append(event);
        if (seq !== undefined) rows.push({ seq, event });
      }
      return this.derivation.inTransaction(rows);
    })();
    this.derivation.afterCommit(result);
  }

  /** Decodes MQTT messages received now into journal events (the rejected ones dropped). */
  decode(messages: readonly TimedMessage[]): JournalEvent[] {
    const events: JournalEvent[] = [];
    for (const m of messages) {
      const decoded = decodeMqttInput(m.topic, Buffer.from(JSON.stringify(m.payload)), this.clock.now(), this.config);
      if (decoded.result.ok) events.push(...decoded.result.value);
    }
    return events;
  }

  /** kill -9: the database handle goes without a final checkpoint; open again and recover. */
  crashAndRestart(): void {
    this.db.close();
    this.open();
  }

  /** Applies late input still waiting (as at shutdown) and reads what was derived. */
  finish(): DerivedDay {
    this.derivation.close();
    const facts = (this.db.prepare('SELECT type, body FROM facts').all() as { type: string; body: string }[])
      .map((r) => `${r.type} ${r.body}`)
      .sort();
    const buckets = (
      this.db
        .prepare(
          `SELECT start, passers_by, visitors, exits, sessions, items_tried, transactions, units, revenue_cents,
                  tried_bought, person_ms FROM buckets ORDER BY start`,
        )
        .all() as Record<string, number>[]
    )
      .filter((b) => Object.entries(b).some(([k, v]) => k !== 'start' && v !== 0))
      .map((b) => JSON.stringify(b));
    // VIP alerts and fitting-room assistance cards (`assist:…`): both must not depend on the delivery.
    const alerts = (
      this.db
        .prepare('SELECT id FROM alerts UNION ALL SELECT id FROM assist_alerts ORDER BY id')
        .pluck()
        .all() as string[]
    ).slice();
    return { facts, buckets, alerts, pushed: [...this.pushed].sort() };
  }

  close(): void {
    this.db.close();
  }

  private open(): void {
    this.db = openDb(this.config.dataDir);
    this.journal = new Journal(this.db);
    this.reference = new ReferenceData(this.db);
    this.alerts = new AlertStore(this.db, this.reference, {
      now: () => this.clock.now(),
      maxAgeMs: this.config.alerts.maxAgeMs,
      realertAfterMs: this.config.correlation.realertAfterMs,
    });
    const alerts = this.alerts;
    this.assist = new AssistStore(this.db, this.reference, {
      now: () => this.clock.now(),
      maxAgeMs: this.config.alerts.maxAgeMs,
    });
    const assist = this.assist;
    this.derivation = Derivation.open({
      db: this.db,
      journal: this.journal,
      config: this.config,
      clock: this.clock,
      log: createLogger({ level: 'silent' }),
      metrics: this.metrics,
      reference: this.reference,
      writers: [
        {
          write: (_rows, facts, epoch) => alerts.record(facts, epoch),
          retract: (from) => alerts.retract(from),
          afterRewind: () => alerts.afterRewind(),
        },
        {
          write: (_rows, facts, epoch) => assist.record(facts, epoch),
          retract: (from) => assist.retract(from),
          afterRewind: () => assist.afterRewind(),
        },
      ],
    });
    // What the dispatcher would push to phones: claimed once, timely only.
    this.derivation.onFacts((facts) => {
      for (const fact of facts) {
        if (fact.type === 'assist.needed') {
          const card = assist.get(assistId(fact));
          if (card && assist.claimPush(card)) this.pushed.add(card.id);
        }
        if (fact.type !== 'vip.arrival') continue;
        const alert = alerts.get(`${fact.member}@${fact.ts}`);
        if (alert && alerts.claimPush(alert, this.config.correlation.realertAfterMs)) this.pushed.add(alert.id);
      }
    });
  }
}

/**
 * Runs a delivery through a rig: batches of messages that arrive at the same time commit
 * together, the clock ticks every `tickMs` of delivery time between them, and after the
 * last message the clock runs on past every deadline. `crashAfter` (a message index)
 * kills the derivation once, mid-delivery, and goes on after a restart.
 */
export function runDelivery(
  rig: DerivationRig,
  delivered: readonly DeliveredMessage[],
  options: {
    readonly tickMs?: number;
    readonly crashAfter?: number;
    readonly endAt: number;
    /** Journal events (invitations from the API) committed at `at`, after the messages. */
    readonly after?: { readonly at: number; readonly events: readonly JournalEvent[] };
  },
): DerivedDay {
  const tickMs = options.tickMs ?? 30_000;
  let lastTick = delivered[0]?.deliverAt ?? options.endAt;
  for (let i = 0; i < delivered.length; ) {
    const at = delivered[i]?.deliverAt as number;
    while (lastTick + tickMs < at) {
      lastTick += tickMs;
      rig.clock.set(lastTick);
      rig.commit([]);
    }
    let j = i;
    while (j < delivered.length && delivered[j]?.deliverAt === at && j - i < 200) j++;
    rig.clock.set(at);
    const batch = delivered.slice(i, j).map((d) => d.message);
    rig.commit(rig.decode(batch));
    if (options.crashAfter !== undefined && i <= options.crashAfter && options.crashAfter < j) rig.crashAndRestart();
    i = j;
  }
  if (options.after) {
    rig.clock.set(options.after.at);
    rig.commit(options.after.events);
  }
  rig.clock.set(options.endAt);
  rig.commit([]);
  return rig.finish();
}
