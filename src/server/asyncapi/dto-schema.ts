import { getMetadataStorage } from 'class-validator';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { mergeKeywords, VALIDATOR_KEYWORDS, type JsonSchema } from './validator-keywords.js';

// class-validator's metadata `type`s (ValidationTypes), stable strings.
const CUSTOM = 'customValidation';
const NESTED = 'nestedValidation';
const CONDITIONAL = 'conditionalValidation';
const IS_DEFINED = 'isDefined';
const IS_OPTIONAL = 'isOptional';
// class-validator's default messages are templates (`$property must be ...`): not for people.
const TEMPLATE = /\$(property|value|target|constraint\d)/;
const QUIET = new Set(['whitelistValidation', 'promiseValidation']);

/** What class-validator records per decorator (`ValidationMetadata`), as far as read here. */
interface Rule {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each: boolean;
  message?: unknown;
}

/** Any class: what class-validator and class-transformer key their metadata by. */
type AnyClass = abstract new (...args: never[]) => unknown;

const PRIMITIVES = new Map<unknown, JsonSchema>([
  [String, { type: 'string' }],
  [Number, { type: 'number' }],
  [Boolean, { type: 'boolean' }],
  [Array, { type: 'array' }],
]);

/**
 * Turns DTO classes into JSON Schemas from their class-validator metadata (what the server
 * validates), collected under `components.schemas` and referenced by `$ref`. A class without
 * any validation metadata is an open object: nothing about it is checked.
 */
export class DtoSchemas {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly names = new Map<AnyClass, string>();

  constructor(private readonly forbidUnknownFields: boolean) {}

  /** A schema for a payload or reply type: a `$ref` for a class, inline for a primitive. */
  of(type: unknown): JsonSchema {
    if (type === null) return { type: 'null' };
    const primitive = PRIMITIVES.get(type);
    if (primitive) return { ...primitive };
    if (typeof type !== 'function' || type === Object) return {};
    return { $ref: `#/components/schemas/${this.nameOf(type as AnyClass)}` };
  }

  private nameOf(type: AnyClass): string {
    const known = this.names.get(type);
    if (known) return known;
    const base = (type.name || 'Anonymous').replace(/[^A-Za-z0-9._-]/g, '_');
    let name = base;
    for (let n = 2; name in this.schemas; n++) name = `${base}_${n}`;
    this.names.set(type, name);
    this.schemas[name] = {}; // reserved first: a class that nests itself refers to this name
    this.schemas[name] = this.objectSchema(type);
    return name;
  }

  private objectSchema(type: AnyClass): JsonSchema {
    const rules = getMetadataStorage().getTargetValidationMetadatas(
      type,
      '',
      false,
      false,
    ) as unknown as Rule[];
    const byProperty = new Map<string, Rule[]>();
    for (const rule of rules) {
      const list = byProperty.get(rule.propertyName) ?? [];
      list.push(rule);
      byProperty.set(rule.propertyName, list);
    }
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [property, list] of byProperty) {
      const { schema, optional } = this.propertySchema(type, property, list);
      properties[property] = schema;
      if (!optional) required.push(property);
    }
    const schema: JsonSchema = { type: 'object', title: type.name, properties };
    if (required.length > 0) schema['required'] = required;
    if (this.forbidUnknownFields && byProperty.size > 0) schema['additionalProperties'] = false;
    return schema;
  }

  private propertySchema(
    type: AnyClass,
    property: string,
    rules: readonly Rule[],
  ): { schema: JsonSchema; optional: boolean } {
    const schema: JsonSchema = {};
    const items: JsonSchema = {};
    const notes: string[] = [];
    const messages: string[] = [];
    let optional = false;
    for (const rule of rules) {
      if (typeof rule.message === 'string' && !TEMPLATE.test(rule.message)) {
        messages.push(rule.message);
      }
      if (rule.type === CONDITIONAL) {
        optional = true;
        if (rule.name !== IS_OPTIONAL) notes.push('validated only under a condition');
        continue;
      }
      if (rule.type === IS_DEFINED || QUIET.has(rule.type)) continue;
      const target = rule.each ? items : schema;
      if (rule.type === NESTED) {
        mergeKeywords(target, this.nested(type, property), notes);
        continue;
      }
      const keywords =
        rule.type === CUSTOM && rule.name ? VALIDATOR_KEYWORDS[rule.name] : undefined;
      const add = keywords?.(rule.constraints ?? []);
      if (add) mergeKeywords(target, add, notes);
      else notes.push(`checked by ${rule.name ?? rule.type}`);
    }
    if (Object.keys(items).length > 0) {
      if (schema['type'] === undefined) schema['type'] = 'array';
      schema['items'] = items;
    }
    if (optional) allowNull(schema);
    const description = [...new Set([...messages, ...notes])].join('; ');
    if (description) schema['description'] = description;
    return { schema, optional };
  }

  /** The class of a `@ValidateNested()` field: its `@Type()`, else its declared type. */
  private nested(type: AnyClass, property: string): JsonSchema {
    const meta = defaultMetadataStorage.findTypeMetadata(type, property);
    const nested: unknown = meta
      ? meta.typeFunction()
      : Reflect.getMetadata('design:type', type.prototype as object, property);
    if (typeof nested !== 'function' || nested === Array || nested === Object) {
      return { type: 'object' };
    }
    return this.of(nested);
  }
}

/** `@IsOptional()` accepts `null` and `undefined` besides what the other rules allow. */
function allowNull(schema: JsonSchema): void {
  const type = schema['type'];
  const values = schema['enum'];
  if (Array.isArray(values) && !values.includes(null)) schema['enum'] = [...values, null];
  if (typeof type === 'string') schema['type'] = [type, 'null'];
  else if (schema['$ref'] !== undefined) {
    const ref = schema['$ref'];
    delete schema['$ref'];
    schema['oneOf'] = [{ $ref: ref }, { type: 'null' }];
  }
}
