/** Campaign names in the config: both languages required, absent means none. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../../gateway/infra/config/defaults.js';
import { ConfigError, parseConfig } from '../../../gateway/infra/config/index.js';

const BASE = `
version: 1
store: { id: s001, name: "店", timezone: Asia/Shanghai, currency: CNY, openingTime: "09:30", vipTier: 4, locale: zh-CN }
zones: { entrance: { kind: entrance } }
devices: { door-1: { kind: door-counter, transport: mqtt, door: main, zone: entrance } }
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

describe('config: campaigns', () => {
  it('maps a slug to its names; none configured is an empty map', () => {
    const config = parseConfig(
      `${BASE}campaigns:\n  winter-vip: { en: Winter private sale, zh-CN: 冬季私享会 }\n`,
      't',
    );
    expect(config.campaigns).toEqual({ 'winter-vip': { en: 'Winter private sale', 'zh-CN': '冬季私享会' } });
    expect(parseConfig(BASE, 't').campaigns).toEqual({});
  });

  it('needs both languages and nothing else', () => {
    expect(problems(`${BASE}campaigns:\n  winter-vip: { en: Winter }\n`)).toEqual([
      '/campaigns/winter-vip: must have required properties zh-CN',
    ]);
    expect(problems(`${BASE}campaigns:\n  winter-vip: { en: W, zh-CN: 冬, fr: H }\n`)).toEqual([
      '/campaigns/winter-vip/fr: unknown key',
    ]);
  });

  it('is keyed by the campaign as invitations carry it, free text included', () => {
    const config = parseConfig(`${BASE}campaigns:\n  "冬季 新品": { en: Winter arrivals, zh-CN: 冬季新品 }\n`, 't');
    expect(config.campaigns['冬季 新品']?.en).toBe('Winter arrivals');
  });

  it('the demo store names the campaigns its simulated day invites to', () => {
    const demo = parseConfig(DEFAULT_CONFIG_YAML, 'demo');
    for (const slug of ['spring-preview', 'vip-private-sale', 'birthday-gift'])
      expect(demo.campaigns[slug]?.['zh-CN'], slug).toMatch(/[\u4e00-\u9fff]/);
  });
});
