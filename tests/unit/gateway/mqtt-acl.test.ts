/**
 * Topic-filter containment of the MQTT ACL: a filter is granted only when every topic it
 * matches is inside an allowed pattern. Checked against a reference matcher on random
 * filters and topics, and on the filters an attacker would try first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterWithin,
  isOwnDeviceTopic,
  maySubscribe,
  publishDenial,
  subscribePatterns,
} from '../../../gateway/pipeline/broker/acl.js';

/** MQTT 3.1.1 topic matching [MQTT-4.7], the reference for the property below. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

const staff = subscribePatterns({ kind: 'user', username: 'ann', role: 'staff' }, 's001');
const dashboard = subscribePatterns({ kind: 'user', username: 'screen', role: 'dashboard' }, 's001');

describe('MQTT subscribe ACL', () => {
  it('refuses every filter that could match a topic outside the alert topics', () => {
    for (const filter of [
      '#',
      '+',
      'retail/#',
      'retail/+/#',
      'retail/s001/#',
      'retail/s001/+/vip',
      'retail/+/alerts/vip',
      'retail/s001/+/#',
      '+/+/+',
      '+/+/+/+',
      '+/s001/alerts/vip',
      'retail/s002/alerts/vip',
      'retail/s001/live/funnel',
      '$SYS/#',
      'retail/s001/alertsx/vip',
      'retail/s001',
    ]) {
      expect({ filter, granted: maySubscribe(staff, filter) }).toEqual({ filter, granted: false });
    }
  });

  it('grants filters inside the alert topics, and the live topics to a dashboard only', () => {
    // `retail/s001/alerts` too: `a/#` covers its parent level [MQTT-4.7.1-2], a gateway-only topic.
    for (const filter of [
      'retail/s001/alerts/vip',
      'retail/s001/alerts/#',
      'retail/s001/alerts/+',
      'retail/s001/alerts/+/x',
      'retail/s001/alerts',
    ])
      expect(maySubscribe(staff, filter)).toBe(true);
    expect(maySubscribe(dashboard, 'retail/s001/live/funnel')).toBe(true);
    expect(maySubscribe(staff, 'retail/s001/live/funnel')).toBe(false);
    expect(subscribePatterns({ kind: 'device', device: 'door-1' }, 's001')).toEqual([]);
  });

  it('never grants a filter that matches a topic its pattern does not (property)', () => {
    const word = fc.constantFrom('retail', 's001', 's002', 'alerts', 'live', 'vip', 'door', 'x', '', '$SYS');
    const level = fc.oneof(word, fc.constant('+'));
    const filter = fc
      .tuple(fc.array(level, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([levels, hash]) => [...levels, ...(hash ? ['#'] : [])].join('/'));
    const topic = fc.array(word, { minLength: 1, maxLength: 6 }).map((levels) => levels.join('/'));
    fc.assert(
      fc.property(filter, filter, topic, (f, p, t) => {
        if (filterWithin(f, p) && matches(f, t)) expect(matches(p, t)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('lets a device publish only under its own topics and users publish nothing', () => {
    const device = { kind: 'device', device: 'door-1' } as const;
    expect(publishDenial(device, 'retail/s001/door/door-1/event', 's001')).toBeUndefined();
    expect(publishDenial(device, 'retail/s001/door/door-2/event', 's001')).toMatch(/door-1 may not publish/);
    expect(
      publishDenial({ kind: 'user', username: 'ann', role: 'staff' }, 'retail/s001/door/door-1/event', 's001'),
    ).toMatch(/may not publish/);
    expect(publishDenial(undefined, 'retail/s001/door/door-1/event', 's001')).toMatch(/not authenticated/);
    expect(publishDenial('gateway', 'retail/s001/alerts/vip', 's001')).toBeUndefined();
  });

  it('keeps devices and anonymous clients inside retail/{store}/ and integrations from publishing', () => {
    const device = { kind: 'device', device: 'door-1' } as const;
    // The device id in fourth place is not enough: the topic must be the store's own tree.
    for (const topic of ['x/y/z/door-1/event', 'retail/s999/door/door-1/event', 'retail/s001/door/door-1/event/more']) {
      expect(publishDenial(device, topic, 's001')).toMatch(/may not publish/);
    }
    expect(publishDenial({ kind: 'anonymous' }, 'junk/1', 's001')).toMatch(/may not publish/);
    expect(publishDenial({ kind: 'anonymous' }, 'retail/s001/pos/pos-1/receipt', 's001')).toBeUndefined();
    const integration = { kind: 'user', username: 'bi', role: 'integration' } as const;
    expect(publishDenial(integration, 'retail/s001/door/door-1/event', 's001')).toMatch(/may not publish/);
    expect(subscribePatterns(integration, 's001')).toEqual(['retail/s001/#']);
  });

  it('tells a device its own topics by index exactly as splitting the topic would', () => {
    // The reference: five non-empty levels, retail / this store / any family / this device / any channel.
    const own = (topic: string, store: string, device: string) => {
      const l = topic.split('/');
      return l.length === 5 && l[0] === 'retail' && l[1] === store && l[3] === device && l.every((x) => x !== '');
    };
    const level = fc.constantFrom('retail', 's001', 's00', 's0011', 'door', 'door-1', 'door-10', 'door-', '', 'event');
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 7 }), (levels) => {
        const topic = levels.join('/');
        expect(isOwnDeviceTopic(topic, 's001', 'door-1'), topic).toBe(own(topic, 's001', 'door-1'));
      }),
      { numRuns: 20_000 },
    );
  });
});
