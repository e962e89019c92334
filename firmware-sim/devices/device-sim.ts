/**
 * What every simulated device shares: message ids that stay unique across restarts, device
 * time in RFC 3339, and `device.status` heartbeats. Simulators never read a clock: the caller
 * passes the (simulated) time of every message.
 */
import { type DeviceMessage, type DeviceStatusMsg, topics } from '../../protocols/index.js';
import { rfc3339, SECOND } from '../time.js';

/** One wire message: the topic and the payload exactly as it is serialised. */
export interface SimMessage<T extends DeviceMessage = DeviceMessage> {
  readonly topic: string;
  readonly payload: T;
}

export interface DeviceSimOptions {
  readonly store: string;
  readonly device: string;
  /** Firmware version reported in heartbeats. */
  readonly fw: string;
  /** Boot id: prefixes every message id, so ids stay unique after a restart. */
  readonly boot: string;
  /** When the device booted (epoch ms), for `uptime`. */
  readonly bootedAt: number;
  /** UTC offset of the device clock's RFC 3339 output; 0 writes `Z`. */
  readonly tsOffsetMinutes?: number;
}

export interface StatusExtras {
  readonly battery?: number;
  readonly errors?: number | readonly string[];
}

export abstract class DeviceSim {
  readonly store: string;
  readonly device: string;
  readonly fw: string;
  protected boot: string;
  protected bootedAt: number;
  protected readonly tsOffsetMinutes: number;
  private seq = 0;

  constructor(options: DeviceSimOptions) {
    this.store = options.store;
    this.device = options.device;
    this.fw = options.fw;
    this.boot = options.boot;
    this.bootedAt = options.bootedAt;
    this.tsOffsetMinutes = options.tsOffsetMinutes ?? 0;
  }

  get bootId(): string {
    return this.boot;
  }

  /** The device reboots: a new boot id, uptime from zero; subclasses reset their counters. */
  restart(at: number, boot: string): void {
    if (boot === this.boot) throw new RangeError(`restart needs a new boot id, got ${boot} again`);
    this.boot = boot;
    this.bootedAt = at;
    this.seq = 0;
  }

  status(at: number, extras: StatusExtras = {}): SimMessage<DeviceStatusMsg> {
    const payload: DeviceStatusMsg = {
      v: 1,
      type: 'device.status',
      id: this.nextId(),
      ts: this.time(at),
      uptime: Math.max(0, Math.floor((at - this.bootedAt) / SECOND)),
      fw: this.fw,
    };
    if (extras.battery !== undefined) payload.battery = extras.battery;
    if (extras.errors !== undefined) {
      payload.errors = typeof extras.errors === 'number' ? extras.errors : [...extras.errors];
    }
    return { topic: topics.deviceStatus(this.store, this.device), payload };
  }

  protected nextId(): string {
    this.seq += 1;
    return `${this.boot}-${String(this.seq).padStart(6, '0')}`;
  }

  protected time(at: number): string {
    return rfc3339(at, this.tsOffsetMinutes);
  }
}
