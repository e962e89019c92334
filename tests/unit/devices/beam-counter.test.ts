/** Two-beam GPIO counter against a pin double, on fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BeamCounter, BeamTracker, type GpioPin, type PinValue } from '../../../devices/index.js';
import { crossingTotals, recordingContext } from './context.js';

/** The GPIO double: a pin whose level the test sets; edges call the watcher synchronously. */
class FakePin implements GpioPin {
  value: PinValue = 0;
  exported = true;
  #cb: ((err: Error | null | undefined, value: PinValue) => void) | undefined;

  watch(cb: (err: Error | null | undefined, value: PinValue) => void): void {
    this.#cb = cb;
  }
  unwatch(): void {
    this.#cb = undefined;
  }
  async read(): Promise<PinValue> {
    return this.value;
  }
  unexport(): void {
    this.exported = false;
  }
  set(v: PinValue): void {
    if (v === this.value) return; // edges only
    this.value = v;
    this.#cb?.(null, v);
  }
}

/** Deterministic PRNG so a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('BeamCounter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function rig(options: { glitchMs?: number; crossingTimeoutMs?: number } = {}) {
    const pins = new Map<number, FakePin>([
      [17, new FakePin()],
      [27, new FakePin()],
    ]);
    const rec = recordingContext('beam-1');
    const counter = new BeamCounter(rec.ctx, {
      pins: { a: 17, b: 27 },
      door: 'back',
      zone: 'entrance',
      glitchMs: options.glitchMs ?? 15,
      crossingTimeoutMs: options.crossingTimeoutMs ?? 3000,
      openPin: async (n) => {
        const p = pins.get(n);
        if (!p) throw new Error(`no pin ${n}`);
        return p;
      },
    });
    await counter.start(new AbortController().signal);
    const a = pins.get(17) as FakePin;
    const b = pins.get(27) as FakePin;
    vi.advanceTimersByTime(100);
    return { rec, counter, a, b };
  }

  it('counts 1,000 crossings each way exactly through bounce noise', async () => {
    const { rec, counter, a, b } = await rig();
    const rnd = prng(42);
    /** A real edge followed by 0–4 bounces 1–3 ms apart, settling on the real level. */
    const edge = (pin: FakePin, v: PinValue): void => {
      pin.set(v);
      const bounces = Math.floor(rnd() * 5);
      for (let i = 0; i < bounces; i++) {
        vi.advanceTimersByTime(1 + Math.floor(rnd() * 3));
        pin.set(pin.value === 1 ? 0 : 1);
      }
      if (pin.value !== v) {
        vi.advanceTimersByTime(1);
        pin.set(v);
      }
    };
    const step = (): void => {
      vi.advanceTimersByTime(30 + Math.floor(rnd() * 40));
    };
    const dirs: ('in' | 'out')[] = [];
    for (let i = 0; i < 1000; i++) dirs.push('in', 'out');
    dirs.sort(() => rnd() - 0.5);
    for (const dir of dirs) {
      const [first, second] = dir === 'in' ? [a, b] : [b, a];
      edge(first, 1);
      step();
      edge(second, 1);
      step();
      edge(first, 0);
      step();
      edge(second, 0);
      vi.advanceTimersByTime(100 + Math.floor(rnd() * 200));
    }
    vi.useRealTimers();
    await counter.stop();
    expect(counter.stats).toMatchObject({ in: 1000, out: 1000, dropped: 0 });
    expect(counter.stats.edges).toBeGreaterThan(counter.stats.accepted);
    expect(crossingTotals(rec.events)).toEqual({ in: 1000, out: 1000 });
    expect(new Set(rec.events.map((e) => e.id)).size).toBe(2000);
    for (const e of rec.events) {
      expect(e).toMatchObject({ type: 'door.crossing', door: 'back', zone: 'entrance', n: 1, flags: 2 });
    }
    expect(a.exported).toBe(false);
  });

  it('drops half crossings: a beam alone, a turn back, and one that never completes', async () => {
    const { rec, counter, a, b } = await rig({ crossingTimeoutMs: 2000 });
    // A alone: someone looks in and leaves.
    a.set(1);
    vi.advanceTimersByTime(200);
    a.set(0);
    vi.advanceTimersByTime(200);
    // Turn back: A, B, then B clears before A.
    a.set(1);
    vi.advanceTimersByTime(50);
    b.set(1);
    vi.advanceTimersByTime(50);
    b.set(0);
    vi.advanceTimersByTime(50);
    a.set(0);
    vi.advanceTimersByTime(200);
    // A spike shorter than the glitch window: its edge is taken, its bounce back settles it.
    b.set(1);
    vi.advanceTimersByTime(2);
    b.set(0);
    vi.advanceTimersByTime(200);
    // Stuck in the doorway: A blocked past the timeout, then a full pass is not counted
    // until both beams have been clear.
    a.set(1);
    vi.advanceTimersByTime(2500);
    expect(counter.stats.dropped).toBe(4);
    b.set(1);
    vi.advanceTimersByTime(50);
    a.set(0);
    vi.advanceTimersByTime(50);
    b.set(0);
    vi.advanceTimersByTime(200);
    // Then a clean crossing counts.
    b.set(1);
    vi.advanceTimersByTime(50);
    a.set(1);
    vi.advanceTimersByTime(50);
    b.set(0);
    vi.advanceTimersByTime(50);
    a.set(0);
    vi.useRealTimers();
    await counter.stop();
    expect(counter.stats).toMatchObject({ in: 0, out: 1, dropped: 4 });
    expect(crossingTotals(rec.events)).toEqual({ in: 0, out: 1 });
  });

  it('reports GPIO that is not accessible with the pin and the fix, without throwing', async () => {
    vi.useRealTimers();
    const rec = recordingContext('beam-1');
    // The real onoff backend: on this machine (no /sys/class/gpio) it is not accessible.
    const counter = new BeamCounter(rec.ctx, { pins: { a: 17, b: 27 }, door: 'back', zone: 'entrance' });
    await counter.start(new AbortController().signal);
    const error = rec.statuses.find((s) => s.state === 'error');
    expect(error?.detail).toMatch(/GPIO pin 17/);
    expect(error?.detail).toMatch(/\/sys\/class\/gpio/);
    await counter.stop();
    await counter.stop(); // idempotent
  });
});

describe('BeamTracker', () => {
  it('needs both beams, in order, with the other beam clearing last', () => {
    const t = new BeamTracker();
    expect(t.change('a', true, 0)).toBeUndefined();
    expect(t.change('b', true, 10)).toBeUndefined();
    expect(t.change('a', false, 20)).toBeUndefined();
    expect(t.change('b', false, 30)).toBe('in');
    t.change('b', true, 40);
    t.change('a', true, 50);
    t.change('b', false, 60);
    expect(t.change('a', false, 70)).toBe('out');
  });

  it('waits for both beams to clear when one is blocked at start', () => {
    const t = new BeamTracker({ a: true, b: false });
    expect(t.change('b', true, 0)).toBeUndefined();
    expect(t.change('a', false, 10)).toBeUndefined();
    expect(t.change('b', false, 20)).toBeUndefined();
    expect(t.openSince).toBeUndefined();
  });
});
