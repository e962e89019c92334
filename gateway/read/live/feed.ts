/**
 * The live feed behind SSE: numbered messages (facts, alerts, device news). Messages worth
 * replaying are kept in a bounded ring, so a screen that reconnects with Last-Event-ID gets
 * what it missed.
 */
export interface FeedMessage {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

export interface PublishOptions {
  /**
   * Keep the message for replay (default). Facts are not kept: a screen refetches what it
   * shows when it reconnects, facts come by the thousand per second under load (a ring of
   * them held well under a second of history), and keeping each for a while made every fact
   * survive into V8's old space, which set the gateway's memory peak.
   */
  readonly keep?: boolean;
}

type Listener = (message: FeedMessage) => void;

export class LiveFeed {
  /** Kept messages in id order; ids have gaps where messages were not kept. */
  private readonly ring: FeedMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private nextId = 1;

  constructor(private readonly capacity = 2000) {}

  publish(event: string, data: unknown, options?: PublishOptions): FeedMessage {
    const message = { id: this.nextId++, event, data };
    if (options?.keep !== false) {
      this.ring.push(message);
      if (this.ring.length > this.capacity) this.ring.shift();
    }
    for (const listener of this.listeners) listener(message);
    return message;
  }

  /**
   * Kept messages after `id`. All of them when `id` is older than the ring (the client may
   * have missed more than the ring holds) or from before a restart (ids start again at 1).
   */
  since(id: number): FeedMessage[] {
    if (id >= this.nextId) return [...this.ring];
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ring[mid] as FeedMessage).id <= id) lo = mid + 1;
      else hi = mid;
    }
    return this.ring.slice(lo);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
