/**
 * The demo store's member roster (the same on every day, like an HQ roster). Tiers 4–5 are
 * VIPs at the demo store's vipTier 4. Members identify by an RFID member card (a plain E2…
 * EPC, never SGTIN), an app credential, or both.
 */
import { Rng } from '../prng.js';
import type { Member } from './types.js';

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
];
const GIVEN = [
  '静',
  '敏',
  '丽',
  '婷',
  '雪',
  '欣',
  '怡',
  '佳',
  '晨',
  '悦',
  '琳',
  '杰',
  '磊',
  '涛',
  '浩',
  '宇',
  '萱',
  '妍',
  '菲',
];
const VIP_NOTES = [
  '偏好简约款，常买针织',
  '对羊毛过敏，推荐棉麻',
  '喜欢深色系，裤长偏好九分',
  '生日在本月，可送小礼品',
  '常为先生选购衬衫',
  '关注新品预览，需提前邀约',
];
const TOP_SIZES = ['S', 'M', 'L'];
const BOTTOM_SIZES = ['27', '28', '29', '30'];

export const ROSTER_SIZE = 80;
export const VIP_COUNT = 30;

export interface RosterEntry {
  readonly member: Member;
  readonly card?: string;
  readonly credential?: string;
}

export function buildRoster(): RosterEntry[] {
  const rng = new Rng('demo-store/roster');
  const tiers = rng.shuffled([
    ...Array.from({ length: 20 }, () => 4),
    ...Array.from({ length: VIP_COUNT - 20 }, () => 5),
    ...Array.from({ length: ROSTER_SIZE - VIP_COUNT }, (_, i) => 1 + (i % 3)),
  ]);
  return tiers.map((tier, i) => {
    const hasCard = rng.chance(0.7);
    const hasApp = !hasCard || rng.chance(0.5);
    const card = hasCard ? `E280689400005${rng.hex(7)}${String(i).padStart(4, '0')}` : undefined;
    const credential = hasApp ? `wx:o${rng.hex(15).toLowerCase()}` : undefined;
    const cards = [card, credential].filter((c): c is string => c !== undefined);
    const base = {
      id: `M${String(1001 + i)}`,
      name: rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : ''),
      tier,
      phone: `13${rng.int(0, 9)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
      cards,
      sizes: { top: rng.pick(TOP_SIZES), bottom: rng.pick(BOTTOM_SIZES) },
    };
    const member: Member = tier >= 4 ? { ...base, notes: rng.pick(VIP_NOTES) } : base;
    const entry: { member: Member; card?: string; credential?: string } = { member };
    if (card !== undefined) entry.card = card;
    if (credential !== undefined) entry.credential = credential;
    return entry;
  });
}
