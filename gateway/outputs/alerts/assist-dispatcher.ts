/**
 * Delivers fitting-room assistance cards once they are durable, like VIP alerts: MQTT
 * `retail/{store}/alerts/assist` (QoS1) for staff devices, the SSE feed for screens, and
 * the optional webhook. A card derived late (alerts.maxAge) or again after a rewind is not
 * pushed (AssistStore.claimPush).
 */
import type { Logger } from 'pino';
import { topics } from '../../../protocols/index.js';
import type { Fact } from '../../pipeline/correlate/index.js';
import type { LiveFeed } from '../../read/live/feed.js';
import { type AssistAlert, type AssistStore, assistId } from './assist-store.js';
import type { AlertPublisher } from './dispatcher.js';
import type { AlertWebhook } from './webhook.js';

export class AssistDispatcher {
  constructor(
    private readonly deps: {
      storeId: string;
      cards: AssistStore;
      feed: LiveFeed;
      mqtt: AlertPublisher;
      webhook: AlertWebhook | undefined;
      log: Logger;
    },
  ) {}

  onFacts(facts: readonly Fact[]): void {
    for (const fact of facts) {
      if (fact.type !== 'assist.needed') continue;
      const card = this.deps.cards.get(assistId(fact));
      if (card && this.deps.cards.claimPush(card)) this.deliver(card);
    }
  }

  /** "On my way": shown at once on every other phone, so two people do not both go. */
  acknowledged(card: AssistAlert): void {
    const ack = { id: card.id, kind: 'assist', room: card.room, ack: card.ack };
    this.deps.feed.publish('assist.ack', ack);
    this.publishMqtt({ v: 1, type: 'room.assist.ack', ...ack });
  }

  private deliver(card: AssistAlert): void {
    this.deps.log.info({ room: card.room, session: card.session, reason: card.reason }, 'assistance card pushed');
    this.publishMqtt(roomAssistMessage(card));
    this.deps.feed.publish('assist.alert', card);
    this.deps.webhook?.enqueue(card);
  }

  private publishMqtt(message: object): void {
    this.deps.mqtt
      .publish(topics.assistAlerts(this.deps.storeId), JSON.stringify(message), { qos: 1, retain: false })
      .catch((err: unknown) =>
        this.deps.log.warn(
          { err, room: 'room' in message ? message.room : undefined },
          'assistance card mqtt publish failed',
        ),
      );
  }
}

/** The MQTT `room.assist` message: the card without its delivery state, times in RFC 3339. */
export function roomAssistMessage(card: AssistAlert): object {
  const { ack: _ack, late: _late, pushedAt: _pushed, ts, start, ...rest } = card;
  return { v: 1, ...rest, ts: new Date(ts).toISOString(), start: new Date(start).toISOString() };
}
