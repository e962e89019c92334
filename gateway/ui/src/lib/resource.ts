/**
 * Data for a view: fetched on mount and again when the live stream says something it shows
 * changed (no polling). Refetches are coalesced: a burst of events within THROTTLE_MS gives
 * one fetch, and at most one fetch is in flight with one queued behind it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveConnection } from './live.js';

const THROTTLE_MS = 250;

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
}

export function useResource<T>(
  load: () => Promise<T>,
  options: { live?: LiveConnection; refreshOn?: readonly string[]; key?: string },
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const control = useRef({ reload: () => {} });

  const { live, refreshOn, key } = options;
  const events = refreshOn?.join(',') ?? '';
  useEffect(() => {
    const state = { running: false, queued: false, alive: true, reload: () => {} };
    control.current = state;
    const run = async () => {
      if (state.running) {
        state.queued = true;
        return;
      }
      state.running = true;
      try {
        const value = await loadRef.current();
        if (state.alive) {
          setData(value);
          setError(undefined);
        }
      } catch (err) {
        if (state.alive) setError(err instanceof Error ? err : new Error(String(err)));
      } finally {
        state.running = false;
        if (state.alive) setLoading(false);
        if (state.queued && state.alive) {
          state.queued = false;
          void run();
        }
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, THROTTLE_MS);
    };
    state.reload = () => void run();
    setLoading(true);
    void run();
    const unsubscribes: (() => void)[] = [];
    if (live) {
      for (const event of events === '' ? [] : events.split(',')) unsubscribes.push(live.on(event, schedule));
      unsubscribes.push(live.onOpen((reconnect) => reconnect && schedule()));
    }
    return () => {
      state.alive = false;
      clearTimeout(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, [live, events, key]);

  return { data, error, loading, reload: () => control.current.reload() };
}

/** Re-renders every `ms` (for durations that tick on screen; no network). */
export function useTicker(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
