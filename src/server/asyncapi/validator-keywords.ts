/** A JSON Schema (draft 07, the AsyncAPI schema format) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

type Keywords = (constraints: readonly unknown[]) => JsonSchema | undefined;

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Drops the keywords whose value is `undefined` (`@Length(1)` has no maximum). */
function defined(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, v]) => v !== undefined));
}

/**
 * `@Matches(re)` as a `pattern`. JSON Schema patterns have no flags: a regular expression with a
 * flag that changes what matches (`i`, `m`, `s`) is left to a note rather than a wrong pattern.
 */
function pattern([source, modifiers]: readonly unknown[]): JsonSchema | undefined {
  if (source instanceof RegExp) {
    return /[ims]/.test(source.flags) ? undefined : { pattern: source.source };
  }
  if (typeof source !== 'string') return undefined;
  if (typeof modifiers === 'string' && /[ims]/.test(modifiers)) return undefined;
  return { pattern: source };
}

/** `@IsEnum(E)`: class-validator stores the enum's values next to the enum object. */
function enumValues([, values]: readonly unknown[]): JsonSchema | undefined {
  return Array.isArray(values) ? { enum: [...new Set(values as unknown[])] } : undefined;
}

const format =
  (name: string): Keywords =>
  () => ({ type: 'string', format: name });

/**
 * class-validator decorators (by their metadata `name`) as JSON Schema keywords. A decorator
 * that is not here, or whose constraints cannot be said exactly (`undefined`), becomes a note in
 * the property's description: the document never claims a constraint the server does not apply.
 */
export const VALIDATOR_KEYWORDS: Readonly<Record<string, Keywords>> = {
  isString: () => ({ type: 'string' }),
  isNumber: () => ({ type: 'number' }),
  isInt: () => ({ type: 'integer' }),
  isBoolean: () => ({ type: 'boolean' }),
  isArray: () => ({ type: 'array' }),
  isObject: () => ({ type: 'object' }),
  isNotEmptyObject: () => ({ type: 'object', minProperties: 1 }),
  isLength: ([min, max]) => defined({ minLength: num(min), maxLength: num(max) }),
  minLength: ([min]) => defined({ minLength: num(min) }),
  maxLength: ([max]) => defined({ maxLength: num(max) }),
  matches: pattern,
  min: ([min]) => defined({ minimum: num(min) }),
  max: ([max]) => defined({ maximum: num(max) }),
  isPositive: () => ({ exclusiveMinimum: 0 }),
  isDivisibleBy: ([n]) => defined({ multipleOf: num(n) }),
  isNotIn: ([values]) =>
    Array.isArray(values) ? { not: { enum: [...(values as unknown[])] } } : undefined,
  isNegative: () => ({ exclusiveMaximum: 0 }),
  isIn: ([values]) => (Array.isArray(values) ? { enum: [...(values as unknown[])] } : undefined),
  isEnum: enumValues,
  equals: ([value]) => ({ const: value }),
  arrayMinSize: ([min]) => defined({ minItems: num(min) }),
  arrayMaxSize: ([max]) => defined({ maxItems: num(max) }),
  arrayNotEmpty: () => ({ minItems: 1 }),
  arrayUnique: ([selector]) => (selector === undefined ? { uniqueItems: true } : undefined),
  isUuid: format('uuid'),
  isEmail: format('email'),
  isUrl: format('uri'),
  isIso8601: format('date-time'),
  isDateString: format('date-time'),
  isIp: ([v]) =>
    v === undefined
      ? undefined
      : ['4', '6'].includes(String(v))
        ? format(`ipv${String(v)}`)([])
        : undefined,
  isMongoId: () => ({ type: 'string', pattern: '^[0-9a-fA-F]{24}$' }),
  isHexColor: () => ({
    type: 'string',
    pattern: '^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$',
  }),
  isJwt: () => ({ type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$' }),
  isNumberString: () => ({ type: 'string' }),
  isHexadecimal: () => ({ type: 'string', pattern: '^(0x|0h)?[0-9A-Fa-f]+$' }),
};

const STRICTER: Readonly<Record<string, (a: number, b: number) => number>> = {
  minLength: Math.max,
  minimum: Math.max,
  minItems: Math.max,
  maxLength: Math.min,
  maximum: Math.min,
  maxItems: Math.min,
};

/**
 * Merges one decorator's keywords into a schema. A second, different `type` (`@IsString()` and
 * `@IsInt()` on one field) is a conflict that no value satisfies: it is noted, not merged.
 * Numeric bounds keep the stricter one.
 */
export function mergeKeywords(into: JsonSchema, add: JsonSchema, notes: string[]): void {
  for (const [keyword, value] of Object.entries(add)) {
    const previous = into[keyword];
    // Two bounds of one kind (`@MaxLength(20)` and `@Length(1, 30)`): both apply, the stricter wins.
    if (typeof previous === 'number' && typeof value === 'number' && keyword in STRICTER) {
      into[keyword] = STRICTER[keyword]!(previous, value);
      continue;
    }
    if (keyword === 'type' && into['type'] !== undefined && into['type'] !== value) {
      notes.push(`also declared as ${String(value)}`);
      continue;
    }
    into[keyword] = value;
  }
}
