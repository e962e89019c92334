/**
 * The demo store's clock. While the simulated day plays it runs at `speed` but never past
 * the newest device time the gateway has received: a publisher that falls behind (any
 * speed above what this machine can publish) holds the clock back instead of letting it
 * run ahead of the input. Ahead, the gateway would close sessions and hold crossings on
 * time that has not arrived yet, flag VIP arrivals as too late to push, and rewind over
 * and over when the input catches up; held back, every speed sees the input at the same
 * gateway time, so the results do not depend on the speed. Once the day is published it
 * moves on a little (sessions close, sales convert) and then runs at wall speed, so the
 * day just played stays "today".
 */
import { DeviceFollowingClock } from './infra/clock/index.js';

export class DemoClock extends DeviceFollowingClock {
  private origin: { wall: number; scenario: number; speed: number } | undefined;
  private released: { wall: number; at: number } | undefined;

  constructor(
    private readonly start: number,
    private readonly wallNow: () => number = Date.now,
  ) {
    super(start);
  }

  /** The day starts playing: `scenario` is due at wall time `wall`. */
  anchor(origin: { wall: number; scenario: number; speed: number }): void {
    this.origin = origin;
  }

  /** The day is published: from `tailMs` past the newest device time on, run at wall speed. */
  release(tailMs: number): void {
    this.released = { wall: this.wallNow(), at: this.now() + tailMs };
  }

  override now(): number {
    const released = this.released;
    if (released) return released.at + (this.wallNow() - released.wall);
    const o = this.origin;
    if (!o) return this.start;
    const due = Math.floor(o.scenario + (this.wallNow() - o.wall) * o.speed);
    return Math.min(due, super.now());
  }
}
