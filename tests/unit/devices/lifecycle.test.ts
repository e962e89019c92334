import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Backoff,
  type BackoffOptions,
  DriverConfigError,
  type DriverContext,
  DriverLifecycle,
  type LoopStep,
  loopStep,
  SourceStateError,
} from '../../../devices/index.js';
import { recordingContext } from './context.js';

/** A driver whose loop runs the scripted steps, then backs off forever. */
class ScriptedDriver extends DriverLifecycle {
  readonly steps: LoopStep[];
  readonly stepTimes: number[] = [];
  begins = 0;
  finishes = 0;
  releases = 0;
  badConfig = false;

  constructor(ctx: DriverContext, steps: LoopStep[], backoff: BackoffOptions) {
    super(ctx, { component: 'scripted', label: 'scripted driver', backoff, drainMs: 50 });
    this.steps = steps;
  }

  protected prepare(): void {
    if (this.badConfig) throw new DriverConfigError('scripted driver: bad config');
  }

  protected async begin(): Promise<void> {
    this.begins++;
    this.report('connecting');
    this.startLoop(async () => {
      this.stepTimes.push(Date.now());
      return this.steps.shift() ?? loopStep.backoff;
    });
  }

  protected override release(): void {
    this.releases++;
  }

  protected override async finish(): Promise<void> {
    this.finishes++;
  }
}

function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] ?? t));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Backoff', () => {
  it('doubles from the first delay up to the cap, and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempt).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('takes jitter off the delay, never above the capped delay', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5 });
    const delays = Array.from({ length: 200 }, () => b.next());
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
    // Jitter spreads a fleet's retries: 200 draws are not all the same.
    expect(new Set(delays).size).toBeGreaterThan(10);
  });
});

describe('DriverLifecycle', () => {
  it('backs off exponentially up to the cap on transient failures, and resets after a success', async () => {
    vi.useFakeTimers();
    const rec = recordingContext('scripted-1');
    const steps = [
      loopStep.backoff,
      loopStep.backoff,
      loopStep.backoff,
      loopStep.backoff,
      loopStep.wait(5),
      loopStep.backoff,
    ];
    const d = new ScriptedDriver(rec.ctx, steps, { initialMs: 20, maxMs: 80, jitter: 0 });
    await d.start(new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1000);
    // backoff 20, 40, 80, 80 (capped); then the success waits 5 ms; the next failure starts at 20 again.
    expect(gaps(d.stepTimes).slice(0, 6)).toEqual([20, 40, 80, 80, 5, 20]);
    const stopping = d.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopping;
  });

  it('ends promptly when stopped during a long backoff', async () => {
    const rec = recordingContext('scripted-2');
    const d = new ScriptedDriver(rec.ctx, [], { initialMs: 60_000, jitter: 0 });
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(d.stepTimes.length).toBe(1));
    const t0 = performance.now();
    await d.stop();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(d.stepTimes.length).toBe(1);
    expect(d.phase).toBe('stopped');
    expect(rec.statuses.at(-1)).toEqual({ state: 'disconnected', detail: 'stopped', reconnects: 0 });
  });

  it('halts on a fatal step: reports the reason as an error status and does not retry', async () => {
    const rec = recordingContext('scripted-3');
    const d = new ScriptedDriver(rec.ctx, [loopStep.halt('camera refused the password')], { initialMs: 5 });
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(d.phase).toBe('halted'));
    expect(d.haltReason).toBe('camera refused the password');
    expect(rec.statuses).toContainEqual({ state: 'error', detail: 'camera refused the password', reconnects: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(d.stepTimes.length).toBe(1);
    await d.stop();
    expect(d.phase).toBe('stopped');
    expect(d.haltReason).toBe('camera refused the password');
  });

  it('stop is idempotent: one teardown, one stopped status, and no second start', async () => {
    const rec = recordingContext('scripted-4');
    const d = new ScriptedDriver(rec.ctx, [], { initialMs: 60_000 });
    await d.start(new AbortController().signal);
    const a = d.stop();
    const b = d.stop();
    expect(b).toBe(a);
    await Promise.all([a, b, d.stop()]);
    expect(d.releases).toBe(1);
    expect(d.finishes).toBe(1);
    expect(rec.statuses.filter((s) => s.detail === 'stopped')).toHaveLength(1);
    await expect(d.start(new AbortController().signal)).rejects.toBeInstanceOf(SourceStateError);
  });

  it('aborting the start signal stops; an already aborted one never begins', async () => {
    const rec = recordingContext('scripted-5');
    const running = new ScriptedDriver(rec.ctx, [], { initialMs: 60_000 });
    const ac = new AbortController();
    await running.start(ac.signal);
    ac.abort();
    await vi.waitFor(() => expect(running.finishes).toBe(1));
    expect(running.phase).toBe('stopped');

    const never = new ScriptedDriver(recordingContext('scripted-6').ctx, [], {});
    await never.start(AbortSignal.abort());
    expect(never.begins).toBe(0);
    expect(never.phase).toBe('stopped');
  });

  it('a config the driver cannot run rejects start before anything runs', async () => {
    const d = new ScriptedDriver(recordingContext('scripted-7').ctx, [], {});
    d.badConfig = true;
    await expect(d.start(new AbortController().signal)).rejects.toBeInstanceOf(DriverConfigError);
    expect(d.begins).toBe(0);
    expect(d.phase).toBe('new');
  });
});
