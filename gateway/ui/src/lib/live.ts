/**
 * The live connection: one EventSource on /api/v1/stream. The browser reconnects by itself
 * and sends Last-Event-ID, so the gateway replays what was missed; when the stream is
 * closed for good (the gateway restarted, a proxy answered) we open a new one with backoff.
 * The gateway sends a heartbeat event every 15 s, so silence means the figures are stale.
 */
import { API } from './api.js';
import { signal } from './signal.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'stale';

export interface LiveMessage {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
}

type Handler = (message: LiveMessage) => void;

const STALE_AFTER_MS = 40_000;

export class LiveConnection {
  readonly state = signal<ConnectionState>('connecting');
  /** Wall time of the last message or heartbeat (ms), for the stale banner. */
  readonly lastMessageAt = signal(Date.now());
  private source: EventSource | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly openHandlers = new Set<(reconnect: boolean) => void>();
  private lastId: string | undefined;
  private opened = false;
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly staleTimer: ReturnType<typeof setInterval>;

  constructor(private readonly events: readonly string[]) {
    this.staleTimer = setInterval(() => this.checkStale(), 5000);
    this.connect();
  }

  /** Calls `handler` for each message of `event`; returns the unsubscribe function. */
  on(event: string, handler: Handler): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Called on every (re)open: views refetch so nothing missed stays missing. */
  onOpen(handler: (reconnect: boolean) => void): () => void {
    this.openHandlers.add(handler);
    return () => this.openHandlers.delete(handler);
  }

  close(): void {
    clearInterval(this.staleTimer);
    clearTimeout(this.retryTimer);
    this.source?.close();
  }

  private connect(): void {
    const params = new URLSearchParams({ events: [...this.events, 'heartbeat'].join(',') });
    // A brand-new EventSource does not send Last-Event-ID; the gateway also reads ?since.
    if (this.lastId !== undefined) params.set('since', this.lastId);
    const source = new EventSource(`${API}/stream?${params}`);
    this.source = source;
    source.onopen = () => {
      const reconnect = this.opened;
      this.opened = true;
      this.retryMs = 1000;
      this.touch();
      this.state.set('live');
      for (const handler of this.openHandlers) handler(reconnect);
    };
    source.onerror = () => {
      this.state.set('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up on this one (an HTTP error, not a dropped line): retry ourselves.
        source.close();
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
      }
    };
    for (const event of [...this.events, 'heartbeat']) {
      source.addEventListener(event, (raw) => this.dispatch(event, raw as MessageEvent<string>));
    }
  }

  private dispatch(event: string, raw: MessageEvent<string>): void {
    this.touch();
    if (raw.lastEventId !== '') this.lastId = raw.lastEventId;
    if (event === 'heartbeat') return;
    let data: unknown;
    try {
      data = JSON.parse(raw.data);
    } catch {
      return;
    }
    const message = { id: raw.lastEventId, event, data };
    for (const handler of this.handlers.get(event) ?? []) handler(message);
  }

  private touch(): void {
    this.lastMessageAt.set(Date.now());
    if (this.state.get() === 'stale') this.state.set('live');
  }

  private checkStale(): void {
    if (this.state.get() === 'live' && Date.now() - this.lastMessageAt.get() > STALE_AFTER_MS) this.state.set('stale');
  }
}
