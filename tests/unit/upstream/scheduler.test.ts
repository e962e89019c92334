/**
 * The outbox (pure inserts inside the caller's transaction) and the rule of WHEN buckets go
 * upstream: once closed (end + grace), again at each later revision, never while open, and
 * exactly the buckets that closed in between after a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../gateway/infra/clock/index.js';
import {
  bucketRevisions,
  continueRevisions,
  MAX_OUTBOX_PAYLOAD_BYTES,
  Outbox,
  OutboxMessageTooLargeError,
  Pseudonymizer,
  type UpstreamFact,
  UpstreamScheduler,
  type UpstreamSchedulerOptions,
} from '../../../gateway/outputs/upstream/index.js';
import type { Fact } from '../../../gateway/pipeline/correlate/index.js';
import { type BucketCounters, BucketStore, emptyCounters } from '../../../gateway/pipeline/derive/buckets.js';
import { type Db, openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';

const Q = 15 * 60_000;
const GRACE = 60_000;
const T0 = Date.UTC(2026, 10, 23, 2, 0);

let dir: ReturnType<typeof tempDir>;
let db: Db;
let clock: ManualClock;
let outbox: Outbox;

beforeEach(() => {
  dir = tempDir('upstream-sched-');
  db = openDb(dir.path);
  clock = new ManualClock(T0);
  outbox = new Outbox(db, clock);
});

afterEach(() => {
  db.close();
  dir.remove();
});

const message = (i: number) => ({
  subject: 'retail.acme.s001.funnel',
  msgId: `s001:funnel:${i}:1`,
  payload: `{"i":${i}}`,
});

describe('outbox', () => {
  it('is written by the caller’s transaction: a rollback leaves nothing', () => {
    expect(() =>
      db.transaction(() => {
        outbox.enqueue(message(1));
        throw new Error('derivation failed');
      })(),
    ).toThrow('derivation failed');
    expect(outbox.depth()).toBe(0);
  });

  it('keeps seq order, ignores a msgId already waiting, and deletes only what it is told', () => {
    let woken = 0;
    outbox.onEnqueue(() => woken++);
    expect(outbox.enqueue(message(1))).toBe(true);
    clock.advance(1000);
    expect(outbox.enqueue(message(2))).toBe(true);
    expect(outbox.enqueue(message(1))).toBe(false);
    expect(woken).toBe(2);
    const rows = outbox.read(0, 10);
    expect(rows.map((r) => r.msgId)).toEqual(['s001:funnel:1:1', 's001:funnel:2:1']);
    expect(outbox.read(rows[0]?.seq ?? 0, 10).map((r) => r.msgId)).toEqual(['s001:funnel:2:1']);
    clock.advance(4000);
    expect(outbox.backlog()).toEqual({ depth: 2, oldestAgeMs: 5000 });
    outbox.remove([rows[0]?.seq ?? 0]);
    expect(outbox.backlog()).toEqual({ depth: 1, oldestAgeMs: 4000 });
  });

  it('refuses a message NATS could never carry', () => {
    const huge = { ...message(3), payload: 'x'.repeat(MAX_OUTBOX_PAYLOAD_BYTES + 1) };
    expect(() => outbox.enqueue(huge)).toThrow(OutboxMessageTooLargeError);
  });
});

describe('upstream scheduler', () => {
  function scheduler(overrides: Partial<UpstreamSchedulerOptions> = {}): UpstreamScheduler {
    return new UpstreamScheduler({
      db,
      outbox,
      storeId: 's001',
      tenant: 'acme',
      pseudonymizer: new Pseudonymizer('0123456789abcdef0123456789abcdef'),
      bucketStartOf: (ts) => Math.floor(ts / Q) * Q,
      vipTier: 4,
      tierOf: (id) => (id.startsWith('vip') ? 5 : 1),
      graceMs: GRACE,
      ...overrides,
    });
  }
  const buckets = () => new BucketStore(db);
  const add = (start: number, patch: Partial<BucketCounters>) =>
    buckets().apply(new Map([[start, { ...emptyCounters(), ...patch }]]));
  const sent = () => outbox.read(0, 1000).map((r) => r.msgId);
  /** What the derivation does: the hooks, then the batch's progress row, in one transaction. */
  const commit = (s: UpstreamScheduler, changed: number[], facts: readonly UpstreamFact[], tick: number) => {
    s.afterBatch(changed, facts, tick);
    db.prepare('UPDATE progress SET applied_tick = ? WHERE id = 1').run(tick);
  };

  it('sends a bucket once its 15 minutes and the grace have passed, not before', () => {
    const s = scheduler();
    db.transaction(() => {
      add(T0, { visitors: 3 });
      commit(s, [T0], [], T0 + 5 * 60_000);
    })();
    expect(sent()).toEqual([]);
    db.transaction(() => commit(s, [], [], T0 + Q + GRACE - 1))();
    expect(sent()).toEqual([]);
    db.transaction(() => commit(s, [], [], T0 + Q + GRACE))();
    expect(sent()).toEqual([`s001:funnel:${T0}:1`]);
    expect(JSON.parse(outbox.read(0, 1)[0]?.payload ?? '{}')).toMatchObject({ visitors: 3, rev: 1 });
    // Published (acked and deleted): later ticks, and a restart, do not send it again.
    outbox.remove(outbox.read(0, 10).map((r) => r.seq));
    db.transaction(() => commit(s, [], [], T0 + 3 * Q))();
    db.transaction(() => commit(scheduler(), [], [], T0 + 4 * Q))();
    expect(sent()).toEqual([]);
  });

  it('re-sends a closed bucket at its new revision when late events change it; open buckets wait', () => {
    const s = scheduler();
    db.transaction(() => {
      add(T0, { visitors: 3 });
      commit(s, [T0], [], T0 + Q + GRACE);
    })();
    db.transaction(() => {
      add(T0, { transactions: 1, revenueCents: 9900 }); // a late receipt
      add(T0 + 2 * Q, { visitors: 1 }); // the open bucket
      commit(s, [T0, T0 + 2 * Q], [], T0 + 2 * Q + 1000);
    })();
    expect(sent()).toEqual([`s001:funnel:${T0}:1`, `s001:funnel:${T0}:2`]);
    expect(JSON.parse(outbox.read(0, 10)[1]?.payload ?? '{}')).toMatchObject({
      rev: 2,
      visitors: 3,
      transactions: 1,
      revenue: 99,
    });
  });

  it('after a restart, sends exactly the buckets that closed while it was down', () => {
    db.transaction(() => {
      add(T0, { visitors: 1 });
      add(T0 + Q, { visitors: 2 });
      add(T0 + 5 * Q, { visitors: 3 });
      db.prepare('UPDATE progress SET applied_tick = ? WHERE id = 1').run(T0 + Q + GRACE); // T0 closed and sent before
    })();
    const s = scheduler();
    expect(s.closedThrough).toBe(T0 + Q + GRACE);
    db.transaction(() => commit(s, [], [], T0 + 6 * Q + GRACE))();
    expect(sent()).toEqual([`s001:funnel:${T0 + Q}:1`, `s001:funnel:${T0 + 5 * Q}:1`]);
  });

  it('builds VIP journeys from the facts table, re-sent with a higher revision when a late VIP fact comes', () => {
    const s = scheduler();
    const insert = db.prepare('INSERT INTO facts (type, ts, body) VALUES (?, ?, ?)');
    const fact = (f: { type: string; ts: number } & Record<string, unknown>) => {
      insert.run(f.type, f.ts, JSON.stringify(f));
      return f as { type: string; ts: number; member?: string };
    };
    db.transaction(() => {
      const facts = [
        fact({
          type: 'vip.arrival',
          ts: T0 + 1000,
          member: 'vip-a',
          tier: 5,
          zone: 'entrance',
          via: 'card',
          invitationId: 'i1',
        }),
        fact({ type: 'transaction', ts: T0 + 2000, member: 'vip-a', revenue: 100.5, units: 1 }),
        fact({ type: 'transaction', ts: T0 + 3000, member: 'plain', revenue: 10, units: 1 }),
        fact({ type: 'transaction', ts: T0 + 4000, member: 'vip-b', revenue: 20, units: 1 }),
      ];
      add(T0, { transactions: 3 });
      commit(s, [T0], facts, T0 + Q + GRACE);
    })();
    const vip = outbox.read(0, 10).filter((r) => r.subject.endsWith('.vipjourney'));
    expect(vip.map((r) => r.msgId)).toEqual([`s001:vipjourney:${T0}:4`]);
    const body = JSON.parse(vip[0]?.payload ?? '{}') as {
      arrivals: number;
      members: number;
      invitedArrivals: number;
      transactions: number;
      revenue: number;
      journeys: unknown[];
    };
    expect(body).toMatchObject({ arrivals: 1, members: 1, invitedArrivals: 1, transactions: 2, revenue: 120.5 });
    expect(body.journeys).toHaveLength(2); // vip-a and vip-b (a VIP by tier, seen only at the till); not "plain"
    expect(vip[0]?.payload).not.toMatch(/vip-a|vip-b|plain/);

    db.transaction(() => {
      const late = fact({
        type: 'vip.departure',
        ts: T0 + 5000,
        member: 'vip-a',
        tier: 5,
        since: T0 + 1000,
        reason: 'exit',
      });
      commit(s, [], [late], T0 + Q + GRACE + 5000);
    })();
    expect(
      outbox
        .read(0, 10)
        .filter((r) => r.subject.endsWith('.vipjourney'))
        .map((r) => r.msgId),
    ).toEqual([`s001:vipjourney:${T0}:4`, `s001:vipjourney:${T0}:5`]);
  });

  it('builds the VIP journey of a bucket that closes while ticks come a second apart', () => {
    const insert = db.prepare('INSERT INTO facts (type, ts, body) VALUES (?, ?, ?)');
    const arrival = {
      type: 'vip.arrival',
      ts: T0 + 7 * 60_000,
      member: 'vip-a',
      tier: 5,
      zone: 'entrance',
      via: 'card',
    };
    const close = T0 + Q + GRACE;
    db.transaction(() => {
      insert.run(arrival.type, arrival.ts, JSON.stringify(arrival));
      add(T0, { visitors: 1 });
      commit(scheduler(), [T0], [arrival], T0 + 8 * 60_000);
    })();
    // Live: one batch a second, each a new scheduler after a restart or the same one.
    const s = scheduler();
    for (let tick = close - 3000; tick <= close + 3000; tick += 1000) db.transaction(() => commit(s, [], [], tick))();
    expect(sent()).toEqual([`s001:funnel:${T0}:1`, `s001:vipjourney:${T0}:1`]);
  });

  it('backfills closed buckets of a range on request', () => {
    db.transaction(() => {
      for (let i = 0; i < 4; i++) add(T0 + i * Q, { visitors: i + 1 });
      db.prepare('UPDATE progress SET applied_tick = ? WHERE id = 1').run(T0 + 10 * Q);
    })();
    const s = scheduler();
    db.transaction(() => s.resendRange(T0, T0 + 10 * Q, T0 + 3 * Q + GRACE))();
    expect(sent()).toEqual([0, 1, 2].map((i) => `s001:funnel:${T0 + i * Q}:1`));
  });
});

