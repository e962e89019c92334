import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../../gateway/infra/config/index.js';
import { tempDir } from '../../support/tmp.js';

const DESIGN_EXAMPLE = `
version: 1
store: { id: s001, name: "旗舰店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
mqtt: { port: 1883 }
http: { port: 8080 }
dataDir: ./data
zones:
  entrance: { kind: entrance }
  street:   { kind: outside }
  fr-1:     { kind: fitting-room, rssiMin: -70 }
  fr-2:     { kind: fitting-room, rssiMin: -70 }
  till:     { kind: cashdesk }
devices:
  door-1:   { kind: door-counter, transport: mqtt, door: main, zone: entrance }
  door-2:   { kind: door-counter, transport: serial, path: /dev/ttyUSB0, baudRate: 9600, door: side, zone: entrance }
  beam-1:   { kind: door-counter, transport: gpio, pins: { a: 17, b: 27 }, door: back, zone: entrance }
  rfid-fr:  { kind: rfid-reader, transport: mqtt, format: native, antennas: { 1: fr-1, 2: fr-2, 3: entrance } }
  impinj-1: { kind: rfid-reader, transport: mqtt, format: impinj-iot, antennas: { 1: entrance } }
  r2000-1:  { kind: rfid-reader, transport: serial, path: /dev/ttyUSB1, baudRate: 115200, antennas: { 1: fr-1 } }
  pos-1:    { kind: pos, transport: mqtt }
  app:      { kind: member-source, transport: mqtt }
staff: { badges: ["E2000017221101441890ABCD"] }
correlation: { minDwell: 20s, leaveAfter: 30s, conversionWindow: 2h, realertAfter: 30m, invitationWindow: 14d, staffWindow: 3s, lateWindow: 7d }
upstream: { natsUrl: "nats://hq.example:4222", tenant: acme, credsFile: ./nats.creds }
`;

