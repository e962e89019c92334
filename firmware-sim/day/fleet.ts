/**
 * The store's devices over the day: the simulators with their boot ids, 60 s heartbeats,
 * periodic door totals, and the day's incidents (the entrance counter reboots once; the
 * second till loses its network for a while and flushes its receipts when it is back).
 */
import { demoStore } from '../demo-store.js';
import { DoorCounterSim, MemberAppSim, PosSim, RfidReaderSim } from '../devices/index.js';
import type { Rng } from '../prng.js';
import { DAY, HOUR, MINUTE, SECOND } from '../time.js';
import type { DayClock } from './types.js';

export interface Incidents {
  /** door-1 goes down at `from` and is back, with a new boot id, at `to`. */
  readonly doorReboot: { readonly device: string; readonly from: number; readonly to: number; readonly boot: string };
  /** pos-2 is offline; receipts made meanwhile are sent when it is back. */
  readonly tillOffline: { readonly device: string; readonly from: number; readonly to: number };
}

export interface Fleet {
  readonly entrance: DoorCounterSim;
  readonly street: DoorCounterSim;
  readonly reader: RfidReaderSim;
  readonly tills: ReadonlyMap<string, PosSim>;
  readonly app: MemberAppSim;
}

export const DEVICE_IDS = {
  entrance: 'door-1',
  street: 'street-1',
  reader: 'rfid-fr',
  tills: ['pos-1', 'pos-2'],
  app: 'app',
} as const;

export function planIncidents(rng: Rng, clock: DayClock): Incidents {
  const reboot = clock.midnight + 15 * HOUR + rng.int(0, 60 * MINUTE);
  const offline = clock.midnight + 16 * HOUR + rng.int(0, 20 * MINUTE);
  return {
    doorReboot: { device: DEVICE_IDS.entrance, from: reboot, to: reboot + 20 * SECOND, boot: rng.hex(8).toLowerCase() },
    tillOffline: { device: DEVICE_IDS.tills[1], from: offline, to: offline + 18 * MINUTE },
  };
}

export function buildFleet(rng: Rng, clock: DayClock): Fleet {
  const store = demoStore.store.id;
  const booted = () => ({
    boot: rng.hex(8).toLowerCase(),
    bootedAt: clock.midnight - rng.int(2 * DAY, 30 * DAY) + rng.int(0, DAY),
  });
  const doorCfg = (device: string) => {
    const d = demoStore.devices[device];
    if (d?.kind !== 'door-counter') throw new Error(`demo store has no door counter ${device}`);
    return d.door;
  };
  return {
    entrance: new DoorCounterSim({
      store,
      device: DEVICE_IDS.entrance,
      door: doorCfg(DEVICE_IDS.entrance),
      fw: 'pc-door 3.2.1',
      ...booted(),
    }),
    street: new DoorCounterSim({
      store,
      device: DEVICE_IDS.street,
      door: doorCfg(DEVICE_IDS.street),
      fw: 'pc-door 3.2.1',
      ...booted(),
    }),
    reader: new RfidReaderSim({ store, device: DEVICE_IDS.reader, fw: 'uhf-gw 2.8.0', ...booted() }),
    tills: new Map(
      DEVICE_IDS.tills.map((device) => [
        device,
        new PosSim({
          store,
          device,
          fw: 'till 5.14.2',
          currency: demoStore.store.currency,
          tsOffsetMinutes: clock.offsetMinutes,
          ...booted(),
        }),
      ]),
    ),
    app: new MemberAppSim({ store, device: DEVICE_IDS.app, fw: 'member-bridge 1.6.0', ...booted() }),
  };
}

/** Every `every` ms from a random phase in the first period, within [from, to). */
export function ticks(rng: Rng, from: number, to: number, every: number): number[] {
  const out: number[] = [];
  for (let t = from + rng.int(0, every - 1); t < to; t += every) out.push(t);
  return out;
}
