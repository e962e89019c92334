/**
 * Shared pieces of the fault drills: a QoS1 publisher that records every PUBACK and keeps
 * unacknowledged messages for resending (mqtt.js does, with reconnect on), journal reads from
 * a separate connection, and the measured results each drill leaves for `npm run reliability`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';

export const STORE = 's001';
export const DOOR_TOPIC = `retail/${STORE}/door/door-1/event`;

export interface Outgoing {
  readonly id: string;
  readonly topic: string;
  readonly payload: string;
}

/** A door crossing with its own id and device time. */
export function doorCrossing(id: string, ts: number, dir: 'in' | 'out' = 'in'): Outgoing {
  return {
    id,
    topic: DOOR_TOPIC,
    payload: JSON.stringify({
      v: 1,
      type: 'door.crossing',
      id,
      ts: new Date(ts).toISOString(),
      door: 'main',
      dir,
      n: 1,
    }),
  };
}

/** A device that reconnects by itself (as real ones do) and resends what was not acknowledged. */
export async function connectDevice(port: number, clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId,
    reconnectPeriod: 200,
    connectTimeout: 5_000,
  });
  client.on('error', () => undefined);
  return client;
}

export interface PublishRun {
  /** Ids in the order their PUBACK arrived. */
  readonly acked: string[];
  /** Messages handed to the client so far. */
  readonly sent: number;
  /** Publishes mqtt.js reported failed (each was sent again). */
  readonly failed: number;
}

/**
 * Publishes `messages` at QoS1 with at most `window` unacknowledged (a device's in-flight
 * limit). `onAck` sees each PUBACK as it arrives.
 */
export function publishAll(
  client: MqttClient,
  messages: readonly Outgoing[],
  window: number,
  onAck: (id: string) => void = () => undefined,
): PublishRun {
  const run = { acked: [] as string[], sent: 0, failed: 0 };
  const send = (m: Outgoing) => {
    client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
      if (err) {
        // mqtt.js gave up on this packet (e.g. "Connection closed" for publishes queued while
        // it was resending): a device keeps the message until it is acknowledged, so send it
        // again; the gateway drops the repeat by (device, id) if it was journaled after all.
        run.failed++;
        setTimeout(() => send(m), 100);
        return;
      }
      run.acked.push(m.id);
      onAck(m.id);
      next();
    });
  };
  const next = () => {
    const m = messages[run.sent];
    if (m === undefined) return;
    run.sent++;
    send(m);
  };
  for (let i = 0; i < window; i++) next();
  return run;
}

/** How many journal rows each message id of `device` has, read through a connection of our own. */
export function journalCounts(dataDir: string, device = 'door-1'): Map<string, number> {
  const db = new Database(join(dataDir, 'gateway.db'), { fileMustExist: true, timeout: 10_000 });
  try {
    const counts = new Map<string, number>();
    const rows = db.prepare('SELECT msg_id AS id FROM journal WHERE device = ?').all(device) as { id: string }[];
    for (const { id } of rows) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  } finally {
    db.close();
  }
}

/** Acknowledged ids missing from the journal, and ids journaled more than once. */
export function audit(
  acked: Iterable<string>,
  journal: ReadonlyMap<string, number>,
): { lost: string[]; dup: string[] } {
  const lost = [...acked].filter((id) => (journal.get(id) ?? 0) < 1);
  const dup = [...journal].filter(([, n]) => n > 1).map(([id]) => id);
  return { lost, dup };
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Prometheus text and the like stay text.
  }
  return { status: res.status, body };
}

/** The value of one Prometheus series (0 when absent). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** One drill's measured outcome, for docs/reliability.md (scripts in tests/drills/reliability.ts). */
export interface DrillRecord {
  /** Row key; one file per key. */
  readonly drill: string;
  readonly what: string;
  readonly load: string;
  /** Measured numbers, named as the table shows them. */
  readonly measured: Readonly<Record<string, number | string | boolean>>;
  /** Acknowledged messages not in the journal exactly once (the number that must be 0). */
  readonly ackedLost: number;
}

/** Writes the record when the reliability script asked for records (GW_DRILL_RESULTS_DIR). */
export function recordDrill(record: DrillRecord): void {
  const dir = process.env.GW_DRILL_RESULTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${record.drill.replace(/[^a-z0-9-]+/gi, '-')}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
}
