/**
 * The live feed behind SSE: numbered messages (facts, alerts, device news) in a bounded
 * ring, so a screen that reconnects with Last-Event-ID gets what it missed.
 */
export interface FeedMessage {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

type Listener = (message: FeedMessage) => void;

export class LiveFeed {
  private readonly ring: FeedMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private nextId = 1;

  constructor(private readonly capacity = 2000) {}

  publish(event: string, data: unknown): FeedMessage {
    const message = { id: this.nextId++, event, data };
    this.ring.push(message);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(message);
    return message;
  }

  /** Messages after `id` still in the ring (all of them if `id` is older than the ring). */
  since(id: number): FeedMessage[] {
    const first = this.ring[0];
    if (!first || id < first.id - 1) return [...this.ring];
    return this.ring.slice(Math.max(0, id - first.id + 1));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
