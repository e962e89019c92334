import type { ConfigFile, DeviceConfig } from './schema.js';

/** The validated config with defaults applied and durations in milliseconds. */
export interface GatewayConfig {
  readonly store: ConfigFile['store'];
  readonly mqtt: {
    readonly mode: 'embedded' | 'client';
    readonly port: number;
    readonly host: string;
    readonly url?: string;
    readonly maxPacketBytes: number;
    readonly allowAnonymous: boolean;
  };
  readonly http: { readonly port: number; readonly host: string };
  readonly dataDir: string;
  readonly zones: ConfigFile['zones'];
  readonly devices: Readonly<Record<string, DeviceConfig>>;
  readonly staffBadges: readonly string[];
  readonly correlation: {
    readonly minDwellMs: number;
    readonly leaveAfterMs: number;
    readonly conversionWindowMs: number;
    readonly realertAfterMs: number;
    readonly invitationWindowMs: number;
    readonly staffWindowMs: number;
    readonly lateWindowMs: number;
    readonly skewBoundMs: number;
    readonly settleMs: number;
  };
  readonly alerts: { readonly webhook?: { readonly url: string; readonly format: 'json' | 'wecom' | 'dingtalk' } };
  readonly upstream: { readonly natsUrl?: string; readonly tenant: string; readonly credsFile?: string };
}

export type { DeviceConfig };
