/**
 * Failed-login limiter: at most `limit` failures per key (an address, a user name) within
 * `windowMs`; then 429 until the oldest failure leaves the window. In memory on purpose: a
 * restart forgets it, which costs an attacker a restart they cannot cause from outside.
 */
import type { Clock } from '../clock/index.js';

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit = 5,
    private readonly windowMs = 5 * 60_000,
    /** Bound on tracked keys, so a flood of random names cannot grow memory without end. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit] ?? this.clock.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.clock.now()) / 1000));
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock.now());
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.limit));
    // Map iteration is insertion order: the first keys are the least recently failed.
    while (this.failures.size > this.maxKeys) {
      const first = this.failures.keys().next();
      if (first.done) break;
      this.failures.delete(first.value);
    }
  }

  /**
   * Takes back the newest failure of `key`: a sign-in counts as a failure before its password
   * is checked (so parallel attempts cannot all pass the limit while scrypt runs) and is
   * forgiven when the password turns out right.
   */
  forgive(key: string): void {
    const recent = this.failures.get(key);
    if (recent === undefined) return;
    recent.pop();
    if (recent.length === 0) this.failures.delete(key);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
