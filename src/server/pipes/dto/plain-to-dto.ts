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

const copyable = new WeakMap<AnyClass, boolean>();

/** What class-transformer's storage says of one key of a class (`null`: a `@Transform()`). */
type KeyInfo = NestedType | undefined | null;

/** Keys a class caches: its own properties; the others (client-chosen) are looked up each time. */
const MAX_CACHED_KEYS = 64;
const keyInfos = new WeakMap<AnyClass, Map<string, KeyInfo>>();

function keyInfo(type: Ctor, key: string): KeyInfo {
  let infos = keyInfos.get(type);
  if (!infos) {
    infos = new Map();
    keyInfos.set(type, infos);
  }
  if (infos.has(key)) return infos.get(key);
  const info = hasTransform(type, key) ? null : nestedTypeOf(type, key);
  if (infos.size < MAX_CACHED_KEYS) infos.set(key, info);
  return info;
}

function checkClass(target: Ctor): void {
  let ok = copyable.get(target);
  if (ok === undefined) {
    ok = copiesKeysAsIs(target);
    copyable.set(target, ok);
  }
  if (!ok) bail();
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
  if (type) checkClass(type);
  const source = value as Record<string, unknown>;
  const target = (type ? new type() : {}) as Record<string, unknown>;
  const proto = (target.constructor as { prototype?: object } | undefined)?.prototype;
  for (const key of Object.keys(source)) {
    if (isProtoKey(key)) continue;
    let nested: Ctor | undefined;
    if (type) {
      const meta = keyInfo(type, key);
      if (meta === null) bail();
      if (meta) nested = resolveType(meta, target, source, key);
    }
    if (proto) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if ((descriptor && !descriptor.set) || target[key] instanceof Function) continue;
    }
    const item = source[key];
    // A primitive is copied as it is, whatever its @Type() (class-transformer's last branch).
    target[key] = typeof item === 'object' && item !== null ? plainToDto(nested, item) : item;
  }
  return target;
}
