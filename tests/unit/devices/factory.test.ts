/** Config → Source, and the Source lifecycle rules every driver shares. */
import { describe, expect, it } from 'vitest';
import {
  BeamCounter,
  createDeviceSource,
  ImpinjStreamClient,
  R2000Reader,
  SerialDoorCounter,
} from '../../../devices/index.js';
import { recordingContext } from './context.js';

describe('createDeviceSource', () => {
  it('builds the driver for each serial and gpio device kind, without I/O', () => {
    const { ctx } = recordingContext('dev');
    expect(
      createDeviceSource(ctx, {
        kind: 'door-counter',
        transport: 'serial',
        path: '/dev/ttyUSB0',
        baudRate: 9600,
        door: 'side',
        zone: 'entrance',
      }),
    ).toBeInstanceOf(SerialDoorCounter);
    expect(
      createDeviceSource(ctx, {
        kind: 'door-counter',
        transport: 'gpio',
        pins: { a: 17, b: 27 },
        door: 'back',
        zone: 'entrance',
      }),
    ).toBeInstanceOf(BeamCounter);
    expect(
      createDeviceSource(ctx, {
        kind: 'rfid-reader',
        transport: 'serial',
        path: '/dev/ttyUSB1',
        antennas: { '1': 'fr-1' },
      }),
    ).toBeInstanceOf(R2000Reader);
  });
});

describe('Source lifecycle', () => {
  it('is single use, stops idempotently, and stops when the start signal aborts', async () => {
    const rec = recordingContext('impinj-1');
    const client = new ImpinjStreamClient(rec.ctx, { url: 'http://127.0.0.1:9', antennas: { '1': 'entrance' } });
    const ac = new AbortController();
    await client.start(ac.signal);
    await expect(client.start(ac.signal)).rejects.toMatchObject({ code: 'source-state' });
    ac.abort();
    await client.stop();
    await client.stop();
    expect(rec.statuses.at(-1)).toMatchObject({ state: 'disconnected', detail: 'stopped' });
  });

  it('rejects a configuration it cannot run at start, not at construction', async () => {
    const rec = recordingContext('impinj-1');
    const client = new ImpinjStreamClient(rec.ctx, { url: 'ftp://reader', antennas: {} });
    await expect(client.start(new AbortController().signal)).rejects.toMatchObject({
      name: 'DriverConfigError',
      code: 'device-config',
    });
  });
});
