/**
 * What a member's notes say they must not be offered ("wool allergy", "羊毛过敏", "no
 * leather"), and whether a garment's name says it is made of that. Notes are free text
 * written by staff, so this reads them clause by clause: a material word together with a
 * "not this" cue (allergy, avoid, no, 过敏, 不穿 …) in the same clause.
 */

export type Material = 'wool' | 'silk' | 'down' | 'leather';

/** Words that name a material, as notes and product names write them. */
const WORDS: Readonly<Record<Material, readonly string[]>> = {
  wool: [
    'wool',
    'woollen',
    'woolen',
    'merino',
    'cashmere',
    'lambswool',
    'mohair',
    'alpaca',
    '羊毛',
    '羊绒',
    '美利奴',
    '马海毛',
    '羊驼毛',
  ],
  silk: ['silk', '真丝', '桑蚕丝', '丝绸'],
  down: ['down', '羽绒'],
  leather: ['leather', 'suede', '皮革', '真皮', '皮衣', '麂皮'],
};

const CUES =
  /allerg|avoid|\bno\b|\bnot\b|\bnever\b|n't|dislike|hate|irritat|itch|过敏|不穿|不要|别|避免|不喜欢|不能|忌|痒/i;
const CLAUSES = /[.;,!?\n。；，！？、]/;

const PATTERNS: Readonly<Record<Material, RegExp>> = Object.fromEntries(
  (Object.entries(WORDS) as [Material, readonly string[]][]).map(([material, words]) => [
    material,
    // English words whole, and not the end of a compound ("button-down" is no down).
    new RegExp(words.map((w) => (/^[a-z]+$/.test(w) ? `(?<![\\w-])${w}(?!\\w)` : w)).join('|'), 'i'),
  ]),
) as Record<Material, RegExp>;

const MATERIALS = Object.keys(WORDS) as Material[];

/** Materials the notes say to keep away from the member, in a fixed order. */
export function avoidedMaterials(notes: string | null | undefined): Material[] {
  if (!notes) return [];
  const avoided = new Set<Material>();
  for (const clause of notes.split(CLAUSES)) {
    if (!CUES.test(clause)) continue;
    for (const m of MATERIALS) if (PATTERNS[m].test(clause)) avoided.add(m);
  }
  return MATERIALS.filter((m) => avoided.has(m));
}

/** True when the garment's name says it is made of one of `materials`. A garment without a name is not judged. */
export function madeOf(name: string | undefined, materials: readonly Material[]): boolean {
  if (!name) return false;
  return materials.some((m) => PATTERNS[m].test(name));
}

const LETTER_SIZE = /^(x{0,3}s|m|x{0,4}l|\d?xl)$/i;
const NUMBER_SIZE = /^\d+(\.\d+)?$/;

/**
 * The member's own size to offer a garment in, else the garment's own size. Letters (M, XL):
 * their top size first, then any letter size. Numbers (waist 28, shoe 38 look alike): their
 * non-shoe size of the same kind, only when it is near the garment's (a shoe 38 is no waist).
 */
export function offerSize(
  itemSize: string | undefined,
  given: readonly string[] | Readonly<Record<string, string>> | null | undefined,
): string | undefined {
  if (itemSize === undefined || !given) return itemSize;
  // A plain list of sizes (no part names) is read like a map without `top`/`bottom`.
  const sizes: Readonly<Record<string, string>> = Array.isArray(given)
    ? Object.fromEntries(given.map((size, i) => [String(i), size]))
    : (given as Readonly<Record<string, string>>);
  const own = Object.entries(sizes).filter(([part]) => part !== 'shoes');
  if (own.some(([, size]) => size === itemSize)) return itemSize;
  if (LETTER_SIZE.test(itemSize)) {
    const top = sizes.top;
    if (top !== undefined && LETTER_SIZE.test(top)) return top;
    return own.find(([, size]) => LETTER_SIZE.test(size))?.[1] ?? itemSize;
  }
  if (NUMBER_SIZE.test(itemSize)) {
    const near = (size: string) => NUMBER_SIZE.test(size) && Math.abs(Number(size) - Number(itemSize)) <= 4;
    const bottom = sizes.bottom;
    if (bottom !== undefined && near(bottom)) return bottom;
    return own.find(([, size]) => near(size))?.[1] ?? itemSize;
  }
  return itemSize;
}
