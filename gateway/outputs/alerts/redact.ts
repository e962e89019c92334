/**
 * What of a VIP alert reaches a role that may not read VIP alerts (HTTP viewers, the MQTT
 * `dashboard` and `integration` roles): that a VIP (member id, tier) arrived where and how,
 * which a viewer also sees on `/live` and in the `vip.arrival` fact. No name, notes, phone,
 * sizes, brands, purchases, tried items or invitation: the profile is for the shop floor.
 */
import type { VipAlert } from './store.js';

export interface RedactedArrival {
  readonly id: string;
  readonly type: 'vip.arrival';
  readonly ts: number;
  readonly member: string;
  readonly tier: number;
  readonly zone: string;
  readonly via: string;
}

/** An SSE `vip.arrival` (a VipAlert) reduced for a viewer. */
export function redactedArrival(alert: VipAlert): RedactedArrival {
  return {
    id: alert.id,
    type: 'vip.arrival',
    ts: alert.ts,
    member: alert.member,
    tier: alert.profile.tier,
    zone: alert.zone,
    via: alert.via,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An MQTT alert payload (`retail/{store}/alerts/vip`) reduced the same way: a `vip.arrival`
 * keeps `member: {id, tier}`, `zone`, `via`; other messages (`vip.ack`) carry no profile and
 * pass unchanged.
 */
export function redactAlertPayload(payload: Buffer): Buffer {
  let message: unknown;
  try {
    message = JSON.parse(payload.toString('utf8'));
  } catch {
    // Only the gateway publishes on the alert topic; what is not a JSON arrival carries no profile.
    return payload;
  }
  if (!isRecord(message) || message.type !== 'vip.arrival') return payload;
  const member = isRecord(message.member) ? message.member : {};
  return Buffer.from(
    JSON.stringify({
      v: message.v,
      type: message.type,
      id: message.id,
      ts: message.ts,
      member: { id: member.id, tier: member.tier },
      zone: message.zone,
      via: message.via,
    }),
  );
}