describe('revisions across a rebuild', () => {
  it('keeps them above what HQ has, and zeroes buckets that vanished', () => {
    const store = new BucketStore(db);
    const apply = (start: number, visitors: number) =>
      store.apply(new Map([[start, { ...emptyCounters(), visitors }]]));
    apply(T0, 1);
    apply(T0, 1);
    apply(T0 + Q, 5);
    const before = bucketRevisions(db);
    expect([...before]).toEqual([
      [T0, 2],
      [T0 + Q, 1],
    ]);
    db.exec('DELETE FROM buckets'); // what a rebuild does first
    apply(T0, 2); // the rebuilt bucket, rev 1 again; T0 + Q vanished
    db.transaction(() => continueRevisions(db, before))();
    expect(store.range(T0, T0 + 2 * Q).map((r) => [r.start, r.rev, r.visitors])).toEqual([
      [T0, 3, 2],
      [T0 + Q, 2, 0],
    ]);
  });

  it("accepts the correlator's facts as they are", () => {
    const facts: readonly Fact[] = [];
    const accepted: readonly UpstreamFact[] = facts;
    expect(accepted).toHaveLength(0);
  });
});

describe('upstream scheduler after a rolled-back batch', () => {
  it('closes the buckets of the lost batch again in the next one', () => {
    const s = new UpstreamScheduler({
      db,
      outbox,
      storeId: 's001',
      tenant: 'acme',
      pseudonymizer: new Pseudonymizer('0123456789abcdef0123456789abcdef'),
      bucketStartOf: (ts) => Math.floor(ts / Q) * Q,
      vipTier: 4,
      graceMs: GRACE,
    });
    new BucketStore(db).apply(new Map([[T0, { ...emptyCounters(), visitors: 1 }]]));
    const progress = db.prepare('UPDATE progress SET applied_tick = ? WHERE id = 1');
    expect(() =>
      db.transaction(() => {
        s.afterBatch([], [], T0 + Q + GRACE);
        progress.run(T0 + Q + GRACE);
        throw new Error('SQLITE_FULL');
      })(),
    ).toThrow('SQLITE_FULL');
    expect(outbox.depth()).toBe(0);
    db.transaction(() => {
      s.afterBatch([], [], T0 + Q + GRACE + 1000);
      progress.run(T0 + Q + GRACE + 1000);
    })();
    expect(outbox.read(0, 10).map((r) => r.msgId)).toEqual([`s001:funnel:${T0}:1`]);
  });
});
