/**
 * Nothing acknowledged is ever lost: the gateway runs as a child process (the real CLI),
 * a client publishes QoS1 continuously and records every PUBACK, then the gateway is
 * killed with SIGKILL — or stopped with SIGTERM — mid-stream. Every acknowledged message
 * must be in the journal exactly once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const TOPIC = 'retail/s001/door/door-1/event';

/** Publishes door crossings as fast as acks come back (up to `inFlight` outstanding) until stopped. */
function publishContinuously(client: MqttClient, prefix: string, inFlight = 200) {
  const acked: string[] = [];
  let sent = 0;
  let stopped = false;
  let failures = 0;
  const sendOne = () => {
    if (stopped || !client.connected) return;
    const id = `${prefix}-${sent++}`;
    const payload = JSON.stringify({
      v: 1,
      type: 'door.crossing',
      id,
      ts: new Date().toISOString(),
      door: 'main',
      dir: 'in',
      n: 1,
    });
    client.publish(TOPIC, payload, { qos: 1 }, (err) => {
      if (err) failures++;
      else acked.push(id);
      sendOne();
    });
  };
  for (let i = 0; i < inFlight; i++) sendOne();
  return {
    acked,
    stop: () => {
      stopped = true;
    },
    get sent() {
      return sent;
    },
    get failures() {
      return failures;
    },
  };
}

function journalIds(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  try {
    const counts = new Map<string, number>();
    for (const row of db.prepare("SELECT msg_id AS id FROM journal WHERE device = 'door-1'").all() as {
      id: string;
    }[]) {
      counts.set(row.id, (counts.get(row.id) ?? 0) + 1);
    }
    return counts;
  } finally {
    db.close();
  }
}

describe('durability of acknowledged messages', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(dataDir: string): Promise<GatewayProcess> {
    const gw = await startGatewayProcess(dataDir);
    cleanups.push(() => {
      if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
    });
    return gw;
  }

  async function connect(port: number, clientId: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0 });
    client.on('error', () => undefined);
    cleanups.push(() => {
      client.end(true);
    });
    return client;
  }

  it('kill -9 mid-stream loses nothing acknowledged, and a restart serves the same journal', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const gw = await start(dir.path);
    const client = await connect(gw.mqttPort, 'crash-publisher');
    const run = publishContinuously(client, 'k');
    await waitFor(() => run.acked.length >= 3000, '3000 acknowledged messages', 60_000);
    gw.child.kill('SIGKILL');
    await gw.exited;
    run.stop();
    const ackedAtKill = [...run.acked];
    expect(run.sent).toBeGreaterThan(ackedAtKill.length); // messages were in flight when it died

    const journal = journalIds(dir.path);
    for (const id of ackedAtKill) expect(journal.get(id)).toBe(1);
    for (const count of journal.values()) expect(count).toBe(1);

    // Restart on the same data: it recovers, accepts more, and keeps everything once.
    const again = await start(dir.path);
    const client2 = await connect(again.mqttPort, 'crash-publisher-2');
    await client2.publishAsync(
      TOPIC,
      JSON.stringify({
        v: 1,
        type: 'door.crossing',
        id: 'after-restart',
        ts: new Date().toISOString(),
        door: 'main',
        dir: 'in',
        n: 1,
      }),
      { qos: 1 },
    );
    // Re-sending an acknowledged message (a device retrying) is a duplicate, not a second row.
    const first = ackedAtKill[0] as string;
    await client2.publishAsync(
      TOPIC,
      JSON.stringify({
        v: 1,
        type: 'door.crossing',
        id: first,
        ts: new Date().toISOString(),
        door: 'main',
        dir: 'in',
        n: 1,
      }),
      { qos: 1 },
    );
    const after = journalIds(dir.path);
    expect(after.get('after-restart')).toBe(1);
    expect(after.get(first)).toBe(1);
    expect(after.size).toBe(journal.size + 1);
  });

  it('SIGTERM under load acknowledges only what it journaled and exits cleanly', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const gw = await start(dir.path);
    const client = await connect(gw.mqttPort, 'term-publisher');
    const run = publishContinuously(client, 't');
    await waitFor(() => run.acked.length >= 2000, '2000 acknowledged messages', 60_000);
    gw.child.kill('SIGTERM');
    const code = await gw.exited;
    run.stop();
    // Exit code 0 means shutdown finished inside its 2 s deadline (the deadline exits 3).
    expect(code).toBe(0);
    const journal = journalIds(dir.path);
    for (const id of run.acked) expect(journal.get(id)).toBe(1);
  });
});
