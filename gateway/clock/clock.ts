/**
 * The gateway's only source of "now". Correlation never reads it directly: the gateway
 * stamps rxTs with it and turns its passing into tick inputs.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that starts at `startTs` and runs `speed` times faster than real time, for
 * simulated store days (`demo --speed N`).
 */
export function virtualClock(startTs: number, speed: number, real: Clock = systemClock): Clock {
  const realStart = real.now();
  return { now: () => Math.floor(startTs + (real.now() - realStart) * speed) };
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ts: number): void {
    this.current = ts;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
