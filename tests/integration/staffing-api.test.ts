/**
 * GET /staffing against a real gateway: staff badge passages published over MQTT (one of
 * them late, after later reads of the same badge), visitors at the door, a sale and two VIP
 * alerts, one acknowledged 30 s after its push and one never.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { call, type Signed, signIn } from '../support/auth.js';
import { type DemoLoginGateway, devicePublisher, startDemoLoginGateway } from '../support/demo-login-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const day = '2026-11-23';
const at = (hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
const T0 = at('14:00');
const BADGE_A = 'E2000017221101441890A001';
const BADGE_B = 'E2000017221101441890A002';
const VIP_CARDS = ['E280689400005014AABB0021', 'E280689400005014AABB0022'];

interface Bucket {
  start: string;
  staffOnFloor: number | null;
  visitors: number;
  transactions: number;
  conversionRate: number | null;
  shoppersPerAssociate: number | null;
  vipAlerts: number;
  vipAcked: number;
  vipUnattended: number;
  vipResponseSeconds: number | null;
}
interface Staffing {
  now: { staffOnFloor: number | null; shoppers: number; shoppersPerAssociate: number | null };
  buckets: Bucket[];
  totals: Record<string, number | null>;
}

describe('GET /staffing', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let store: DemoLoginGateway;
  let manager: Signed;
  let wang: Signed;
  let send: ReturnType<typeof devicePublisher>;
  const base = () => store.api;
  const publish = (topic: string, body: Record<string, unknown>) => send.publish(topic, body);
  const badge = (epc: string, hhmm: string) => send.entranceReads(at(hhmm), [epc]);
  const crossing = (hhmm: string, dir: 'in' | 'out', n: number) => send.crossing(at(hhmm), dir, n);
  const staffing = async (query = '') =>
    (await (await call(base(), manager, 'GET', `/staffing${query}`)).json()) as Staffing;
  const hour = (s: Staffing, hhmm: string) => s.buckets.find((b) => b.start === `${day}T${hhmm}:00+08:00`) as Bucket;

  beforeAll(async () => {
    store = await startDemoLoginGateway(dir.path, clock);
    send = devicePublisher(store.devices);
    manager = await signIn(base(), 'manager', 'manager');
    wang = await signIn(base(), 'wangfang', 'wangfang');
  });

  afterAll(async () => {
    await store?.stop();
    dir.remove();
  });

  it('says unknown, not 0, while no staff badge was read today', async () => {
    const s = await staffing();
    expect(s.now.staffOnFloor).toBeNull();
    expect(s.now.shoppersPerAssociate).toBeNull();
    expect(hour(s, '10:00').staffOnFloor).toBeNull();
    expect(s.totals.associateHours).toBeNull();
  });

  it('derives staff on the floor per hour and shoppers per associate; a late passage corrects it', async () => {
    // A in 09:10, out 12:05 (published last, after A's 13:00), in 13:00; B in 09:40.
    await badge(BADGE_A, '09:10');
    await badge(BADGE_B, '09:40');
    await crossing('10:05', 'in', 3);
    await crossing('13:20', 'in', 4);
    await crossing('13:40', 'out', 2);
    await publish('pos/pos-1/receipt', {
      type: 'pos.receipt',
      ts: new Date(at('10:30')).toISOString(),
      receipt: 'R-1',
      kind: 'sale',
      lines: [{ sku: 'SKU-1', qty: 1, price: 100 }],
      total: 100,
      currency: 'CNY',
    });
    await badge(BADGE_A, '13:00');
    const before = await waitFor(async () => {
      const s = await staffing();
      // Every input so far derived: A's 13:00 passage (read as leaving) included.
      return hour(s, '13:00').visitors === 4 && s.now.shoppers === 5 && s.now.staffOnFloor === 1 ? s : undefined;
    }, 'staffing before the late passage');
    // Without the 12:05 read, 13:00 reads as A leaving: A on the floor 09:10–13:00.
    expect(hour(before, '12:00').staffOnFloor).toBe(2);
    expect(hour(before, '13:00').staffOnFloor).toBe(1);

    await badge(BADGE_A, '12:05');
    const s = await waitFor(async () => {
      const r = await staffing();
      return hour(r, '12:00').staffOnFloor === 1.25 ? r : undefined;
    }, 'staffing after the late passage');
    // 09:00 hour: A from 09:10 in all four slots, B from 09:40 in two: (1 + 1 + 2 + 2) / 4.
    expect(hour(s, '09:00')).toMatchObject({ staffOnFloor: 1.5, visitors: 0, shoppersPerAssociate: 0 });
    expect(hour(s, '10:00')).toMatchObject({
      staffOnFloor: 2,
      visitors: 3,
      transactions: 1,
      shoppersPerAssociate: 1.5,
    });
    expect(hour(s, '10:00').conversionRate).toBeCloseTo(1 / 3, 6);
    expect(hour(s, '13:00')).toMatchObject({ staffOnFloor: 2, visitors: 4, shoppersPerAssociate: 2 });
    expect(hour(s, '08:00')).toMatchObject({ staffOnFloor: 0, shoppersPerAssociate: null });
    // The running hour averages its begun quarters only (14:00 at 14:00): not diluted by 0s ahead.
    expect(hour(s, '14:00').staffOnFloor).toBe(2);
    expect(s.now).toEqual({ at: expect.any(String), staffOnFloor: 2, shoppers: 5, shoppersPerAssociate: 2.5 });
    // 15-min rows: the 12:00 slot has A (until 12:05) and B; 12:15 only B.
    const quarter = await staffing('?granularity=15m');
    expect(hour(quarter, '12:00').staffOnFloor).toBe(2);
    expect(hour(quarter, '12:15').staffOnFloor).toBe(1);
    // Both still on the floor (no leaving passage): counted up to now, reported as open.
    expect(s.totals.openPresences).toBe(2);
  });

  it('reports VIP alert response time and unattended VIP arrivals', async () => {
    const members = VIP_CARDS.map((card, i) => ({ id: `V-${i}`, name: `贵宾${i}`, tier: 5, cards: [card] }));
    expect((await call(base(), manager, 'PUT', '/members', members)).status).toBe(200);
    await send.entranceReads(clock.now(), VIP_CARDS);
    const alerts = await waitFor(async () => {
      const body = (await (await call(base(), wang, 'GET', '/vip/alerts')).json()) as {
        alerts: { id: string; pushedAt: number | null }[];
      };
      return body.alerts.length === 2 && body.alerts.every((a) => a.pushedAt !== null) ? body.alerts : undefined;
    }, 'two pushed VIP alerts');
    clock.advance(30_000);
    const id = alerts[0]?.id ?? '';
    expect((await call(base(), wang, 'POST', `/vip/alerts/${encodeURIComponent(id)}/ack`, { staff: 'x' })).status).toBe(
      200,
    );
    const s = await staffing();
    expect(hour(s, '14:00')).toMatchObject({ vipAlerts: 2, vipAcked: 1, vipUnattended: 1, vipResponseSeconds: 30 });
    expect(s.totals).toMatchObject({ vipAlerts: 2, vipAcked: 1, vipUnattended: 1, vipResponseSeconds: 30 });
  });

  it('refuses a granularity it does not serve', async () => {
    const res = await call(base(), manager, 'GET', '/staffing?granularity=week');
    expect(res.status).toBe(400);
  });
});
