/** R2000 reader driver against the reader emulator over a real pty pair (socat). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { R2000Reader } from '../../../devices/index.js';
import { type EmulatedTag, PtyPair, R2000Emulator } from '../../../firmware-sim/serial/index.js';
import type { TagSeenEvent } from '../../../protocols/index.js';
import { waitFor } from '../../support/wait.js';
import { recordingContext } from '../../unit/devices/context.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-r2000-'));
  const pair = await PtyPair.open({ a: join(dir, 'reader'), b: join(dir, 'gateway') });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => pair.close());
  return pair;
}

function epc(i: number): string {
  return `E280116060000209${i.toString(16).toUpperCase().padStart(8, '0')}`;
}

function tagEvents(events: readonly { type: string }[]): TagSeenEvent[] {
  return events.filter((e): e is TagSeenEvent => e.type === 'tag.seen');
}

describe('R2000 reader over a pty', () => {
  it('polls 3 antennas and reports 200 tags per zone exactly', async () => {
    const pair = await rig();
    const emu = await R2000Emulator.open({ path: pair.a, address: 1, garbageEvery: 97 });
    cleanups.push(() => emu.close());
    // 200 tags: 70 in fr-1, 70 in fr-2, 60 at the entrance; 10 of fr-2's also cross-read by fr-1.
    const placement = new Map<number, EmulatedTag[]>([
      [1, []],
      [2, []],
      [3, []],
    ]);
    for (let i = 0; i < 200; i++) {
      const ant = i < 70 ? 1 : i < 140 ? 2 : 3;
      placement.get(ant)?.push({ epc: epc(i), rssiDbm: -45 - (i % 30) });
      if (ant === 2 && i < 80) placement.get(1)?.push({ epc: epc(i), rssiDbm: -75 });
    }
    for (const [ant, tags] of placement) emu.setTags(ant, tags);
    emu.setTags(4, [{ epc: epc(999), rssiDbm: -50 }]); // antenna 4 is not configured: never polled

    const rec = recordingContext('r2000-1');
    const reader = new R2000Reader(rec.ctx, {
      path: pair.b,
      address: 1,
      antennas: { '1': 'fr-1', '2': 'fr-2', '3': 'entrance' },
      flushMs: 200,
    });
    cleanups.push(() => reader.stop());
    await reader.start(new AbortController().signal);
    await waitFor(() => reader.stats.rounds >= 30, '30 inventory rounds', 15_000);
    await new Promise((r) => setTimeout(r, 1500)); // across a few second boundaries
    await reader.stop();
    await emu.idle();

    const zoneOf: Record<number, string> = { 1: 'fr-1', 2: 'fr-2', 3: 'entrance' };
    // Expected: what the reader sent, per (zone, epc).
    const want = new Map<string, number>();
    for (const [key, n] of emu.sentReads()) {
      const [ant = '', id = ''] = key.split('|');
      want.set(`${zoneOf[Number(ant)]}|${id}`, n);
    }
    const got = new Map<string, number>();
    const peak = new Map<string, number>();
    const events = tagEvents(rec.events);
    for (const e of events) {
      const k = `${e.zone}|${e.epc}`;
      got.set(k, (got.get(k) ?? 0) + e.count);
      peak.set(k, Math.max(peak.get(k) ?? -999, e.peakRssi));
      expect(e.lastTs).toBeGreaterThanOrEqual(e.ts);
      expect(Math.floor(e.ts / 1000)).toBe(Math.floor(e.lastTs / 1000));
      expect(e.flags & 2).toBe(2);
    }
    expect(got).toEqual(want);
    for (const zone of ['fr-1', 'fr-2', 'entrance']) {
      const epcs = new Set([...got.keys()].filter((k) => k.startsWith(`${zone}|`)));
      expect(epcs.size).toBe(zone === 'fr-1' ? 80 : zone === 'fr-2' ? 70 : 60);
    }
    for (const [ant, tags] of placement) {
      for (const t of tags) expect(peak.get(`${zoneOf[ant]}|${t.epc}`)).toBe(t.rssiDbm);
    }
    // One event per (epc, zone, second) at most.
    const keys = events.map((e) => `${e.zone}|${e.epc}|${Math.floor(e.ts / 1000)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(reader.stats.unmappedReads).toBe(0);
    expect(reader.stats.rejected['bad-frame'] ?? 0).toBeGreaterThan(0); // the injected garbage
    expect(reader.stats.reads).toBe([...want.values()].reduce((a, b) => a + b, 0));
  });

  it('goes on polling past an antenna without its cable and reopens a silent port', async () => {
    const pair = await rig();
    const emu = await R2000Emulator.open({ path: pair.a });
    cleanups.push(() => emu.close());
    emu.setTags(1, [{ epc: epc(1), rssiDbm: -50 }]);
    emu.setTags(2, [{ epc: epc(2), rssiDbm: -50 }]);
    emu.setMissing(2, true);
    const rec = recordingContext('r2000-1');
    const reader = new R2000Reader(rec.ctx, {
      path: pair.b,
      antennas: { '1': 'fr-1', '2': 'fr-2' },
      ackTimeoutMs: 200,
      roundTimeoutMs: 300,
      maxMissed: 2,
      flushMs: 100,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cleanups.push(() => reader.stop());
    await reader.start(new AbortController().signal);
    await waitFor(() => reader.stats.rounds >= 5 && reader.stats.readerErrors >= 5, 'rounds and antenna errors');
    emu.silent = true;
    await waitFor(() => reader.stats.reconnects >= 1, 'reopen after silence', 10_000);
    emu.silent = false;
    emu.setMissing(2, false);
    const before = reader.stats.rounds;
    await waitFor(() => reader.stats.rounds >= before + 5, 'polling again', 10_000);
    await waitFor(() => tagEvents(rec.events).some((e) => e.zone === 'fr-2'), 'fr-2 tag seen', 5000);
    await reader.stop();
    expect(reader.stats.timeouts).toBeGreaterThanOrEqual(2);
    expect(tagEvents(rec.events).every((e) => (e.zone === 'fr-1' ? e.epc === epc(1) : e.epc === epc(2)))).toBe(true);
  });

  it('refuses antennas it cannot select', async () => {
    const rec = recordingContext('r2000-1');
    const reader = new R2000Reader(rec.ctx, { path: '/nonexistent', antennas: { '5': 'fr-1' } });
    await expect(reader.start(new AbortController().signal)).rejects.toMatchObject({ code: 'device-config' });
    await reader.stop();
  });
});
