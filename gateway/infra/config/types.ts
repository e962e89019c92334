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
    /** Staff/dashboard MQTT accounts (gateway/pipeline/broker/acl.ts). */
    readonly users: readonly MqttUser[];
    /** mqtts listener; file paths resolved against the config file's folder. */
    readonly tls?: {
      readonly port: number;
      readonly certFile: string;
      readonly keyFile: string;
      readonly caFile?: string;
    };
    /** Per-address token bucket for new connections; absent = unlimited. */
    readonly connectRate?: { readonly perSecond: number; readonly burst: number };
    /** Cap on a persistent session's queued QoS1 messages (oldest dropped). */
    readonly maxQueuedMessages: number;
    /** Caps on retained messages (count, payload bytes); a client's retained PUBLISH beyond is refused. */
    readonly maxRetainedMessages: number;
    readonly maxRetainedBytes: number;
  };
  readonly http: {
    readonly port: number;
    readonly host: string;
    /**
     * Users from the config file (`http.auth`), or the demo users with GW_HTTP_AUTH=demo. Absent:
     * sign-in is still required, with the users of the store database (`store-gateway user add`,
     * or the first manager the gateway creates); see `openApi`.
     */
    readonly auth?: HttpAuthConfig;
    /** True only with GW_HTTP_AUTH=off: no sign-in, every request acts as a manager (bench only). */
    readonly openApi?: boolean;
    /** HTTPS + WSS; file paths resolved against the config file's folder. */
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
  };
  /** Retention periods in ms (gateway/infra/auth/retention.ts purges). */
  readonly retention: { readonly journalMs: number; readonly membersMs: number; readonly auditMs: number };
  readonly dataDir: string;
  readonly zones: ConfigFile['zones'];
  readonly devices: Readonly<Record<string, DeviceConfig>>;
  readonly staffBadges: readonly string[];
  /** Campaign slug (as invitations carry it) → its name in each language. */
  readonly campaigns: Readonly<Record<string, CampaignNames>>;
  readonly correlation: {
    readonly minDwellMs: number;
    readonly leaveAfterMs: number;
    /** A fitting-room session open this long asks staff for assistance. */
    readonly assistAfterMs: number;
    readonly conversionWindowMs: number;
    readonly realertAfterMs: number;
    readonly invitationWindowMs: number;
    readonly staffWindowMs: number;
    readonly lateWindowMs: number;
    readonly skewBoundMs: number;
    readonly settleMs: number;
  };
  readonly alerts: {
    /** Arrivals older than this when derived are recorded `late` and not pushed. */
    readonly maxAgeMs: number;
    readonly webhook?: { readonly url: string; readonly format: 'json' | 'wecom' | 'dingtalk' };
  };
  readonly upstream: { readonly natsUrl?: string; readonly tenant: string; readonly credsFile?: string };
}

export type { DeviceConfig };

export type Role = 'manager' | 'staff' | 'viewer';

export interface CampaignNames {
  readonly en: string;
  readonly 'zh-CN': string;
}

export interface HttpAuthConfig {
  readonly users: readonly {
    readonly name: string;
    readonly role: Role;
    readonly passwordHash: string;
    /** The person's name shown on acks, invitations and reports (e.g. 王芳). */
    readonly displayName?: string;
  }[];
  readonly sessionTtlMs: number;
  readonly secureCookies: boolean;
}

export interface MqttUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: 'staff' | 'dashboard' | 'integration';
}
