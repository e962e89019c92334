/**
 * The gateway's side of correlation: builds the pure Correlator from the config and the
 * store's reference data (roster, catalog, EPC → GTIN), and restores it from snapshots.
 */
import { gtinFromEpc } from '../../../protocols/index.js';
import type { GatewayConfig } from '../../infra/config/index.js';
import type { ReferenceData } from '../../infra/reference/index.js';
import { type CorrelationConfig, Correlator, type CorrelatorLookups, type Fact } from '../correlate/index.js';

export type CorrelationEngine = Correlator;
export type { Fact };

export function correlationConfig(config: GatewayConfig): CorrelationConfig {
  const c = config.correlation;
  return {
    zones: config.zones,
    staffBadges: config.staffBadges,
    minDwellMs: c.minDwellMs,
    leaveAfterMs: c.leaveAfterMs,
    assistAfterMs: c.assistAfterMs,
    conversionWindowMs: c.conversionWindowMs,
    realertAfterMs: c.realertAfterMs,
    invitationWindowMs: c.invitationWindowMs,
    staffWindowMs: c.staffWindowMs,
    openingTime: config.store.openingTime,
    timezone: config.store.timezone,
    vipTier: config.store.vipTier,
    // `correlation.settle` is how far behind the clock the derivation ticks (derivation.ts);
    // in event time, correlation decides at the deadline itself.
    settleMs: 0,
  };
}

export function lookups(reference: ReferenceData): CorrelatorLookups {
  return {
    memberByCard: (card) => reference.memberByCard(card),
    memberById: (id) => reference.memberById(id),
    resolveProduct: (epc) => {
      const gtin = gtinFromEpc(epc);
      const product = gtin === undefined ? undefined : reference.productByGtin(gtin);
      if (!product) return gtin === undefined ? undefined : { gtin };
      return { gtin: product.gtin, sku: product.sku, style: product.style, size: product.size };
    },
  };
}

export function createEngine(config: GatewayConfig, reference: ReferenceData): CorrelationEngine {
  return new Correlator(correlationConfig(config), lookups(reference));
}

export function restoreEngine(config: GatewayConfig, reference: ReferenceData, snapshot: unknown): CorrelationEngine {
  return Correlator.restore(correlationConfig(config), lookups(reference), snapshot);
}
