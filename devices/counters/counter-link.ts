/**
 * Link state and clock of a network people counter: status objects only when something
 * changed (state, detail), reconnects counted, and a `device.status` event now and then
 * that carries the camera's clock, so device health shows its skew like any device's.
 */
import { type DeviceStatusEvent, isTimeZone } from '../../protocols/index.js';
import { DriverConfigError } from '../errors.js';
import { type DriverContext, type SourceState, sourceStatus } from '../source.js';

export function checkTimeZone(device: string, zone: string): void {
  if (!isTimeZone(zone))
    throw new DriverConfigError(`people counter ${device}: unknown time zone ${JSON.stringify(zone)}`);
}

export class CounterLink {
  readonly #ctx: DriverContext;
  readonly #label: string;
  readonly #everyMs: number;
  #state: SourceState = 'connecting';
  #detail: string | undefined;
  #everConnected = false;
  #reconnects = 0;
  #deviceTs: number | undefined;
  #rxTs = 0;
  #fw = '';
  #connectedAt = 0;
  #lastHeartbeat = Number.NEGATIVE_INFINITY;
  #seq = 0;

  constructor(ctx: DriverContext, label: string, statusEveryMs: number) {
    this.#ctx = ctx;
    this.#label = label;
    this.#everyMs = statusEveryMs;
  }

  get state(): SourceState {
    return this.#state;
  }

  get detail(): string | undefined {
    return this.#detail;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /** The camera's clock now, estimated from its last message (undefined before one). */
  deviceNow(rxTs: number): number | undefined {
    return this.#deviceTs === undefined ? undefined : this.#deviceTs + (rxTs - this.#rxTs);
  }

  set(state: SourceState, detail?: string): void {
    if (state === 'connected' && this.#state !== 'connected') {
      if (this.#everConnected) this.#reconnects++;
      this.#everConnected = true;
      this.#connectedAt = this.#ctx.clock.now();
    }
    if (state === this.#state && detail === this.#detail) return;
    this.#state = state;
    this.#detail = detail;
    this.#ctx.status(sourceStatus(state, this.#reconnects, detail));
  }

  /** A good message from the camera: connected, its clock and what to show. */
  seen(deviceTs: number, rxTs: number, detail: string | undefined, fw?: string): void {
    this.#deviceTs = deviceTs;
    this.#rxTs = rxTs;
    if (fw) this.#fw = fw;
    this.set('connected', detail ?? this.#detail);
  }

  /** A `device.status` event when one is due (at the first message, then every statusEveryMs). */
  heartbeat(rxTs: number): DeviceStatusEvent | undefined {
    const ts = this.deviceNow(rxTs);
    if (ts === undefined || rxTs - this.#lastHeartbeat < this.#everyMs) return undefined;
    this.#lastHeartbeat = rxTs;
    return Object.freeze({
      type: 'device.status',
      device: this.#ctx.device,
      id: `status:${rxTs}:${this.#seq++}`,
      ts: Math.round(ts),
      rxTs,
      flags: 0,
      uptime: Math.max(0, Math.round((rxTs - this.#connectedAt) / 1000)),
      fw: `${this.#label} ${this.#fw}`.trim().slice(0, 64),
    });
  }
}
