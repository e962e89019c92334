/**
 * What correlation needs from the gateway's config (DESIGN "Configuration file"), in
 * milliseconds. The gateway maps its YAML onto this; tests build it with
 * `correlationConfig({...})`, which fills DESIGN's defaults.
 */
import { parseHhmm } from '../../infra/time/index.js';

export type ZoneKind = 'entrance' | 'outside' | 'fitting-room' | 'cashdesk' | 'floor';

export interface ZoneConfig {
  readonly kind: ZoneKind;
  /** Fitting rooms: reads with a lower peak RSSI are strays. No value: every read counts. */
  readonly rssiMin?: number;
}

export interface CorrelationConfig {
  readonly zones: Readonly<Record<string, ZoneConfig>>;
  /** Staff badge EPCs (hex; compared upper-case). */
  readonly staffBadges: readonly string[];
  readonly minDwellMs: number;
  readonly leaveAfterMs: number;
  readonly conversionWindowMs: number;
  readonly realertAfterMs: number;
  readonly invitationWindowMs: number;
  readonly staffWindowMs: number;
  /** Store-local 'HH:MM'; occupancy resets here every day. */
  readonly openingTime: string;
  /** IANA zone of the store. */
  readonly timezone: string;
  /** Members with tier ≥ this (1–5 stars) are VIPs. */
  readonly vipTier: number;
  /**
   * Not in DESIGN. Extra clock time to wait past a deadline for late-delivered reads (a
   * reader publishing once a second delivers a read up to ~1 s after its time). Default 0:
   * decisions are taken exactly at the deadline.
   */
  readonly settleMs?: number;
  /** Not in DESIGN. A member not seen for this long has left the store (default 2 h). */
  readonly presenceTimeoutMs?: number;
  /**
   * Not in DESIGN. A fitting-room session still open this long after its start asks staff
   * for assistance (default 8 min; a size swap asks at once).
   */
  readonly assistAfterMs?: number;
  /**
   * Not in DESIGN. A member in store seen at an entrance again at least this long after
   * arriving (and after a pause in entrance reads) is leaving (default 5 min).
   */
  readonly minVisitMs?: number;
}

export const CORRELATION_DEFAULTS = {
  staffBadges: [] as readonly string[],
  minDwellMs: 20_000,
  leaveAfterMs: 30_000,
  conversionWindowMs: 2 * 3_600_000,
  realertAfterMs: 30 * 60_000,
  invitationWindowMs: 14 * 86_400_000,
  staffWindowMs: 3_000,
  openingTime: '09:30',
  timezone: 'Asia/Shanghai',
  vipTier: 4,
  settleMs: 0,
  presenceTimeoutMs: 2 * 3_600_000,
  minVisitMs: 5 * 60_000,
  assistAfterMs: 8 * 60_000,
} as const;

/** A full config from the zones plus any overrides, DESIGN's defaults for the rest. */
export function correlationConfig(
  partial: Partial<CorrelationConfig> & Pick<CorrelationConfig, 'zones'>,
): CorrelationConfig {
  return { ...CORRELATION_DEFAULTS, ...partial };
}

/** The config checked once and shaped for per-event lookups. */
export interface ResolvedConfig {
  readonly zoneKinds: ReadonlyMap<string, ZoneKind>;
  /** Per fitting room; -Infinity where no threshold is set. */
  readonly rssiMin: ReadonlyMap<string, number>;
  readonly staffBadges: ReadonlySet<string>;
  readonly minDwellMs: number;
  readonly leaveAfterMs: number;
  readonly conversionWindowMs: number;
  readonly realertAfterMs: number;
  readonly invitationWindowMs: number;
  readonly staffWindowMs: number;
  readonly openingTime: string;
  readonly timezone: string;
  readonly vipTier: number;
  readonly settleMs: number;
  readonly presenceTimeoutMs: number;
  readonly minVisitMs: number;
  readonly assistAfterMs: number;
}

function duration(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`correlation ${name} must be a finite duration ≥ 0`);
  return value;
}

export function resolveConfig(config: CorrelationConfig): ResolvedConfig {
  const zoneKinds = new Map<string, ZoneKind>();
  const rssiMin = new Map<string, number>();
  for (const [zone, z] of Object.entries(config.zones)) {
    zoneKinds.set(zone, z.kind);
    if (z.kind === 'fitting-room') rssiMin.set(zone, z.rssiMin ?? Number.NEGATIVE_INFINITY);
  }
  parseHhmm(config.openingTime);
  if (!Number.isFinite(config.vipTier)) throw new RangeError('correlation vipTier must be a number');
  return {
    zoneKinds,
    rssiMin,
    staffBadges: new Set(config.staffBadges.map((b) => b.trim().toUpperCase())),
    minDwellMs: duration('minDwellMs', config.minDwellMs),
    leaveAfterMs: duration('leaveAfterMs', config.leaveAfterMs),
    conversionWindowMs: duration('conversionWindowMs', config.conversionWindowMs),
    realertAfterMs: duration('realertAfterMs', config.realertAfterMs),
    invitationWindowMs: duration('invitationWindowMs', config.invitationWindowMs),
    staffWindowMs: duration('staffWindowMs', config.staffWindowMs),
    openingTime: config.openingTime,
    timezone: config.timezone,
    vipTier: config.vipTier,
    settleMs: duration('settleMs', config.settleMs ?? CORRELATION_DEFAULTS.settleMs),
    presenceTimeoutMs: duration(
      'presenceTimeoutMs',
      config.presenceTimeoutMs ?? CORRELATION_DEFAULTS.presenceTimeoutMs,
    ),
    minVisitMs: duration('minVisitMs', config.minVisitMs ?? CORRELATION_DEFAULTS.minVisitMs),
    assistAfterMs: duration('assistAfterMs', config.assistAfterMs ?? CORRELATION_DEFAULTS.assistAfterMs),
  };
}
