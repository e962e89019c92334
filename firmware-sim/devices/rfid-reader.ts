/**
 * A fixed UHF reader in the native MQTT format: it buffers tag reads and publishes them in
 * batches (`rfid.reads`), each read keeping its own antenna, RSSI and time.
 */
import { type RfidReadsMsg, topics } from '../../protocols/index.js';
import { DeviceSim, type SimMessage } from './device-sim.js';

/** A read as the simulation knows it: time as epoch ms. */
export interface SimTagRead {
  readonly epc: string;
  readonly ant: number;
  readonly rssi: number;
  readonly at: number;
}

/** The schema's cap on reads per message. */
export const MAX_READS_PER_MESSAGE = 5000;

export class RfidReaderSim extends DeviceSim {
  /** One `rfid.reads` message sent at `at` carrying `reads` (at most 5000). */
  reads(at: number, reads: readonly SimTagRead[]): SimMessage<RfidReadsMsg> {
    if (reads.length > MAX_READS_PER_MESSAGE) {
      throw new RangeError(`a batch holds at most ${MAX_READS_PER_MESSAGE} reads, got ${reads.length}`);
    }
    return {
      topic: topics.rfidReads(this.store, this.device),
      payload: {
        v: 1,
        type: 'rfid.reads',
        id: this.nextId(),
        ts: this.time(at),
        reads: reads.map((r) => ({ epc: r.epc, ant: r.ant, rssi: r.rssi, ts: this.time(r.at) })),
      },
    };
  }
}
