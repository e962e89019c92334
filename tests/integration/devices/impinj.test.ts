/** Impinj reader: the HTTP stream client against the emulator, and the webhook handler behind a real server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handleImpinjWebhook, ImpinjStreamClient } from '../../../devices/index.js';
import { ImpinjReaderEmulator, impinjTagEvent, postImpinjWebhook } from '../../../firmware-sim/impinj/index.js';
import type { TagSeenEvent } from '../../../protocols/index.js';
import { waitFor } from '../../support/wait.js';
import { type RecordingContext, recordingContext } from '../../unit/devices/context.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const EPC_A = '3074257BF7194E4000001A85';
const EPC_B = 'E28011606000020900000001';

function seen(rec: RecordingContext): TagSeenEvent[] {
  return rec.events.filter((e): e is TagSeenEvent => e.type === 'tag.seen');
}

describe('Impinj HTTP stream client', () => {
  it('folds streamed reads per zone and reconnects when the stream goes silent', async () => {
    const reader = await ImpinjReaderEmulator.start({
      keepAliveMs: 100,
      auth: { username: 'root', password: 'impinj' },
    });
    cleanups.push(() => reader.close());
    const rec = recordingContext('impinj-1');
    const client = new ImpinjStreamClient(rec.ctx, {
      url: reader.url,
      auth: { username: 'root', password: 'impinj' },
      antennas: { '1': 'entrance', '2': 'fr-1' },
      stallMs: 600,
      flushMs: 100,
      holdMs: 300,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cleanups.push(() => client.stop());
    await client.start(new AbortController().signal);
    await waitFor(() => reader.clients === 1, 'client connected');

    const t0 = Date.parse('2026-11-23T06:12:01.000Z');
    const batch = [
      impinjTagEvent({ epc: EPC_A, antennaPort: 1, rssiDbm: -56, ts: t0 + 10 }),
      impinjTagEvent({ epc: EPC_A, antennaPort: 1, rssiDbm: -52.5, ts: t0 + 400 }, { epcHex: true }),
      impinjTagEvent({ epc: EPC_B, antennaPort: 2, rssiDbm: -61, ts: t0 + 500 }),
      impinjTagEvent({ epc: EPC_B, antennaPort: 3, rssiDbm: -61, ts: t0 + 500 }), // antenna 3 is not mapped
      {
        timestamp: '2026-11-23T06:12:01.6Z',
        eventType: 'inventoryStatus',
        inventoryStatusEvent: { status: 'running' },
      },
    ];
    reader.emit(batch);
    reader.emitRaw('{"not json\r\n');
    await waitFor(() => seen(rec).length === 2, 'two tag.seen events');
    const [a, b] = seen(rec);
    expect(a).toMatchObject({ epc: EPC_A, zone: 'entrance', count: 2, peakRssi: -52.5, ts: t0 + 10, lastTs: t0 + 400 });
    expect(b).toMatchObject({ epc: EPC_B, zone: 'fr-1', count: 1, peakRssi: -61, flags: 0 });
    expect(client.stats.unmappedReads).toBe(1);
    expect(rec.rejects.map((r) => r.code)).toEqual(['malformed-json']);

    // Keep-alives alone keep the stream alive past the stall timeout.
    await new Promise((r) => setTimeout(r, 900));
    expect(client.stats.stalls).toBe(0);
    expect(reader.connections).toBe(1);

    reader.silent = true;
    await waitFor(() => client.stats.stalls >= 1, 'stall detected', 5000);
    reader.silent = false;
    await waitFor(() => client.stats.connects >= 2 && reader.clients >= 1, 'reconnected', 5000);
    expect(rec.statuses.some((s) => s.state === 'disconnected' && (s.detail ?? '').includes('no byte'))).toBe(true);
    expect(rec.statuses.some((s) => s.state === 'connected' && s.reconnects >= 1)).toBe(true);

    reader.emit([impinjTagEvent({ epc: EPC_A, antennaPort: 2, rssiDbm: -40, ts: t0 + 5000 })]);
    await waitFor(() => seen(rec).length === 3, 'read after the reconnect');
    await client.stop();
    expect(seen(rec)[2]).toMatchObject({ epc: EPC_A, zone: 'fr-1', count: 1 });
    expect(new Set(rec.events.map((e) => e.id)).size).toBe(rec.events.length);
  });

  it('reports a wrong password as an error and retries', async () => {
    const reader = await ImpinjReaderEmulator.start({ auth: { username: 'root', password: 'impinj' } });
    cleanups.push(() => reader.close());
    const rec = recordingContext('impinj-1');
    const client = new ImpinjStreamClient(rec.ctx, {
      url: reader.url,
      auth: { username: 'root', password: 'wrong' },
      antennas: { '1': 'entrance' },
      backoff: { initialMs: 50, maxMs: 100 },
    });
    cleanups.push(() => client.stop());
    await client.start(new AbortController().signal);
    await waitFor(() => rec.statuses.filter((s) => s.state === 'error').length >= 2, 'two failed attempts');
    expect(rec.statuses.find((s) => s.state === 'error')?.detail).toMatch(/HTTP 401.*password/);
  });
});

describe('Impinj webhook', () => {
  async function ingestServer(rec: RecordingContext): Promise<{ url: string; server: Server }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void handleImpinjWebhook(Buffer.concat(chunks), rec.ctx, { '1': 'entrance', '2': 'fr-1' }).then((r) => {
          if (r.status === 204) res.writeHead(204).end();
          else res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: r.error }));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/api/v1/ingest/impinj/impinj-1`, server };
  }

  it('answers bad JSON with 400 and a code, and keeps the good events of a partly bad batch', async () => {
    const rec = recordingContext('impinj-1');
    const { url } = await ingestServer(rec);
    const t0 = Date.parse('2026-11-23T06:12:01.000Z');

    const bad = await postImpinjWebhook(url, '[{"timestamp": "2026-11-23T06:12:01Z", "eventType": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'malformed-json' } });

    const good = impinjTagEvent({ epc: EPC_A, antennaPort: 1, rssiDbm: -50, ts: t0 });
    const batch = [
      good,
      { eventType: 'tagInventory', tagInventoryEvent: { antennaPort: 1 } }, // no EPC, no time
      impinjTagEvent({ epc: EPC_B, antennaPort: 2, rssiDbm: -60, ts: t0 + 200 }),
      'not an event',
    ];
    const partly = await postImpinjWebhook(url, batch);
    expect(partly.status).toBe(204);
    expect(seen(rec).map((e) => [e.epc, e.zone])).toEqual([
      [EPC_A, 'entrance'],
      [EPC_B, 'fr-1'],
    ]);
    expect(rec.rejects.map((r) => r.code)).toEqual(['malformed-json', 'schema', 'schema']);

    // The reader retrying the same batch gives the same ids: the gateway's dedupe drops it.
    await postImpinjWebhook(url, batch);
    const ids = seen(rec).map((e) => e.id);
    expect(ids.slice(2)).toEqual(ids.slice(0, 2));

    const allBad = await postImpinjWebhook(url, [{ eventType: 'tagInventory' }]);
    expect(allBad.status).toBe(400);
    expect(JSON.parse(allBad.body)).toMatchObject({ error: { code: 'schema' } });
  });
});
