/** The per-address token bucket of mqtt.connectRate, on an injected clock. */
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConnectRateLimiter } from '../../../gateway/pipeline/broker/rate-limit.js';
import { BrokerSecurityMetrics } from '../../../gateway/pipeline/broker/security-metrics.js';

function limiter(perSecond: number, burst: number, maxTracked = 10_000) {
  const clock = { now: 0 };
  const metrics = new BrokerSecurityMetrics(new Registry());
  const rl = new ConnectRateLimiter(
    { perSecond, burst, maxTracked, now: () => clock.now },
    pino({ level: 'silent' }),
    metrics,
  );
  return { rl, clock, metrics };
}

describe('ConnectRateLimiter', () => {
  it('admits a burst per address, refills at the configured rate, and keeps addresses apart', async () => {
    const { rl, clock, metrics } = limiter(2, 3);
    expect([1, 2, 3, 4].map(() => rl.allow('10.0.0.1'))).toEqual([true, true, true, false]);
    expect(rl.allow('10.0.0.2')).toBe(true);
    clock.now = 499;
    expect(rl.allow('10.0.0.1')).toBe(false);
    clock.now = 1000; // 2 tokens per second: two more one second after the bucket emptied
    expect([1, 2, 3].map(() => rl.allow('10.0.0.1'))).toEqual([true, true, false]);
    clock.now = 60_000; // refills to the burst, never beyond
    expect([1, 2, 3, 4].map(() => rl.allow('10.0.0.1'))).toEqual([true, true, true, false]);
    expect((await metrics.connectRateLimited.get()).values[0]?.value).toBe(4);
  });

  it('tracks a bounded number of addresses (a spray of source addresses cannot grow memory)', () => {
    const { rl } = limiter(1, 1, 100);
    for (let i = 0; i < 10_000; i++) rl.allow(`10.1.${i >> 8}.${i & 255}`);
    expect((rl as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});
