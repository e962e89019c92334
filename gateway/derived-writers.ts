/**
 * The stores the derivation writes besides facts and buckets, and the writers that feed
 * them. Built here for both the running gateway (main.ts) and `store-gateway rebuild`
 * (rebuild.ts), so the two derive the same tables and cannot drift apart.
 */
import { AlertStore } from './alerts/store.js';
import type { Clock } from './clock/index.js';
import type { GatewayConfig } from './config/index.js';
import type { DerivedWriter } from './derive/index.js';
import { InvitationStore } from './invitations/store.js';
import type { Db } from './journal/index.js';
import type { GatewayMetrics } from './metrics/index.js';
import type { ReferenceData } from './reference/index.js';

export interface DerivedStores {
  readonly alerts: AlertStore;
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
  return { alerts, invitations: new InvitationStore(db) };
}

/** VIP alerts (with their rewind hooks) and recorded invitations, in this order. */
export function derivedWriters(stores: DerivedStores, metrics: GatewayMetrics): DerivedWriter[] {
  const { alerts, invitations } = stores;
  return [
    {
      write: (_rows, facts, epoch) => {
        const late = alerts.record(facts, epoch);
        if (late > 0) metrics.vipAlertsLate.inc(late);
      },
      retract: (fromEpoch) => alerts.retract(fromEpoch),
      afterRewind: () => alerts.afterRewind(),
    },
    { write: (rows) => invitations.record(rows) },
  ];
}
