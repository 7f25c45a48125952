import { ValidationTypes } from 'class-validator';
import { bail, type AnyClass } from './bail.js';
import {
  itemPlan,
  planOf,
  type ConstraintMeta,
  type CustomRule,
  type PropertyPlan,
  type RuleMetadata,
  type ValidationPlan,
} from './validation-plan.js';

/** The part of class-validator's `ValidationError` that `toValidationDetails()` reads. */
export interface RuleError {
  property: string;
  constraints: Record<string, string>;
  children: RuleError[];
}

const UNKNOWN_VALUE = 'an unknown value was passed to the validate function';

interface Args {
  targetName: string | undefined;
  property: string;
  object: object;
  value: unknown;
  constraints: unknown[];
}

function isPromise(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** class-validator's `constraintToString()`. */
function constraintToString(constraint: unknown): string {
  if (Array.isArray(constraint)) return constraint.join(', ');
  if (typeof constraint === 'symbol') return `${constraint.description}`;
  return `${constraint as string}`;
}

/** class-validator's `ValidationUtils.replaceMessageSpecialTokens()`. */
function replaceTokens(message: unknown, args: Args): string {
  let text: string | undefined;
  if (message instanceof Function) text = (message as (args: Args) => string)(args);
  else if (typeof message === 'string') text = message;
  if (text && Array.isArray(args.constraints)) {
    args.constraints.forEach((constraint, index) => {
      text = text!.replace(
        new RegExp(`\\$constraint${index + 1}`, 'g'),
        constraintToString(constraint),
      );
    });
  }
  const { value } = args;
  if (
    text &&
    value !== undefined &&
    value !== null &&
    ['string', 'boolean', 'number'].includes(typeof value)
  )
    text = text.replace(/\$value/g, value as string);
  if (text) text = text.replace(/\$property/g, args.property);
  if (text) text = text.replace(/\$target/g, args.targetName as string);
  return text as string;
}

/** What class-validator passes as `targetName`: read once per object, not per constraint. */
function targetNameOf(object: object): string | undefined {
  return object.constructor ? object.constructor.name : undefined;
}

function argsOf(
  object: object,
  value: unknown,
  metadata: RuleMetadata,
  targetName = targetNameOf(object),
): Args {
  const { propertyName: property, constraints } = metadata;
  return { targetName, property, object, value, constraints };
}

/** class-validator's `createValidationError()`: the constraint's name and its message. */
function failure(
  object: object,
  value: unknown,
  metadata: RuleMetadata,
  constraint?: ConstraintMeta,
  targetName?: string,
): [string, string] {
  const args = argsOf(object, value, metadata, targetName);
  const type = constraint && constraint.name ? constraint.name : metadata.type;
  let message: unknown = metadata.message || '';
  if (!metadata.message && constraint && constraint.instance.defaultMessage instanceof Function) {
    message = constraint.instance.defaultMessage(args);
  }
  return [type, replaceTokens(message, args)];
}

function checked(result: unknown): unknown {
  if (isPromise(result)) bail();
  return result;
}

function customValidations(
  object: object,
  value: unknown,
  rules: readonly CustomRule[],
  error: RuleError,
  targetName: string | undefined,
): void {
  for (const { metadata, constraints } of rules) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    for (const constraint of constraints) {
      const args = argsOf(object, value, metadata, targetName);
      if (
        !metadata.each ||
        !(Array.isArray(value) || value instanceof Set || value instanceof Map)
      ) {
        if (!checked(constraint.instance.validate(value, args))) {
          const [type, message] = failure(object, value, metadata, constraint, targetName);
          error.constraints[type] = message;
        }
        continue;
      }
      const items: unknown[] =
        value instanceof Map ? [...value.values()] : [...(value as Iterable<unknown>)];
      const results = items.map((item) => checked(constraint.instance.validate(item, args)));
      if (!results.every((valid) => valid)) {
        const [type, message] = failure(object, value, metadata, constraint, targetName);
        error.constraints[type] = message;
      }
    }
  }
}

function nestedValidations(
  value: unknown,
  rules: readonly RuleMetadata[],
  error: RuleError,
  forbid: boolean,
): void {
  if (value === undefined) return;
  for (const rule of rules) {
    if (rule.type !== ValidationTypes.NESTED_VALIDATION) continue;
    if (Array.isArray(value)) {
      const plan = itemPlan(rules);
      const targetName = targetNameOf(value);
      value.forEach((item, index) =>
        performValidations(value, item, index.toString(), plan, error.children, forbid, targetName),
      );
    } else if (value instanceof Set || value instanceof Map) {
      bail();
    } else if (value instanceof Object) {
      const schema = typeof rule.target === 'string' ? rule.target : rule.target.name;
      execute(value, schema, error.children, forbid);
    } else {
      const [type, message] = failure(rule.target as object, value, rule);
      error.constraints[type] = message;
    }
  }
}

function hasKeys(record: Record<string, string>): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * One property's rules. Its entry is added to `out` only when it holds something: class-validator
 * adds every property's entry and `stripEmptyErrors()` removes the empty ones, with the same
 * result (nothing else is added to `out` while a property runs, so the order is the same).
 */
function performValidations(
  object: object,
  value: unknown,
  name: string,
  plan: PropertyPlan,
  out: RuleError[],
  forbid: boolean,
  targetName: string | undefined,
): void {
  // Every condition runs, as class-validator's map-then-reduce does.
  let canValidate = true;
  for (const rule of plan.conditional) {
    const condition = rule.constraints[0] as (o: object, v: unknown) => boolean;
    canValidate = condition(object, value) && canValidate;
  }
  if (!canValidate) return;
  const error: RuleError = { property: name, constraints: {}, children: [] };
  customValidations(object, value, plan.defined, error, targetName);
  customValidations(object, value, plan.custom, error, targetName);
  nestedValidations(value, plan.nested, error, forbid);
  if (error.children.length > 0 || hasKeys(error.constraints)) out.push(error);
}

/**
 * class-validator's `ValidationExecutor.execute()` with the options of the module's pipe
 * (`whitelist`, `forbidUnknownValues`, `forbidNonWhitelisted` as configured, no groups), on
 * rules looked up once per class: same errors, in the same order, with the same messages, and
 * the same keys stripped. A property's entry is added only when it holds an error (see
 * `performValidations()`). `known`: the plan, when the caller already looked it up.
 */
export function execute(
  object: object,
  schema: string | undefined,
  out: RuleError[],
  forbidNonWhitelisted: boolean,
  known?: ValidationPlan,
): void {
  const plan = known ?? planOf(object.constructor as AnyClass, schema);
  if (!plan) bail();
  if (plan.isEmpty) {
    out.push({
      property: undefined as unknown as string,
      constraints: { unknownValue: UNKNOWN_VALUE },
      children: [],
    });
    return;
  }
  const target = object as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    const rules = plan.grouped[key];
    if (rules && rules.length !== 0) continue;
    if (forbidNonWhitelisted) {
      out.push({
        property: key,
        constraints: { [ValidationTypes.WHITELIST]: `property ${key} should not exist` },
        children: [],
      });
    } else {
      delete target[key];
    }
  }
  const targetName = targetNameOf(object);
  for (const property of plan.properties) {
    performValidations(
      object,
      target[property.name],
      property.name,
      property,
      out,
      forbidNonWhitelisted,
      targetName,
    );
  }
}
