import type { AnyClass } from './bail.js';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** What the compiled path reads of class-validator's `ValidationMetadata`. */
export interface RuleMetadata {
  readonly type: string;
  readonly target: AnyClass | string;
  readonly propertyName: string;
  readonly constraints: unknown[];
  readonly constraintCls: AnyClass;
  readonly each?: boolean;
  readonly message?: string | ((args: object) => string);
  readonly validateIf?: (object: object, value: unknown) => boolean;
}

/** What it reads of class-validator's `ConstraintMetadata`. */
export interface ConstraintMeta {
  readonly name?: string;
  readonly async: boolean;
  readonly instance: {
    validate(value: unknown, args: object): unknown;
    defaultMessage?: (args: object) => string;
  };
}

/** A custom rule with its constraint implementations, looked up once. */
export interface CustomRule {
  readonly metadata: RuleMetadata;
  readonly constraints: readonly ConstraintMeta[];
}

/** The rules of one property, split as class-validator's executor splits them. */
export interface PropertyPlan {
  readonly name: string;
  readonly defined: readonly CustomRule[];
  readonly custom: readonly CustomRule[];
  readonly nested: readonly RuleMetadata[];
  readonly conditional: readonly RuleMetadata[];
}

/** The rules of a class for one schema: what class-validator looks up on every `validate()`. */
export interface ValidationPlan {
  readonly isEmpty: boolean;
  /** class-validator's `groupByPropertyName()` result, for its whitelist test. */
  readonly grouped: Readonly<Record<string, readonly RuleMetadata[]>>;
  readonly properties: readonly PropertyPlan[];
}

const SUPPORTED: readonly string[] = [
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
  ValidationTypes.IS_DEFINED,
];

/** `null`: the class has a rule the compiled path leaves to class-validator (async, promise). */
const plans = new WeakMap<AnyClass, Map<string, ValidationPlan | null>>();

function customRule(metadata: RuleMetadata): CustomRule | null {
  const storage = getMetadataStorage();
  const constraints = storage.getTargetValidatorConstraints(
    metadata.constraintCls,
  ) as unknown as ConstraintMeta[];
  if (constraints.some((constraint) => constraint.async)) return null;
  return { metadata, constraints };
}

function propertyPlan(name: string, rules: readonly RuleMetadata[]): PropertyPlan | null {
  const defined: CustomRule[] = [];
  const custom: CustomRule[] = [];
  for (const rule of rules) {
    if (rule.type !== ValidationTypes.IS_DEFINED && rule.type !== ValidationTypes.CUSTOM_VALIDATION)
      continue;
    const compiled = customRule(rule);
    if (!compiled) return null;
    (rule.type === ValidationTypes.IS_DEFINED ? defined : custom).push(compiled);
  }
  const of = (type: string) => rules.filter((rule) => rule.type === type);
  return {
    name,
    defined,
    custom,
    nested: of(ValidationTypes.NESTED_VALIDATION),
    conditional: of(ValidationTypes.CONDITIONAL_VALIDATION),
  };
}

function build(target: AnyClass, schema: string | undefined): ValidationPlan | null {
  const storage = getMetadataStorage();
  // The arguments of class-validator's executor with Nest's options: no groups, always false.
  const rules = storage.getTargetValidationMetadatas(
    target,
    schema as string,
    false,
    false,
    undefined,
  ) as unknown as RuleMetadata[];
  if (rules.some((rule) => !SUPPORTED.includes(rule.type))) return null;
  const grouped = storage.groupByPropertyName(rules as never) as unknown as Record<
    string,
    RuleMetadata[]
  >;
  const properties: PropertyPlan[] = [];
  for (const name of Object.keys(grouped)) {
    const plan = propertyPlan(name, grouped[name] ?? []);
    if (!plan) return null;
    properties.push(plan);
  }
  return { isEmpty: rules.length === 0, grouped, properties };
}

/** The plans without a schema (a handler's DTO), in one lookup: the one made per message. */
const topPlans = new WeakMap<AnyClass, ValidationPlan | null>();

/** The compiled path declined this class (as a handler's DTO): class-validator runs it. */
export function decline(target: AnyClass): void {
  topPlans.set(target, null);
}

/** The plan of a class, built on first use (`null`: leave this class to class-validator). */
export function planOf(target: AnyClass, schema: string | undefined): ValidationPlan | null {
  if (schema === undefined) {
    let plan = topPlans.get(target);
    if (plan === undefined) topPlans.set(target, (plan = build(target, undefined)));
    return plan;
  }
  let bySchema = plans.get(target);
  if (!bySchema) {
    bySchema = new Map();
    plans.set(target, bySchema);
  }
  let plan = bySchema.get(schema);
  if (plan === undefined) {
    plan = build(target, schema);
    bySchema.set(schema, plan);
  }
  return plan;
}

/** The plan of the rules of one `@ValidateNested()` property, applied to each item. */
export function itemPlan(nested: readonly RuleMetadata[]): PropertyPlan {
  return { name: '', defined: [], custom: [], nested, conditional: [] };
}
