/**
 * Finding a member to invite: by member id, by name, or by the last digits of their phone
 * (how staff ask on the phone: 手机尾号). Results are few and carry only what tells two
 * members apart (id, name, tier, phone tail): never the full phone, cards or notes.
 */
import type { Member } from './reference.js';

export interface MemberHit {
  readonly member: string;
  readonly name: string;
  readonly tier: number;
  /** The phone's last 4 digits, or null without a phone. */
  readonly phoneTail: string | null;
}

/** Fewer phone digits than this would list a large part of the roster. */
export const PHONE_TAIL_MIN_DIGITS = 4;
export const SEARCH_LIMIT_MAX = 20;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/** How well `m` matches: 0 exact id … 4 phone tail; undefined when it does not. */
function rank(m: Member, q: string, lower: string): number | undefined {
  const id = m.id.toLowerCase();
  if (id === lower) return 0;
  if (id.startsWith(lower)) return 1;
  const name = m.name.toLowerCase();
  if (name.startsWith(lower)) return 2;
  if (name.includes(lower)) return 3;
  if (/^\d+$/.test(q) && q.length >= PHONE_TAIL_MIN_DIGITS && m.phone && digitsOf(m.phone).endsWith(q)) return 4;
  return undefined;
}

export function searchMembers(members: Iterable<Member>, query: string, limit: number): MemberHit[] {
  const q = query.trim();
  if (q === '') return [];
  const lower = q.toLowerCase();
  const hits: { m: Member; r: number }[] = [];
  for (const m of members) {
    const r = rank(m, q, lower);
    if (r !== undefined) hits.push({ m, r });
  }
  hits.sort((a, b) => a.r - b.r || b.m.tier - a.m.tier || (a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0));
  return hits.slice(0, Math.max(1, Math.min(limit, SEARCH_LIMIT_MAX))).map(({ m }) => {
    const digits = m.phone ? digitsOf(m.phone) : '';
    return { member: m.id, name: m.name, tier: m.tier, phoneTail: digits.length >= 4 ? digits.slice(-4) : null };
  });
}
