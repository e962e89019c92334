/** Member PII found and stripped by shape; product and store names are not PII. */
import { describe, expect, it } from 'vitest';
import { carriesMemberPii, stripMemberPii } from '../../../gateway/infra/auth/pii.js';

describe('member PII by shape', () => {
  it('strips names next to a member id, phones and notes anywhere, and keeps everything else', () => {
    const live = {
      store: { id: 's001', name: '旗舰店' },
      vipsInStore: [{ member: 'M-1', name: '陈静', tier: 5, since: 'x' }],
      products: [{ gtin: '1', name: 'Silk shirt' }],
    };
    expect(carriesMemberPii(live)).toBe(true);
    expect(stripMemberPii(live)).toEqual({
      store: { id: 's001', name: '旗舰店' },
      vipsInStore: [{ member: 'M-1', name: null, tier: 5, since: 'x' }],
      products: [{ gtin: '1', name: 'Silk shirt' }],
    });
    const mqttStyle = { type: 'vip.arrival', member: { id: 'M-1', name: 'A', phone: '138', notes: 'n', tier: 5 } };
    expect(stripMemberPii(mqttStyle)).toEqual({
      type: 'vip.arrival',
      member: { id: 'M-1', name: null, phone: null, notes: null, tier: 5 },
    });
    const alert = {
      id: 'a',
      member: 'M-1',
      profile: { member: 'M-1', name: 'A', notes: null, triedNotBought: [{ name: 'Shirt' }] },
    };
    expect(stripMemberPii(alert)).toEqual({
      id: 'a',
      member: 'M-1',
      profile: { member: 'M-1', name: null, notes: null, triedNotBought: [{ name: 'Shirt' }] },
    });
  });

  it('strips a member search hit (name and phone tail) and a journey row (name) for viewers', () => {
    const search = { members: [{ member: 'M-1', name: '王芳', tier: 5, phoneTail: '8000' }] };
    expect(stripMemberPii(search)).toEqual({ members: [{ member: 'M-1', name: null, tier: 5, phoneTail: null }] });
    expect(carriesMemberPii({ phoneTail: '8000' })).toBe(true);
    const journey = { journeys: [{ invitation: 'i', member: 'M-1', name: '王芳', campaign: 'c', arrivedAt: 1 }] };
    expect(stripMemberPii(journey)).toEqual({
      journeys: [{ invitation: 'i', member: 'M-1', name: null, campaign: 'c', arrivedAt: 1 }],
    });
  });

  it('leaves PII-free payloads as they are (same object) and handles odd keys', () => {
    const funnel = { buckets: [{ start: 'x', visitors: 1 }], totals: { visitors: 1 } };
    expect(carriesMemberPii(funnel)).toBe(false);
    expect(stripMemberPii(funnel)).toBe(funnel);
    const odd = JSON.parse('{"__proto__": {"member": "M", "name": "X"}, "a": [null, 1, "s"]}') as unknown;
    const out = stripMemberPii(odd) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"__proto__":{"member":"M","name":null},"a":[null,1,"s"]}');
    expect(({} as Record<string, unknown>).member).toBeUndefined();
  });
});
