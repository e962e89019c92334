/**
 * The gateway's only source of "now". Correlation never reads it directly: the gateway
 * stamps rxTs with it and turns its passing into tick inputs.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

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

/**
 * A clock that follows the devices: it stands at the newest device time received so far.
 * For replaying a recorded or simulated day into a real gateway process as fast as it can
 * take it (`GW_CLOCK=follow-devices`): receive times then follow the day as the devices
 * lived it, so the results equal a run at wall-clock speed. Never for a live store.
 */
export class DeviceFollowingClock implements Clock {
  private latest: number;
  constructor(start = 0) {
    this.latest = start;
  }
  now(): number {
    return this.latest;
  }
  observe(deviceTs: number): void {
    if (deviceTs > this.latest) this.latest = deviceTs;
  }
}

export function isDeviceFollowing(clock: Clock): clock is DeviceFollowingClock {
  return clock instanceof DeviceFollowingClock;
}
