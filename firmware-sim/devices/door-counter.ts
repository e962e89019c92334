/**
 * An MQTT people counter over a door: one `door.crossing` per detected pass and periodic
 * cumulative `door.totals`. Totals restart from zero with a new boot id after a reboot,
 * which is how the gateway recognises a restart.
 */
import { type DoorCrossingMsg, type DoorTotalsMsg, topics } from '../../protocols/index.js';
import { DeviceSim, type DeviceSimOptions, type SimMessage } from './device-sim.js';

export interface DoorCounterSimOptions extends DeviceSimOptions {
  /** Door name as configured in the gateway (`devices.<id>.door`). */
  readonly door: string;
}

export class DoorCounterSim extends DeviceSim {
  readonly door: string;
  private totalIn = 0;
  private totalOut = 0;

  constructor(options: DoorCounterSimOptions) {
    super(options);
    this.door = options.door;
  }

  get totals(): { readonly totalIn: number; readonly totalOut: number } {
    return { totalIn: this.totalIn, totalOut: this.totalOut };
  }

  /** `n` people passed together in direction `dir`. */
  crossing(at: number, dir: 'in' | 'out', n = 1): SimMessage<DoorCrossingMsg> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`crossing count must be a positive integer: ${n}`);
    if (dir === 'in') this.totalIn += n;
    else this.totalOut += n;
    return {
      topic: topics.doorEvent(this.store, this.device),
      payload: { v: 1, type: 'door.crossing', id: this.nextId(), ts: this.time(at), door: this.door, dir, n },
    };
  }

  totalsMessage(at: number): SimMessage<DoorTotalsMsg> {
    return {
      topic: topics.doorEvent(this.store, this.device),
      payload: {
        v: 1,
        type: 'door.totals',
        id: this.nextId(),
        ts: this.time(at),
        door: this.door,
        totalIn: this.totalIn,
        totalOut: this.totalOut,
        boot: this.boot,
      },
    };
  }

  override restart(at: number, boot: string): void {
    super.restart(at, boot);
    this.totalIn = 0;
    this.totalOut = 0;
  }
}
