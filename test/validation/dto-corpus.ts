/** A generated corpus of payloads: valid ones, every field set to every odd value, extra keys. */

const UUID4 = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const UUID1 = 'a8098c1a-f86e-11da-bd1a-00112444be1e';

/** Values a field is set to, JSON's and a few JSON cannot carry (NaN, Infinity, -0). */
export const ODD_VALUES: readonly unknown[] = [
  '',
  'a',
  'ab',
  'abcdef',
  'abcdefghij',
  'red',
  'b',
  'UPPER',
  '3',
  '-0',
  '1e3',
  ' 1',
  UUID4,
  UUID1,
  0,
  -0,
  1,
  8,
  9,
  -1,
  1.5,
  3e10,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  null,
  [],
  ['x'],
  ['x', 'y', 'z', 'w'],
  [1, 2],
  [1.5],
  [null],
  [[]],
  {},
  { label: 'x' },
  { label: 1 },
  { label: 'x', scores: [1, 2.5, 'z'] },
  [{ label: 'x' }],
  [{ label: 'x', scores: [1, 2] }, { label: 2 }],
  [{}],
  ['str'],
  [[{ label: 'x' }]],
  { a: { b: 1 }, toString: 1 },
  Array.from({ length: 2000 }, (_, i) => `t${i}`),
  Array.from({ length: 300 }, (_, i) => ({ label: i % 7 === 0 ? i : `l${i}`, extra: i })),
];

/** Extra keys, as JSON text (JSON.parse makes `__proto__` an own key, as on the wire). */
export const EXTRA_KEYS: readonly string[] = [
  '"extra": 1',
  '"__proto__": {"polluted": true}',
  '"constructor": {"prototype": {"polluted": true}}',
  '"prototype": 1',
  '"toString": 1',
  '"hasOwnProperty": 1',
  '"describe": "shadow"',
  '"upper": "shadow"',
  '"priority": 5',
  '"nested": {"__proto__": {"x": 1}, "ok": [1, {"constructor": 2}]}',
];

/** A case: a fresh copy of the same payload on every call. */
export type Payload = () => unknown;

/** A deep copy in this realm (own `__proto__` keys kept as own keys, as JSON.parse makes them). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of Object.keys(value)) {
    const item = clone((value as Record<string, unknown>)[key]);
    Object.defineProperty(out, key, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function copy(value: unknown): Payload {
  return () => clone(value);
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every field set to every odd value or left out, extra keys, then seeded random mixes. */
export function corpus(valid: Record<string, unknown>, randomCases = 150): Payload[] {
  const out: Payload[] = [copy(valid), copy({})];
  for (const field of Object.keys(valid)) {
    const without = { ...valid };
    delete without[field];
    out.push(copy(without));
    for (const value of ODD_VALUES) out.push(copy({ ...valid, [field]: value }));
  }
  const body = JSON.stringify(valid).slice(1, -1);
  for (const extra of EXTRA_KEYS) {
    const text = body ? `{${body}, ${extra}}` : `{${extra}}`;
    out.push(() => JSON.parse(text) as unknown);
  }
  const random = mulberry32(0x5eed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  for (let i = 0; i < randomCases; i++) {
    const mix: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(valid)) {
      const roll = random();
      if (roll < 0.5) mix[field] = value;
      else if (roll < 0.9) mix[field] = pick(ODD_VALUES);
    }
    const text = JSON.stringify(mix).slice(1, -1);
    const extra = random() < 0.3 ? pick(EXTRA_KEYS) : '';
    if (!extra) {
      out.push(copy(mix));
      continue;
    }
    const withExtra = text ? `{${text}, ${extra}}` : `{${extra}}`;
    out.push(() => JSON.parse(withExtra) as unknown);
  }
  return out;
}
