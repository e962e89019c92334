/**
 * A cap on the broker's retained messages. aedes keeps every retained message in memory with
 * no limit (1,000 × 200 KiB retained messages grew the gateway from 161 to 381 MB RSS), so
 * the count and the payload bytes of retained messages are bounded (`mqtt.maxRetainedMessages`,
 * `mqtt.maxRetainedBytes`). A client's retained PUBLISH that would go beyond is refused in
 * authorizePublish (the client is disconnected, nothing is stored); replacing or clearing a
 * retained message that exists is always allowed, as are the gateway's own retained messages.
 *
 * The accounting wraps the persistence's `storeRetained`, so it sees exactly what is stored.
 */

interface RetainedPacket {
  readonly topic: string;
  readonly payload: Buffer | string;
}

export interface RetainedLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

const sizeOf = (payload: Buffer | string) =>
  typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;

export class RetainedCap {
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly limits: RetainedLimits) {}

  /**
   * Wraps `persistence.storeRetained` of an aedes broker with this accounting. Topics for which
   * `exempt` is true (the gateway's own, e.g. the live funnel: one message it replaces) are not counted.
   */
  static install(persistence: object, limits: RetainedLimits, exempt: (topic: string) => boolean): RetainedCap {
    const cap = new RetainedCap(limits);
    const target = persistence as { storeRetained?: (packet: RetainedPacket) => Promise<void> };
    const original = target.storeRetained;
    if (typeof original !== 'function') throw new Error('aedes persistence has no storeRetained: cannot cap it');
    target.storeRetained = async (packet: RetainedPacket) => {
      await original.call(persistence, packet);
      if (!exempt(packet.topic)) cap.stored(packet.topic, sizeOf(packet.payload));
    };
    return cap;
  }

  get count(): number {
    return this.sizes.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Why a retained message of `bytes` on `topic` may not be stored, or undefined when it may. */
  refusal(topic: string, bytes: number): string | undefined {
    if (bytes === 0) return undefined; // clears
    const previous = this.sizes.get(topic);
    const count = this.sizes.size + (previous === undefined ? 1 : 0);
    const total = this.bytes - (previous ?? 0) + bytes;
    if (count > this.limits.maxMessages) {
      return `retained message limit reached (mqtt.maxRetainedMessages ${this.limits.maxMessages})`;
    }
    if (total > this.limits.maxBytes) {
      return `retained bytes limit reached (mqtt.maxRetainedBytes ${this.limits.maxBytes})`;
    }
    return undefined;
  }

  private stored(topic: string, bytes: number): void {
    this.bytes -= this.sizes.get(topic) ?? 0;
    if (bytes === 0) this.sizes.delete(topic);
    else {
      this.sizes.set(topic, bytes);
      this.bytes += bytes;
    }
  }
}
