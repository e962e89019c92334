/** Shared fixtures for upstream tests: synthetic bucket rows and stream readers. */
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BucketRow } from '../../../../gateway/pipeline/derive/buckets.js';

export const BUCKET_MS = 15 * 60_000;
/** 2026-11-02T00:00:00Z: a Monday. */
export const T0 = Date.UTC(2026, 10, 2);

/** A deterministic pseudo-random bucket row (same inputs, same row). */
export function bucketRow(index: number, rev: number, seed = 1): BucketRow {
  const r = (k: number) => ((index * 7919 + rev * 104729 + seed * 1299709 + k * 15485863) % 1000) / 1000;
  const visitors = Math.floor(r(1) * 40) + rev;
  const transactions = Math.floor(r(2) * visitors * 0.3);
  return {
    start: T0 + index * BUCKET_MS,
    rev,
    passersBy: visitors * 3 + Math.floor(r(3) * 10),
    visitors,
    exits: Math.max(visitors - 1, 0),
    tryOnSessions: Math.floor(r(4) * visitors * 0.5),
    itemsTried: Math.floor(r(5) * visitors),
    transactions,
    units: transactions * 2 - Math.floor(r(6) * 2),
    revenueCents: transactions * 19_999 + Math.floor(r(7) * 1000) - (r(8) > 0.9 ? 5000 : 0),
    triedBought: Math.floor(r(9) * transactions),
    occupancyMs: Math.floor(r(10) * 3_600_000),
  };
}

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly data: string;
}

/** Every message in the RETAIL stream, in stream order (an ordered consumer). */
export async function readStream(nc: NatsConnection, stream = 'RETAIL'): Promise<StoredMessage[]> {
  const js: JetStreamClient = jetstream(nc);
  const jsm = await js.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const total = info.state.messages;
  const out: StoredMessage[] = [];
  if (total === 0) return out;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), data: m.string() });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}
