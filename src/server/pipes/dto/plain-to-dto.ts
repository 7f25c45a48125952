import { bail, type AnyClass } from './bail.js';
import {
  copiesKeysAsIs,
  hasTransform,
  isUserClass,
  nestedTypeOf,
  type NestedType,
} from './transformer-metadata.js';

type Ctor = new () => object;

/** Keys Nest's ValidationPipe deletes before class-transformer runs (`stripProtoKeys`). */
function isProtoKey(key: string): boolean {
  return key === '__proto__' || key === 'prototype' || key === 'constructor';
}

/**
 * What class-transformer's storage and the class's prototype say of one key: its `@Type()`
 * (`undefined`: none), whether a `@Transform()` applies (the compiled path then declines), and
 * whether the prototype has it as a method or a getter without setter (the key is skipped).
 */
interface KeyPlan {
  readonly nested: NestedType | undefined;
  readonly transform: boolean;
  readonly onPrototype: boolean;
}

/** A class as `plainToDto()` builds it: looked up once, with its keys as they come. */
interface ClassPlan {
  readonly copyable: boolean;
  readonly keys: Map<string, KeyPlan>;
}

/** Keys a class caches: its own properties; the others (client-chosen) are looked up each time. */
const MAX_CACHED_KEYS = 64;
const classPlans = new WeakMap<AnyClass, ClassPlan>();

function classPlan(type: Ctor): ClassPlan {
  let plan = classPlans.get(type);
  if (!plan) classPlans.set(type, (plan = { copyable: copiesKeysAsIs(type), keys: new Map() }));
  return plan;
}

function keyPlan(type: Ctor, plan: ClassPlan, key: string): KeyPlan {
  let found = plan.keys.get(key);
  if (found) return found;
  const transform = hasTransform(type, key);
  const descriptor = Object.getOwnPropertyDescriptor(type.prototype as object, key);
  found = {
    transform,
    nested: transform ? undefined : nestedTypeOf(type, key),
    onPrototype: descriptor !== undefined && !descriptor.set,
  };
  if (plan.keys.size < MAX_CACHED_KEYS) plan.keys.set(key, found);
  return found;
}

/** The class `@Type()` names for one value (as class-transformer calls its type function). */
function resolveType(
  meta: NestedType,
  newObject: object,
  object: object,
  property: string,
): Ctor | undefined {
  if (meta.options?.discriminator) bail();
  const type = meta.typeFunction
    ? meta.typeFunction({ newObject, object, property })
    : meta.reflectedType;
  if (type === undefined) return undefined;
  if (!isUserClass(type)) bail();
  const reflected = meta.reflectedType;
  // The container class-transformer builds for an array: only a plain array is done here.
  if (reflected !== undefined && reflected !== Array && reflected !== Object && reflected !== type)
    bail();
  return type;
}

/**
 * class-transformer's `plainToInstance(type, value)` for JSON data, with Nest's prototype keys
 * stripped first: arrays are copied item by item, an object becomes an instance of its
 * `@Type()` class (or a plain copy), a key the instance has as a method or getter is skipped,
 * other values stay as they are. The payload is not modified.
 */
export function plainToDto(type: Ctor | undefined, value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item) => out.push(plainToDto(type, item)));
    return out;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) bail();
  const plan = type ? classPlan(type) : undefined;
  if (plan && !plan.copyable) bail();
  const source = value as Record<string, unknown>;
  const target = (type ? new type() : {}) as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (isProtoKey(key)) continue;
    let nested: Ctor | undefined;
    if (plan) {
      const meta = keyPlan(type!, plan, key);
      if (meta.transform) bail();
      if (meta.nested) nested = resolveType(meta.nested, target, source, key);
      if (meta.onPrototype) continue;
    }
    if (target[key] instanceof Function) continue;
    const item = source[key];
    // A primitive is copied as it is, whatever its @Type() (class-transformer's last branch).
    target[key] = typeof item === 'object' && item !== null ? plainToDto(nested, item) : item;
  }
  return target;
}
