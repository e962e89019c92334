/**
 * Staff are people: two staff persons of the demo (王芳, 李雷) and the shared `staff`
 * account against a real gateway. Acks and invitations record the signed-in person's display
 * name whatever the body claims; the invitation report names the person per staff row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/infra/clock/index.js';
import { call, type Signed, signIn } from '../support/auth.js';
import { type DemoLoginGateway, devicePublisher, startDemoLoginGateway } from '../support/demo-login-gateway.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const T0 = Date.parse('2026-11-23T14:00:00+08:00');
const CARDS = ['E280689400005014AABB0011', 'E280689400005014AABB0012'];

interface Alert {
  id: string;
  member: string;
  ack: { by: string; name: string; at: number } | null;
}

describe('staff persons on acks, invitations and reports', () => {
  const clock = new ManualClock(T0);
  const dir = tempDir();
  let store: DemoLoginGateway;
  let wang: Signed;
  let li: Signed;
  let shared: Signed;
  let manager: Signed;
  const base = () => store.api;

  beforeAll(async () => {
    store = await startDemoLoginGateway(dir.path, clock);
    [wang, li, shared, manager] = await Promise.all([
      signIn(base(), 'wangfang', 'wangfang'),
      signIn(base(), 'lilei', 'lilei'),
      signIn(base(), 'staff', 'staff'),
      signIn(base(), 'manager', 'manager'),
    ]);
    const members = CARDS.map((card, i) => ({ id: `M-${i}`, name: `会员${i}`, tier: 5, cards: [card] }));
    expect((await call(base(), manager, 'PUT', '/members', members)).status).toBe(200);
  });

  afterAll(async () => {
    await store?.stop();
    dir.remove();
  });

  it('exposes the display name on sign-in and /auth/me; the shared account has none', async () => {
    expect(((await (await call(base(), wang, 'GET', '/auth/me')).json()) as { user: unknown }).user).toEqual({
      name: 'wangfang',
      role: 'staff',
      displayName: '王芳',
    });
    expect(((await (await call(base(), shared, 'GET', '/auth/me')).json()) as { user: unknown }).user).toEqual({
      name: 'staff',
      role: 'staff',
      displayName: null,
    });
  });

  it('records the signed-in person on an ack, not the name the body claims', async () => {
    await devicePublisher(store.devices).entranceReads(clock.now(), CARDS);
    const alerts = await waitFor(async () => {
      const body = (await (await call(base(), wang, 'GET', '/vip/alerts')).json()) as { alerts: Alert[] };
      return body.alerts.length === 2 ? body.alerts : undefined;
    }, 'two VIP alerts');
    const [first, second] = alerts as [Alert, Alert];
    const ack = async (who: Signed, alert: Alert) =>
      (
        (await (
          await call(base(), who, 'POST', `/vip/alerts/${encodeURIComponent(alert.id)}/ack`, {
            staff: 'someone',
            staffName: '冒名',
          })
        ).json()) as { alert: Alert }
      ).alert.ack;
    expect(await ack(wang, first)).toMatchObject({ by: 'wangfang', name: '王芳' });
    // First ack wins: 李雷 gets the alert as 王芳 took it.
    expect(await ack(li, first)).toMatchObject({ by: 'wangfang', name: '王芳' });
    expect(await ack(shared, second)).toMatchObject({ by: 'staff', name: 'staff' });
    const listed = (await (await call(base(), manager, 'GET', '/vip/alerts')).json()) as { alerts: Alert[] };
    expect(listed.alerts.map((a) => a.ack?.name).sort()).toEqual(['staff', '王芳']);
  });

  it('records the person on invitations and names them in the report per staff row', async () => {
    const invite = (who: Signed, member: string) =>
      call(base(), who, 'POST', '/invitations', {
        member,
        staff: 'whoever',
        staffName: '冒名',
        channel: 'wechat',
        campaign: '冬季新品',
      });
    expect((await invite(wang, 'M-0')).status).toBe(201);
    expect((await invite(wang, 'M-1')).status).toBe(201);
    expect((await invite(li, 'M-1')).status).toBe(201);
    const list = (await (await call(base(), manager, 'GET', '/invitations')).json()) as {
      invitations: { staff: string; staffName: string }[];
    };
    expect(list.invitations.map((i) => `${i.staff}/${i.staffName}`).sort()).toEqual([
      'lilei/李雷',
      'wangfang/王芳',
      'wangfang/王芳',
    ]);
    const report = await waitFor(async () => {
      const r = (await (await call(base(), manager, 'GET', '/invitations/report')).json()) as {
        byStaff: { staff: string; staffName: string; invited: number }[];
      };
      return r.byStaff.length === 2 ? r : undefined;
    }, 'the report');
    expect(report.byStaff).toEqual([
      expect.objectContaining({ staff: 'wangfang', staffName: '王芳', invited: 2 }),
      expect.objectContaining({ staff: 'lilei', staffName: '李雷', invited: 1 }),
    ]);
  });
});
