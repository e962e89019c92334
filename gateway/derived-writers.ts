/**
 * The stores the derivation writes besides facts and buckets, and the writers that feed
 * them. Built here for both the running gateway (main.ts) and `store-gateway rebuild`
 * (rebuild.ts), so the two derive the same tables and cannot drift apart.
 */

import type { Clock } from './infra/clock/index.js';
import type { GatewayConfig } from './infra/config/index.js';
import type { GatewayMetrics } from './infra/metrics/index.js';
import type { ReferenceData } from './infra/reference/index.js';
import { AssistStore } from './outputs/alerts/assist-store.js';
import { AlertStore } from './outputs/alerts/store.js';
import type { DerivedWriter } from './pipeline/derive/index.js';
import { InvitationStore } from './pipeline/invitations/store.js';
import type { Db } from './pipeline/journal/index.js';

export interface DerivedStores {
  readonly alerts: AlertStore;
  /** Fitting-room assistance cards. */
  readonly assistCards: AssistStore;
  readonly invitations: InvitationStore;
}

export function openDerivedStores(deps: {
  readonly db: Db;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly reference: ReferenceData;
}): DerivedStores {
  const { db, config, clock, reference } = deps;
  const alerts = new AlertStore(db, reference, {
    now: () => clock.now(),
    maxAgeMs: config.alerts.maxAgeMs,
    realertAfterMs: config.correlation.realertAfterMs,
  });
  const assistCards = new AssistStore(db, reference, { now: () => clock.now(), maxAgeMs: config.alerts.maxAgeMs });
  return { alerts, assistCards, invitations: new InvitationStore(db) };
}

/** VIP alerts and assistance cards (with their rewind hooks), then recorded invitations. */
export function derivedWriters(stores: DerivedStores, metrics: GatewayMetrics): DerivedWriter[] {
  const { alerts, assistCards, invitations } = stores;
  return [
    {
      write: (_rows, facts, epoch) => {
        const late = alerts.record(facts, epoch);
        if (late > 0) metrics.vipAlertsLate.inc(late);
      },
      retract: (fromEpoch) => alerts.retract(fromEpoch),
      afterRewind: () => alerts.afterRewind(),
    },
    {
      write: (_rows, facts, epoch) => {
        const late = assistCards.record(facts, epoch);
        if (late > 0) metrics.assistCardsLate.inc(late);
      },
      retract: (fromEpoch) => assistCards.retract(fromEpoch),
      afterRewind: () => assistCards.afterRewind(),
    },
    { write: (rows) => invitations.record(rows) },
  ];
}
