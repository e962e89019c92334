/** EventOutbox, TagFolder, Backoff: the shared plumbing of the drivers. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Backoff, EventOutbox, parseAntennaMap, TagFolder } from '../../../devices/index.js';
import type { DeviceEvent, TagSeenEvent } from '../../../protocols/index.js';
import { recordingContext } from './context.js';

const log = pino({ level: 'silent' });

function crossing(id: string): DeviceEvent {
  return { type: 'door.crossing', device: 'd', id, ts: 1, rxTs: 1, flags: 2, door: 'main', zone: 'z', dir: 'in', n: 1 };
}

describe('EventOutbox', () => {
  it('sends a failed batch again with the same ids, in order', async () => {
    const rec = recordingContext('d');
    const outbox = new EventOutbox(rec.ctx, log, { retryMs: 10 });
    rec.failNext(2);
    outbox.push([crossing('1'), crossing('2')]);
    outbox.push([crossing('3')]);
    expect(await outbox.drain(2000)).toBe(true);
    expect(rec.events.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(outbox.stats).toMatchObject({ sent: 3, failedBatches: 2, dropped: 0, pending: 0 });
    expect(rec.events.every((e) => Object.isFrozen(e))).toBe(true);
    outbox.close();
  });

  it('bounds its backlog and survives a sink that throws or answers twice', async () => {
    let calls = 0;
    const got: DeviceEvent[] = [];
    const rec = recordingContext('d');
    const outbox = new EventOutbox(
      {
        ...rec.ctx,
        emit(events, done) {
          calls++;
          if (calls === 1) throw new Error('sink exploded');
          got.push(...events);
          done();
          done();
        },
      },
      log,
      { retryMs: 5, maxPending: 3 },
    );
    outbox.push([crossing('a'), crossing('b'), crossing('c'), crossing('d'), crossing('e')]);
    expect(await outbox.drain(2000)).toBe(true);
    // The first batch (a–e, capped to c–e once it failed) came back and was sent once.
    expect(got.map((e) => e.id)).toEqual(['c', 'd', 'e']);
    expect(outbox.stats.dropped).toBe(2);
    outbox.close();
  });
});

describe('TagFolder', () => {
  it('folds receive-stamped reads once their second is over', async () => {
    const rec = recordingContext('r');
    const outbox = new EventOutbox(rec.ctx, log);
    const folder = new TagFolder(outbox, { device: 'r', idPrefix: 'p', flags: 2, deviceTime: false });
    folder.add({ epc: 'e2801160', zone: 'fr-1', rssi: -60, ts: 10_100 }, 10_100);
    folder.add({ epc: 'E2801160', zone: 'fr-1', rssi: -50, ts: 10_900 }, 10_900);
    folder.add({ epc: 'E2801160', zone: 'fr-1', rssi: -55, ts: 11_050 }, 11_050);
    folder.flush(10_999);
    expect(folder.held).toBe(3);
    folder.flush(11_100);
    expect(folder.held).toBe(1);
    folder.flush(11_100, true);
    await outbox.drain(1000);
    const seen = rec.events as TagSeenEvent[];
    expect(seen.map((e) => [e.id, e.epc, e.count, e.peakRssi, e.ts, e.lastTs])).toEqual([
      ['p-0#0', 'E2801160', 2, -50, 10_100, 10_900],
      ['p-1#0', 'E2801160', 1, -55, 11_050, 11_050],
    ]);
  });

  it('with device time, closes a second when a later one shows up or after holdMs', async () => {
    const rec = recordingContext('r');
    const outbox = new EventOutbox(rec.ctx, log);
    const folder = new TagFolder(outbox, { device: 'r', idPrefix: 'p', flags: 0, deviceTime: true, holdMs: 500 });
    folder.add({ epc: 'AA', zone: 'z', rssi: -60, ts: 5_000 }, 90_000);
    folder.flush(90_100);
    expect(folder.held).toBe(1);
    folder.add({ epc: 'AA', zone: 'z', rssi: -60, ts: 6_000 }, 90_200);
    folder.flush(90_300);
    expect(folder.held).toBe(1);
    folder.flush(90_700);
    expect(folder.held).toBe(0);
    await outbox.drain(1000);
    expect(rec.events).toHaveLength(2);
  });
});

describe('parseAntennaMap', () => {
  it('keeps ports in range and names the bad keys', () => {
    const { map, bad } = parseAntennaMap({ '1': 'a', '4': 'b', '5': 'c', x: 'd', '0': 'e' }, 1, 4);
    expect([...map]).toEqual([
      [1, 'a'],
      [4, 'b'],
    ]);
    expect(bad).toEqual(['0', '5', 'x']);
  });
});

describe('Backoff', () => {
  it('grows by its factor up to the cap and starts over after a reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
