/**
 * A cap on the QoS1 queue of each persistent session (clean=false). aedes-persistence's
 * memory store keeps every message for an offline subscriber in an unbounded array
 * (FIELD-NOTES: 5,000 queued alerts were all kept), so one phone left off over a weekend
 * grows the gateway without limit.
 *
 * aedes reaches that queue only through five persistence methods (outgoingEnqueue,
 * outgoingEnqueueCombi, outgoingUpdate, outgoingClearMessageId, outgoingStream). This module
 * replaces exactly those on the broker's persistence instance with the same semantics over
 * its own per-client arrays, and drops the oldest entry once a client holds `max`. Nothing
 * else of the persistence (subscriptions, retained, wills) changes.
 */
import { Readable } from 'node:stream';

/** The fields of a queued packet this queue looks at (aedes-packet's Packet has more). */
export interface QueuedPacket {
  brokerId?: string;
  brokerCounter?: number;
  messageId?: number | undefined;
  dup?: boolean;
}

interface OutgoingPersistence {
  outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: QueuedPacket): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<QueuedPacket | undefined>;
  outgoingStream(client: { id: string }): Readable;
}

export interface QueueCapOptions {
  readonly max: number;
  /** Called for each message dropped, with the client whose queue overflowed. */
  readonly onDrop: (clientId: string) => void;
  /**
   * What this client may receive of a packet being queued for it: the packet, a reduced copy,
   * or undefined to queue nothing (aedes re-checks queued packets with authorizeForward but
   * then writes the original, so a reduced copy must be what is queued).
   */
  readonly view?: (clientId: string, packet: QueuedPacket) => QueuedPacket | undefined;
}

export class BoundedOutgoingQueues implements OutgoingPersistence {
  private readonly queues = new Map<string, QueuedPacket[]>();

  constructor(private readonly options: QueueCapOptions) {}

  /** Replaces the outgoing-queue methods of an aedes persistence instance with this bounded store. */
  static install(persistence: object, options: QueueCapOptions): BoundedOutgoingQueues {
    const queues = new BoundedOutgoingQueues(options);
    const target = persistence as Record<keyof OutgoingPersistence, unknown>;
    for (const name of [
      'outgoingEnqueue',
      'outgoingEnqueueCombi',
      'outgoingUpdate',
      'outgoingClearMessageId',
      'outgoingStream',
    ] as const) {
      if (typeof target[name] !== 'function') throw new Error(`aedes persistence has no ${name}: cannot cap queues`);
      target[name] = queues[name].bind(queues);
    }
    return queues;
  }

  /** Queued (and in-flight) messages of a client. */
  depth(clientId: string): number {
    return this.queues.get(clientId)?.length ?? 0;
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void> {
    this.enqueue(sub.clientId, packet);
  }

  async outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: QueuedPacket): Promise<void> {
    for (const sub of subs) this.enqueue(sub.clientId, packet);
  }

  /** Records the packet id a delivery was given (same matching as aedes-persistence's memory store). */
  async outgoingUpdate(client: { id: string }, packet: QueuedPacket): Promise<void> {
    const queue = this.queues.get(client.id) ?? [];
    for (let i = 0; i < queue.length; i++) {
      const queued = queue[i] as QueuedPacket;
      if (queued.brokerId === packet.brokerId) {
        if (queued.brokerCounter === packet.brokerCounter) {
          queued.messageId = packet.messageId;
          return;
        }
      } else if (queued.messageId === packet.messageId) {
        queue[i] = packet;
        return;
      }
    }
    // Not queued any more (dropped by the cap while waiting): the memory store throws here,
    // which makes aedes drop the client; delivering it untracked is the kinder outcome.
  }

  async outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<QueuedPacket | undefined> {
    const queue = this.queues.get(client.id);
    if (queue === undefined) return undefined;
    const i = queue.findIndex((queued) => queued.messageId === packet.messageId);
    if (i < 0) return undefined;
    const [removed] = queue.splice(i, 1);
    if (queue.length === 0) this.queues.delete(client.id);
    return removed;
  }

  outgoingStream(client: { id: string }): Readable {
    // A copy: aedes clears entries while it streams them. A packet that already has a packet
    // id was sent before and not acknowledged: it goes again with DUP set [MQTT-3.3.1-1]
    // (aedes would resend it with DUP 0).
    return Readable.from((this.queues.get(client.id) ?? []).map((p) => (p.messageId ? { ...p, dup: true } : p)));
  }

  private enqueue(clientId: string, packet: QueuedPacket): void {
    let queue = this.queues.get(clientId);
    if (queue === undefined) {
      queue = [];
      this.queues.set(clientId, queue);
    }
    const visible = this.options.view ? this.options.view(clientId, packet) : packet;
    if (visible === undefined) return;
    // One copy per subscriber: outgoingUpdate writes that subscriber's packet id into it.
    queue.push({ ...visible, messageId: undefined });
    while (queue.length > this.options.max) {
      queue.shift();
      this.options.onDrop(clientId);
    }
  }
}
