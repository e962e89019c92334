/**
 * The demo store every simulated day happens in. The gateway builds its built-in demo config
 * from this object, so zones, devices, antennas and staff badges here ARE the config the
 * simulated devices are counted against. Shaped like the gateway's YAML config file.
 */

export type DemoZoneKind = 'entrance' | 'outside' | 'fitting-room' | 'cashdesk' | 'floor';

export interface DemoZone {
  readonly kind: DemoZoneKind;
  readonly rssiMin?: number;
}

export type DemoDevice =
  | { readonly kind: 'door-counter'; readonly transport: 'mqtt'; readonly door: string; readonly zone: string }
  | {
      readonly kind: 'rfid-reader';
      readonly transport: 'mqtt';
      readonly format: 'native';
      readonly antennas: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'pos'; readonly transport: 'mqtt' }
  | { readonly kind: 'member-source'; readonly transport: 'mqtt' };

export interface DemoStoreConfig {
  readonly version: 1;
  readonly store: {
    readonly id: string;
    readonly name: string;
    readonly timezone: string;
    readonly currency: string;
    readonly openingTime: string;
    readonly vipTier: number;
    readonly locale: 'zh-CN' | 'en';
  };
  readonly zones: Readonly<Record<string, DemoZone>>;
  readonly devices: Readonly<Record<string, DemoDevice>>;
  readonly staff: { readonly badges: readonly string[] };
  readonly correlation: {
    readonly minDwell: string;
    readonly leaveAfter: string;
    readonly conversionWindow: string;
    readonly realertAfter: string;
    readonly invitationWindow: string;
    readonly staffWindow: string;
    readonly lateWindow: string;
  };
}

/** Staff badges: plain 96-bit EPCs with a chip-maker header (E2…), never SGTIN (0x30). */
export const demoStaff = [
  { id: 'st-01', name: '王芳', badge: 'E2000017221101441890A001' },
  { id: 'st-02', name: '李娜', badge: 'E2000017221101441890A002' },
  { id: 'st-03', name: '张伟', badge: 'E2000017221101441890A003' },
  { id: 'st-04', name: '刘洋', badge: 'E2000017221101441890A004' },
] as const;

export const demoStore: DemoStoreConfig = {
  version: 1,
  store: {
    id: 's001',
    name: '旗舰店',
    timezone: 'Asia/Shanghai',
    currency: 'CNY',
    openingTime: '09:30',
    vipTier: 4,
    locale: 'zh-CN',
  },
  zones: {
    entrance: { kind: 'entrance' },
    street: { kind: 'outside' },
    'fr-1': { kind: 'fitting-room', rssiMin: -70 },
    'fr-2': { kind: 'fitting-room', rssiMin: -70 },
    'fr-3': { kind: 'fitting-room', rssiMin: -70 },
    'fr-4': { kind: 'fitting-room', rssiMin: -70 },
    floor: { kind: 'floor' },
    till: { kind: 'cashdesk' },
  },
  devices: {
    'door-1': { kind: 'door-counter', transport: 'mqtt', door: 'main', zone: 'entrance' },
    'street-1': { kind: 'door-counter', transport: 'mqtt', door: 'street', zone: 'street' },
    'rfid-fr': {
      kind: 'rfid-reader',
      transport: 'mqtt',
      format: 'native',
      antennas: { '1': 'fr-1', '2': 'fr-2', '3': 'fr-3', '4': 'fr-4', '5': 'entrance', '6': 'floor' },
    },
    'pos-1': { kind: 'pos', transport: 'mqtt' },
    'pos-2': { kind: 'pos', transport: 'mqtt' },
    app: { kind: 'member-source', transport: 'mqtt' },
  },
  staff: { badges: demoStaff.map((s) => s.badge) },
  correlation: {
    minDwell: '20s',
    leaveAfter: '30s',
    conversionWindow: '2h',
    realertAfter: '30m',
    invitationWindow: '14d',
    staffWindow: '3s',
    lateWindow: '7d',
  },
};

/** The same correlation settings in milliseconds, for the generator's ground truth. */
export const demoRules = {
  minDwellMs: 20_000,
  leaveAfterMs: 30_000,
  conversionWindowMs: 2 * 3600_000,
  realertAfterMs: 30 * 60_000,
  invitationWindowMs: 14 * 86_400_000,
  staffWindowMs: 3_000,
  /** Asia/Shanghai has no DST: store-local time is always UTC+8. */
  utcOffsetMinutes: 480,
} as const;

/** Antenna numbers of the fitting-room reader (rfid-fr), by zone. */
export const demoAntennas = {
  rooms: [
    { zone: 'fr-1', ant: 1 },
    { zone: 'fr-2', ant: 2 },
    { zone: 'fr-3', ant: 3 },
    { zone: 'fr-4', ant: 4 },
  ],
  entrance: 5,
  floor: 6,
} as const;

/** Fitting-room RSSI threshold of the demo store (all four rooms share it). */
export const demoRoomRssiMin = -70;
