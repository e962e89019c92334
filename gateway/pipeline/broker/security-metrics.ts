/**
 * Counters of the broker's access control, rate limit and queue cap, registered in the
 * gateway's registry (one per instance, like GatewayMetrics) so /metrics shows them.
 */
import { Counter, type Registry } from 'prom-client';

export class BrokerSecurityMetrics {
  readonly subscribeRefused: Counter<'principal'>;
  readonly publishRefused: Counter<'principal'>;
  readonly connectRateLimited: Counter;
  readonly queueDropped: Counter;
  readonly clientIdRefused: Counter;
  readonly forwardWithheld: Counter<'principal'>;
  readonly retainedRefused: Counter;

  constructor(registry: Registry) {
    this.subscribeRefused = new Counter({
      name: 'gateway_mqtt_subscribe_refused_total',
      help: 'MQTT topic filters refused (SUBACK 0x80), by kind of client.',
      labelNames: ['principal'] as const,
      registers: [registry],
    });
    this.publishRefused = new Counter({
      name: 'gateway_mqtt_publish_refused_total',
      help: 'MQTT publishes refused by the ACL (the client is disconnected), by kind of client.',
      labelNames: ['principal'] as const,
      registers: [registry],
    });
    this.connectRateLimited = new Counter({
      name: 'gateway_mqtt_connect_rate_limited_total',
      help: 'MQTT connections closed on accept because their address exceeded mqtt.connectRate.',
      registers: [registry],
    });
    this.queueDropped = new Counter({
      name: 'gateway_mqtt_queue_dropped_total',
      help: 'Queued QoS1 messages of persistent sessions dropped (oldest first) above mqtt.maxQueuedMessages.',
      registers: [registry],
    });
    this.clientIdRefused = new Counter({
      name: 'gateway_mqtt_client_id_refused_total',
      help: 'MQTT logins refused (CONNACK 0x05) because their client id belongs to another principal.',
      registers: [registry],
    });
    this.forwardWithheld = new Counter({
      name: 'gateway_mqtt_forward_withheld_total',
      help: 'Messages not delivered to a subscriber whose role may not read their topic (re-checked on delivery).',
      labelNames: ['principal'] as const,
      registers: [registry],
    });
    this.retainedRefused = new Counter({
      name: 'gateway_mqtt_retained_refused_total',
      help: 'Retained publishes refused above mqtt.maxRetainedMessages / mqtt.maxRetainedBytes.',
      registers: [registry],
    });
  }
}
