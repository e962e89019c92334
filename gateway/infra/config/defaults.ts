/**
 * The config used when no file is given: the demo store of firmware-sim (same zones,
 * devices and badges), so `store-gateway start` and `demo` work out of the box.
 */
export const DEFAULT_CONFIG_YAML = `
version: 1
store: { id: s001, name: "旗舰店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 1883, allowAnonymous: true }   # the demo store; a real store sets false and gives each device credentials
http: { port: 8080 }
dataDir: ./data
zones:
  entrance: { kind: entrance }
  street:   { kind: outside }
  fr-1:     { kind: fitting-room, rssiMin: -70 }
  fr-2:     { kind: fitting-room, rssiMin: -70 }
  fr-3:     { kind: fitting-room, rssiMin: -70 }
  fr-4:     { kind: fitting-room, rssiMin: -70 }
  floor:    { kind: floor }
  till:     { kind: cashdesk }
devices:
  door-1:   { kind: door-counter, transport: mqtt, door: main, zone: entrance }
  street-1: { kind: door-counter, transport: mqtt, door: street, zone: street }
  rfid-fr:  { kind: rfid-reader, transport: mqtt, format: native, antennas: { 1: fr-1, 2: fr-2, 3: fr-3, 4: fr-4, 5: entrance, 6: floor } }
  pos-1:    { kind: pos, transport: mqtt }
  pos-2:    { kind: pos, transport: mqtt }
  app:      { kind: member-source, transport: mqtt }
staff: { badges: [E2000017221101441890A001, E2000017221101441890A002, E2000017221101441890A003, E2000017221101441890A004] }
campaigns:
  spring-preview: { en: Spring preview, zh-CN: 春季新品预览 }
  vip-private-sale: { en: Winter private sale, zh-CN: 冬季私享会 }
  birthday-gift: { en: Birthday gift, zh-CN: 生日礼遇 }
correlation: { minDwell: 20s, leaveAfter: 30s, assistAfter: 8m, conversionWindow: 2h, realertAfter: 30m, invitationWindow: 14d, staffWindow: 3s, lateWindow: 7d }
`;

/**
 * DEMO ONLY: the demo's dashboard users (password = name: manager/manager, staff/staff,
 * viewer/viewer, and two staff persons with display names: wangfang/wangfang 王芳,
 * lilei/lilei 李雷; `staff` is a shared shop-floor account without one), added when GW_HTTP_AUTH=demo (the `demo` command sets it). Never use them in
 * a store: give real users with `store-gateway hash-password` hashes in http.auth.users.
 */
/** The demo's staff persons (their password is their name): the demo records invitations as them. */
export const DEMO_STAFF_PERSONS = ['wangfang', 'lilei'] as const;

export const DEMO_HTTP_USERS = [
  {
    name: 'manager',
    role: 'manager',
    passwordHash: 'scrypt$16384$8$1$I3yvo5iCcjMCL/ribv/sNA==$Bz7b+oe4NcLITSQa1yhE3suAJeffxMF9pkuSOPCG14A=',
  },
  {
    name: 'staff',
    role: 'staff',
    passwordHash: 'scrypt$16384$8$1$ZBh23uNJSSEH65uAmXE/WA==$MdoLgWlBwL0DUs227z7Vt7Loke7IX7ixLl6ql8TD2/c=',
  },
  {
    name: 'wangfang',
    role: 'staff',
    displayName: '王芳',
    passwordHash: 'scrypt$16384$8$1$Ti9WbrhRuaWdys0O5+LVHg==$BfsgWyC4yUaqNUjNobi2+X+dMF0dJThURpQnH4qnQ4Y=',
  },
  {
    name: 'lilei',
    role: 'staff',
    displayName: '李雷',
    passwordHash: 'scrypt$16384$8$1$XOMRyicRcKhjWwqLZhomiw==$oHJF18GrQvVmcmBBs5x3cvQScUGPGcDTgPY3ez+nelw=',
  },
  {
    name: 'viewer',
    role: 'viewer',
    passwordHash: 'scrypt$16384$8$1$GI//ZP72Vra2Ku0BASpVxQ==$bUBlYehavjT6WAvkvRRgKWS5VhUxWrSQ/0TpFiGgDL8=',
  },
] as const;
