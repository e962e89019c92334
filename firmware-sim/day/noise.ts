/**
 * Background RFID traffic that must NOT become try-on sessions: stock on racks beside the
 * fitting rooms read weakly (below the rooms' rssiMin) all day, and stock on the shop floor
 * read by the floor antenna.
 */
import { demoAntennas, demoRoomRssiMin } from '../demo-store.js';
import type { Rng } from '../prng.js';
import { SECOND } from '../time.js';
import type { EpcMint, StoreCatalog } from './catalog.js';
import type { DayClock, PlannedRead } from './types.js';

export function planNoise(rng: Rng, clock: DayClock, catalog: StoreCatalog, mint: EpcMint): PlannedRead[] {
  const reads: PlannedRead[] = [];
  const racks = demoAntennas.rooms.map((room) => ({
    ant: room.ant,
    tags: [mint.mint(rng.pick(catalog.tryable)), mint.mint(rng.pick(catalog.tryable))],
  }));
  const floorStock = Array.from({ length: 60 }, () => mint.mint(rng.pick(catalog.products)));

  // Rack stock next to a room: weak reads in the room's zone, stronger on the floor antenna.
  for (let t = clock.dayStart + rng.int(0, 30 * SECOND); t < clock.dayEnd; t += rng.int(20 * SECOND, 90 * SECOND)) {
    const rack = rng.pick(racks);
    const epc = rng.pick(rack.tags);
    const sec = Math.floor(t / SECOND) * SECOND;
    for (let k = rng.int(1, 2); k > 0; k--) {
      reads.push({ epc, ant: rack.ant, rssi: rng.int(-80, demoRoomRssiMin - 2), at: sec + rng.int(0, 999) });
    }
    if (rng.chance(0.6))
      reads.push({ epc, ant: demoAntennas.floor, rssi: rng.int(-66, -55), at: sec + rng.int(0, 999) });
  }
  // Customers handling stock on the floor.
  for (let t = clock.open + rng.int(0, 30 * SECOND); t < clock.close; t += rng.int(20 * SECOND, 60 * SECOND)) {
    const epc = rng.pick(floorStock);
    const sec = Math.floor(t / SECOND) * SECOND;
    for (let k = rng.int(1, 3); k > 0; k--) {
      reads.push({ epc, ant: demoAntennas.floor, rssi: rng.int(-68, -52), at: sec + rng.int(0, 999) });
    }
  }
  return reads;
}
