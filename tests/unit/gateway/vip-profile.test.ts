/**
 * Issue 13 item 4: the VIP card tells the truth. "Tried, not bought" lists only garments
 * tried in sessions tied to the member (their card in the room), never another customer's
 * try-on during their visit; recent purchases list the items, named from the catalog.
 * Facts come from the real correlator and are written by the real FactWriter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/infra/config/index.js';
import { ReferenceData } from '../../../gateway/infra/reference/index.js';
import { ProfileBuilder } from '../../../gateway/outputs/alerts/profile.js';
import { Correlator, type VipArrivalFact } from '../../../gateway/pipeline/correlate/index.js';
import { FactWriter } from '../../../gateway/pipeline/derive/fact-writer.js';
import { openDb } from '../../../gateway/pipeline/journal/index.js';
import { tempDir } from '../../support/tmp.js';
import {
  ev,
  HOUR,
  inOrder,
  JEANS,
  MEMBERS,
  MIN,
  ofType,
  reads,
  receipt,
  run,
  S,
  SHIRT_M,
  T0,
  tag,
  testConfig,
  testLookups,
  tick,
} from '../correlate/helpers.js';

const VIP_CARD = MEMBERS[0]?.cards[0] as string;
const DAY = 24 * HOUR;
const dir = tempDir();
afterAll(() => dir.remove());

describe('VIP profile', () => {
  it('lists only items the member tried (tied sessions) and names the items of recent purchases', () => {
    const db = openDb(dir.path);
    const reference = new ReferenceData(db);
    reference.importMembers([{ id: 'm-vip', name: '陈静', tier: 5, cards: [VIP_CARD], notes: '羊毛过敏' }]);
    reference.importCatalog([
      { gtin: '80614141123458', sku: 'S1-M', style: 'S1', color: '白', size: 'M', name: '真丝衬衫', price: 699 },
      { gtin: '00012345678905', sku: 'J2-32', style: 'J2', color: '灰', size: 'XL', name: '羊毛针织衫', price: 499 },
      { gtin: '06901234567892', sku: 'ACC-1', style: 'ACC', color: '黑', size: 'one', name: '棉袜三双装', price: 59 },
    ]);
    const correlator = new Correlator(testConfig(), testLookups());
    const writer = new FactWriter(db, loadConfig(undefined, {}));
    const fitting = T0 + 5 * MIN;
    const facts = run(correlator, [
      ev(tag(VIP_CARD, 'entrance', T0)),
      // The member tries the silk shirt in fr-1 (their card is read there) while another
      // customer tries a wool sweater in fr-2.
      ...inOrder([
        ...reads(SHIRT_M, 'fr-1', fitting, fitting + 40 * S),
        tag(VIP_CARD, 'fr-1', fitting + 10 * S),
        ...reads(JEANS, 'fr-2', fitting, fitting + 40 * S),
      ]),
      ev(
        receipt(
          T0 + 20 * MIN,
          'sale',
          [
            { sku: 'ACC-1', qty: 2, price: 59 },
            { sku: 'NOT-IN-CATALOG', qty: 1, price: 100 },
          ],
          218,
          { member: 'm-vip', receipt: 'R1' },
        ),
      ),
      tick(T0 + DAY),
      ev(tag(VIP_CARD, 'entrance', T0 + DAY + HOUR)),
    ]);
    writer.write(facts, 0);
    const arrivals = ofType(facts, 'vip.arrival');
    expect(arrivals).toHaveLength(2);

    const profile = new ProfileBuilder(db, reference).build(arrivals[1] as VipArrivalFact);
    expect(profile.lastVisit).toBe(T0);
    expect(profile.triedNotBought).toEqual([
      { epc: SHIRT_M, gtin: '80614141123458', sku: 'S1-M', name: '真丝衬衫', size: 'M' },
    ]);
    expect(profile.recentPurchases).toEqual([
      {
        receipt: 'R1',
        ts: T0 + 20 * MIN,
        units: 3,
        revenue: 218,
        items: [
          { name: '棉袜三双装', size: 'one', color: '黑', sku: 'ACC-1', qty: 2, price: 59 },
          { sku: 'NOT-IN-CATALOG', qty: 1, price: 100 },
        ],
      },
    ]);
    // The first arrival's card knows nothing of the purchase made after it.
    expect(new ProfileBuilder(db, reference).build(arrivals[0] as VipArrivalFact).recentPurchases).toEqual([]);
    db.close();
  });
});
