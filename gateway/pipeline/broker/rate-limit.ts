/**
 * New-connection rate limit per remote address (`mqtt.connectRate`): one token bucket per
 * address, checked when the TCP/TLS/WebSocket connection is accepted, before any MQTT byte
 * is parsed or any scrypt hash computed, so a reconnect storm or a password-guessing loop
 * costs the gateway almost nothing. A refused connection is closed without a CONNACK.
 */
import type { Logger } from 'pino';
import type { BrokerSecurityMetrics } from './security-metrics.js';

interface Bucket {
  tokens: number;
  at: number;
  /** Refusals not yet logged (one log line per address per `logEveryMs`). */
  refused: number;
  loggedAt: number;
}

export interface ConnectRateOptions {
  readonly perSecond: number;
  readonly burst: number;
  /** Addresses tracked at once; beyond, full (idle) buckets are forgotten first. */
  readonly maxTracked?: number;
  readonly logEveryMs?: number;
  readonly now?: () => number;
}

export class ConnectRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxTracked: number;
  private readonly logEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: ConnectRateOptions,
    private readonly log: Logger,
    private readonly metrics: BrokerSecurityMetrics,
  ) {
    this.maxTracked = options.maxTracked ?? 10_000;
    this.logEveryMs = options.logEveryMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes a token for `address`; false (counted and logged) when its bucket is empty. */
  allow(address: string | undefined): boolean {
    const key = address ?? 'unknown';
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.makeRoom(now);
      bucket = { tokens: this.options.burst, at: now, refused: 0, loggedAt: 0 };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    this.metrics.connectRateLimited.inc();
    bucket.refused++;
    // Under a flood, one line per address per interval, with the count since the last line.
    if (now - bucket.loggedAt >= this.logEveryMs) {
      this.log.warn(
        { remote: key, refused: bucket.refused, perSecond: this.options.perSecond, burst: this.options.burst },
        'mqtt connection refused: connect rate limit',
      );
      bucket.refused = 0;
      bucket.loggedAt = now;
    }
    return false;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + elapsed * this.options.perSecond);
    bucket.at = now;
  }

  /** Keeps memory bounded when many addresses connect: forget refilled buckets, then the oldest. */
  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxTracked) return;
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.options.burst) this.buckets.delete(key);
    }
    while (this.buckets.size >= this.maxTracked) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) break;
      this.buckets.delete(oldest.value);
    }
  }
}
