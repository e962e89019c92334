/** Exponential reconnect delays with a cap and jitter, so a fleet does not retry in step. */

export interface BackoffOptions {
  /** First delay. Default 250 ms. */
  readonly initialMs?: number;
  /** Largest delay. Default 10 s. */
  readonly maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  readonly factor?: number;
  /** Fraction of the delay randomised away (0–1). Default 0.2. */
  readonly jitter?: number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = Math.max(1, options.initialMs ?? 250);
    this.#max = Math.max(this.#initial, options.maxMs ?? 10_000);
    this.#factor = Math.max(1, options.factor ?? 2);
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt++;
    return Math.round(base * (1 - this.#jitter * Math.random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after ms, or at once (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
