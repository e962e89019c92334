/**
 * DESIGN's `retail/{store}/live/funnel` (retained): today's running funnel for any MQTT
 * screen, re-published only when it changed since the last publish.
 */
import { topics } from '../../../protocols/index.js';
import type { Logger } from '../../log.js';
import type { LiveSnapshot } from '../views/live.js';

export interface RetainedPublisher {
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<unknown>;
}

export class LiveFunnelPublisher {
  private last = '';

  constructor(
    private readonly deps: {
      readonly storeId: string;
      readonly snapshot: () => LiveSnapshot;
      readonly mqtt: RetainedPublisher;
      readonly log: Logger;
    },
  ) {}

  /** Publishes the running funnel if it changed; a failed publish is logged, never thrown. */
  publishIfChanged(): void {
    const snapshot = this.deps.snapshot();
    const funnel = { occupancy: snapshot.occupancy, today: snapshot.today };
    const body = JSON.stringify(funnel);
    if (body === this.last) return;
    this.last = body;
    const message = { v: 1, type: 'funnel.live', ts: snapshot.at, store: this.deps.storeId, ...funnel };
    this.deps.mqtt
      .publish(topics.liveFunnel(this.deps.storeId), JSON.stringify(message), { qos: 1, retain: true })
      .catch((err: unknown) => this.deps.log.warn({ component: 'gateway', err }, 'live funnel publish failed'));
  }
}
