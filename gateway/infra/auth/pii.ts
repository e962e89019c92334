/**
 * Member PII (DESIGN: name, phone, notes) in API payloads: found and stripped by shape, not
 * per route, so a route added later cannot leak it to a viewer by forgetting a call.
 *
 *  - `phone`, `phoneTail` and `notes` are member-only fields wherever they appear;
 *  - `name` is a member's name in an object that names a member (`member: "<id>"`, e.g. a VIP
 *    profile or a VIP in store) or that is itself the value of a `member` key (the MQTT-style
 *    `member: {id, name, ...}`). Product and store names have no `member` next to them.
 *
 * Stripped values become null, so the shapes the dashboard reads stay the same.
 */

const ALWAYS = ['phone', 'phoneTail', 'notes'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function memberContext(obj: Record<string, unknown>, parentKey: string | undefined): boolean {
  return typeof obj.member === 'string' || parentKey === 'member';
}

/** True when `value` holds any member name, phone or notes. */
export function carriesMemberPii(value: unknown, parentKey?: string, depth = 0): boolean {
  // Deeper than any payload we build: treat as carrying PII, so it is stripped.
  if (depth > 32) return true;
  if (Array.isArray(value)) {
    for (const v of value)
      if (typeof v === 'object' && v !== null && carriesMemberPii(v, parentKey, depth + 1)) return true;
    return false;
  }
  if (!isRecord(value)) return false;
  if (typeof value.phone === 'string' || typeof value.phoneTail === 'string' || typeof value.notes === 'string')
    return true;
  if (memberContext(value, parentKey) && typeof value.name === 'string') return true;
  // for-in, not Object.entries: this runs over every API answer (a year of buckets is 35k objects).
  for (const key in value) {
    const v = value[key];
    if (typeof v === 'object' && v !== null && carriesMemberPii(v, key, depth + 1)) return true;
  }
  return false;
}

/**
 * A copy of `value` without member PII. Serialisable values only (API payloads, feed
 * messages); anything else (a Date, a Buffer) goes through JSON first.
 */
export function stripMemberPii(value: unknown): unknown {
  if (!carriesMemberPii(value)) return value;
  return strip(JSON.parse(JSON.stringify(value)) as Json, undefined, 0);
}

function strip(value: Json, parentKey: string | undefined, depth: number): Json {
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((v) => strip(v, parentKey, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const inMember = memberContext(value, parentKey);
  // No prototype: a JSON key `__proto__` stays a plain key.
  const out = Object.create(null) as { [key: string]: Json };
  for (const [key, v] of Object.entries(value)) {
    if ((ALWAYS as readonly string[]).includes(key) || (inMember && key === 'name')) out[key] = null;
    else out[key] = strip(v, key, depth + 1);
  }
  return out;
}
