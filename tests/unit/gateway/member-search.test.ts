/** The invitation form's member search: by id, name or phone tail, bounded, no full phone. */
import { describe, expect, it } from 'vitest';
import { PHONE_TAIL_MIN_DIGITS, searchMembers } from '../../../gateway/infra/reference/member-search.js';
import type { Member } from '../../../gateway/infra/reference/reference.js';

const member = (id: string, name: string, tier: number, phone?: string): Member => ({
  id,
  name,
  tier,
  cards: [`CARD-${id}`],
  notes: 'secret note',
  ...(phone === undefined ? {} : { phone }),
});

const ROSTER: readonly Member[] = [
  member('M-100', '王芳', 5, '138 0013 8000'),
  member('M-1001', '王小明', 3, '13900001234'),
  member('M-200', 'Anna Wang', 4, '+86 137-0000-1234'),
  member('M-300', '李娜', 4),
  member('X-9', '赵敏', 2, '12'),
];

describe('member search', () => {
  it('an exact id first, then ids starting with it, then names', () => {
    expect(searchMembers(ROSTER, 'm-100', 10).map((h) => h.member)).toEqual(['M-100', 'M-1001']);
    expect(searchMembers(ROSTER, '王', 10).map((h) => h.member)).toEqual(['M-100', 'M-1001']);
    expect(searchMembers(ROSTER, 'wang', 10).map((h) => h.member)).toEqual(['M-200']);
  });

  it('by the last digits of the phone, only from 4 digits on', () => {
    expect(PHONE_TAIL_MIN_DIGITS).toBe(4);
    // Higher tier first among equal matches.
    expect(searchMembers(ROSTER, '1234', 10).map((h) => h.member)).toEqual(['M-200', 'M-1001']);
    expect(searchMembers(ROSTER, '234', 10)).toEqual([]);
    expect(searchMembers(ROSTER, '8000', 10).map((h) => h.member)).toEqual(['M-100']);
  });

  it('answers with id, name, tier and the phone tail only', () => {
    const [hit] = searchMembers(ROSTER, 'M-100', 1);
    expect(hit).toEqual({ member: 'M-100', name: '王芳', tier: 5, phoneTail: '8000' });
    expect(searchMembers(ROSTER, '李娜', 5)).toEqual([{ member: 'M-300', name: '李娜', tier: 4, phoneTail: null }]);
    expect(searchMembers(ROSTER, '赵', 5)).toEqual([{ member: 'X-9', name: '赵敏', tier: 2, phoneTail: null }]);
  });

  it('is bounded: at most the limit, never more than 20, nothing for a blank query', () => {
    const many = Array.from({ length: 100 }, (_, i) => member(`M-${i}`, `客人${i}`, 1));
    expect(searchMembers(many, '客人', 5)).toHaveLength(5);
    expect(searchMembers(many, '客人', 1000)).toHaveLength(20);
    expect(searchMembers(many, '   ', 10)).toEqual([]);
  });
});