function problemsOf(text: string, env = {}): string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('config', () => {
  it('accepts the example file of DESIGN.md and resolves durations and defaults', () => {
    const config = parseConfig(DESIGN_EXAMPLE, 'design.yaml', {}, '/srv/gw');
    expect(config.store.id).toBe('s001');
    expect(config.correlation.minDwellMs).toBe(20_000);
    expect(config.correlation.conversionWindowMs).toBe(7_200_000);
    expect(config.correlation.invitationWindowMs).toBe(14 * 86_400_000);
    expect(config.dataDir).toBe('/srv/gw/data');
    expect(config.mqtt).toMatchObject({ mode: 'embedded', port: 1883 });
    expect(config.staffBadges).toEqual(['E2000017221101441890ABCD']);
    expect(config.upstream).toMatchObject({
      natsUrl: 'nats://hq.example:4222',
      tenant: 'acme',
      credsFile: '/srv/gw/nats.creds',
    });
  });

  it('applies environment overrides over the file', () => {
    const config = parseConfig(DESIGN_EXAMPLE, 'design.yaml', {
      GW_STORE_ID: 's999',
      GW_MQTT_PORT: '18830',
      GW_HTTP_PORT: '18080',
      GW_DATA_DIR: '/tmp/gw-data',
      GW_NATS_URL: 'nats://127.0.0.1:4333',
    });
    expect(config.store.id).toBe('s999');
    expect(config.mqtt.port).toBe(18830);
    expect(config.http.port).toBe(18080);
    expect(config.dataDir).toBe('/tmp/gw-data');
    expect(config.upstream.natsUrl).toBe('nats://127.0.0.1:4333');
  });

  it('runs the built-in default when no file is given', () => {
    const config = loadConfig(undefined, {});
    expect(config.store.timezone).toBe('Asia/Shanghai');
    expect(Object.keys(config.devices)).toContain('door-1');
  });

  it('reports every bad path at once, not just the first', () => {
    const broken = DESIGN_EXAMPLE.replace('vipTier: 4', 'vipTier: 9')
      .replace('timezone: Asia/Shanghai', 'timezone: 42')
      .replace('minDwell: 20s', 'minDwell: twenty')
      .replace('baudRate: 9600', 'baudRate: "fast"')
      .replace('kind: cashdesk', 'kind: kitchen');
    const problems = problemsOf(broken);
    const joined = problems.join('\n');
    expect(joined).toContain('/store/vipTier');
    expect(joined).toContain('/store/timezone');
    expect(joined).toContain('/correlation/minDwell');
    expect(joined).toContain('/devices/door-2/baudRate');
    expect(joined).toContain('/zones/till/kind');
  });

  it('names unknown zones, unknown time zones, stray keys and bad env values', () => {
    const problems = problemsOf(
      DESIGN_EXAMPLE.replace('antennas: { 1: fr-1 } }', 'antennas: { 1: fr-9 } }')
        .replace('timezone: Asia/Shanghai', 'timezone: Mars/Olympus')
        .replace('dataDir: ./data', 'dataDir: ./data\nextra: 1'),
    );
    expect(problems.join('\n')).toContain('/extra');
    const semantic = problemsOf(
      DESIGN_EXAMPLE.replace('antennas: { 1: fr-1 } }', 'antennas: { 1: fr-9 } }').replace(
        'timezone: Asia/Shanghai',
        'timezone: Mars/Olympus',
      ),
    ).join('\n');
    expect(semantic).toContain('/devices/r2000-1/antennas/1: no zone named "fr-9"');
    expect(semantic).toContain('/store/timezone: unknown IANA time zone');
    expect(problemsOf(DESIGN_EXAMPLE, { GW_MQTT_PORT: 'abc' }).join('\n')).toContain('/mqtt/port');
  });

  it('rejects an unknown device kind with its path', () => {
    const problems = problemsOf(DESIGN_EXAMPLE.replace('kind: pos, transport: mqtt', 'kind: toaster, transport: mqtt'));
    expect(problems).toContain('/devices/pos-1: unknown kind/transport "toaster"/"mqtt"');
  });

  it('takes network people counters, with a password or a password file (resolved), not both or neither', () => {
    const withCounters = (hik: string, axis: string) =>
      DESIGN_EXAMPLE.replace(
        '  pos-1:',
        `  hik-1: { kind: door-counter, transport: hikvision-isapi, url: "http://192.168.1.64", username: admin, ${hik}door: main, zone: entrance }\n` +
          `  axis-1: { kind: door-counter, transport: axis-vapix, url: "http://192.168.0.90", username: viewer, ${axis}door: side, zone: entrance }\n  pos-1:`,
      );
    const ok = parseConfig(
      withCounters('passwordFile: secrets/hik, channel: 2, ', 'password: pw, pollInterval: 2s, '),
      '/etc/gw/test.yaml',
      {},
      '/etc/gw',
    );
    expect(ok.devices['hik-1']).toMatchObject({
      transport: 'hikvision-isapi',
      channel: 2,
      passwordFile: '/etc/gw/secrets/hik',
    });
    expect(ok.devices['axis-1']).toMatchObject({ transport: 'axis-vapix', password: 'pw', pollInterval: '2s' });
    expect(problemsOf(withCounters('', 'password: a, passwordFile: b, timezone: Mars/Base, '))).toEqual([
      '/devices/hik-1: give either password or passwordFile',
      '/devices/axis-1: give either password or passwordFile',
      '/devices/axis-1/timezone: unknown IANA time zone "Mars/Base"',
    ]);
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf('version: 1\nstore: {')[0]).toMatch(/not valid YAML/);
  });

  it('reads a file named by GW_CONFIG', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'gw.yaml');
      writeFileSync(file, DESIGN_EXAMPLE);
      expect(loadConfig(undefined, { GW_CONFIG: file }).dataDir).toBe(join(dir.path, 'data'));
    } finally {
      dir.remove();
    }
  });
});

describe('built-in default config', () => {
  it('is the demo store the simulators speak for: same zones, devices, antennas and staff badges', async () => {
    const { demoStore } = await import('../../../firmware-sim/index.js');
    const config = loadConfig(undefined, {});
    expect(config.store).toEqual(demoStore.store);
    expect(config.zones).toEqual(demoStore.zones);
    expect(config.devices).toEqual(demoStore.devices);
    expect(config.staffBadges).toEqual(demoStore.staff.badges);
  });
});
