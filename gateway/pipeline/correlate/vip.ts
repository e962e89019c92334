/**
 * VIP arrivals: a member with tier ≥ vipTier arriving at an entrance (card read or
 * member.seen there) raises vip.arrival at once; the same member raises no new alert
 * within realertAfter of their previous alert (either side, for late events).
 * Inferred arrivals (first seen away from the entrance) and exits raise nothing.
 */
import type { Fact } from './facts.js';
import { asArray, asNumber } from './snapshot-util.js';

export type VipSnapshot = [member: string, alertedAt: number][];

export class VipAlerts {
  /** member → time of the last alert, oldest first. */
  private readonly lastAlert = new Map<string, number>();

  constructor(
    private readonly vipTier: number,
    private readonly realertAfterMs: number,
  ) {}

  isVip(tier: number): boolean {
    return tier >= this.vipTier;
  }

  arrival(
    member: string,
    tier: number,
    zone: string,
    via: 'card' | 'app' | 'wifi',
    ts: number,
    invitationId: string | undefined,
    now: number,
    out: Fact[],
  ): void {
    if (!this.isVip(tier)) return;
    this.prune(now);
    const last = this.lastAlert.get(member);
    if (last !== undefined && Math.abs(ts - last) < this.realertAfterMs) return;
    this.lastAlert.delete(member);
    this.lastAlert.set(member, ts);
    out.push({
      type: 'vip.arrival',
      ts,
      member,
      tier,
      zone,
      via,
      ...(invitationId === undefined ? {} : { invitationId }),
    });
  }

  private prune(now: number): void {
    for (const [member, at] of this.lastAlert) {
      if (at + this.realertAfterMs >= now) break;
      this.lastAlert.delete(member);
    }
  }

  snapshot(): VipSnapshot {
    return [...this.lastAlert];
  }

  static restore(vipTier: number, realertAfterMs: number, data: unknown): VipAlerts {
    const v = new VipAlerts(vipTier, realertAfterMs);
    for (const row of asArray(data, 'vip')) {
      const [member, at] = asArray(row, 'vip row');
      v.lastAlert.set(String(member), asNumber(at, 'alertedAt'));
    }
    return v;
  }
}
