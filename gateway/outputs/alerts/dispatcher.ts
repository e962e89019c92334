/**
 * Delivers VIP alerts once they are durable: MQTT `retail/{store}/alerts/vip` (QoS1) for
 * staff devices, the SSE feed for screens, and the optional webhook.
 */
import type { Logger } from 'pino';
import { topics } from '../../../protocols/index.js';
import type { Fact } from '../../pipeline/correlate/index.js';
import type { LiveFeed } from '../../read/live/feed.js';
import { type AlertStore, alertId, type VipAlert } from './store.js';
import type { AlertWebhook } from './webhook.js';

export interface AlertPublisher {
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

export class AlertDispatcher {
  constructor(
    private readonly deps: {
      storeId: string;
      alerts: AlertStore;
      feed: LiveFeed;
      mqtt: AlertPublisher;
      webhook: AlertWebhook | undefined;
      log: Logger;
      /** No second push for the same member within this much event time. */
      realertAfterMs: number;
    },
  ) {}

  /**
   * Pushes the new, timely arrivals among durable facts. A fact seen again (derived anew
   * after late input) or derived too late (alerts.maxAge) is not pushed.
   */
  onFacts(facts: readonly Fact[]): void {
    for (const fact of facts) {
      if (fact.type !== 'vip.arrival') continue;
      const alert = this.deps.alerts.get(alertId(fact));
      if (!alert) continue;
      if (this.deps.alerts.claimPush(alert, this.deps.realertAfterMs)) this.deliver(alert);
    }
  }

  /** An acknowledgement, shown at once on every other screen and staff device. */
  acknowledged(alert: VipAlert): void {
    this.deps.feed.publish('vip.ack', { id: alert.id, member: alert.member, ack: alert.ack });
    this.publishMqtt({ v: 1, type: 'vip.ack', kind: 'vip', id: alert.id, member: alert.member, ack: alert.ack });
  }

  private deliver(alert: VipAlert): void {
    this.publishMqtt(vipArrivalMessage(alert));
    this.deps.feed.publish('vip.arrival', alert);
    this.deps.webhook?.enqueue(alert);
  }

  private publishMqtt(message: object): void {
    this.deps.mqtt
      .publish(topics.vipAlerts(this.deps.storeId), JSON.stringify(message), { qos: 1, retain: false })
      .catch((err: unknown) => this.deps.log.warn({ err }, 'vip alert mqtt publish failed'));
  }
}

/**
 * The MQTT `vip.arrival` of DESIGN: `member` is the profile staff need, `zone`, and the open
 * `invitation` when there is one (plus `via`, how the member was recognised).
 */
export function vipArrivalMessage(alert: VipAlert): object {
  const { member, invitation, ...profile } = alert.profile;
  return {
    v: 1,
    type: 'vip.arrival',
    // Which card this is, as on `alerts/assist` (kind "assist"): one handler for alerts/#.
    kind: 'vip',
    id: alert.id,
    ts: new Date(alert.ts).toISOString(),
    member: { id: member, ...profile },
    zone: alert.zone,
    via: alert.via,
    ...(invitation ? { invitation } : {}),
  };
}
