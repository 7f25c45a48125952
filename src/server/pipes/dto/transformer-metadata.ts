import type { AnyClass } from './bail.js';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

/** class-transformer's `TransformationType.PLAIN_TO_CLASS`. */
const PLAIN_TO_CLASS = 0;

/** Types class-transformer converts to (or builds) itself: the compiled path leaves them to it. */
const BUILT_IN: readonly unknown[] = [
  String,
  Number,
  Boolean,
  Date,
  Buffer,
  Map,
  Set,
  Array,
  Object,
  Promise,
];

/** The class of a nested value as `@Type()` declares it (`undefined`: none). */
export interface NestedType {
  readonly typeFunction?: (options: {
    newObject: unknown;
    object: unknown;
    property: string;
  }) => unknown;
  readonly reflectedType?: unknown;
  readonly options?: { discriminator?: unknown };
}

/**
 * Whether class-transformer builds instances of this class by copying the payload's keys as
 * they are: no `@Expose()`, `@Exclude()` or class-level strategy anywhere in its ancestry.
 */
export function copiesKeysAsIs(target: AnyClass): boolean {
  return (
    defaultMetadataStorage.getStrategy(target) === 'none' &&
    defaultMetadataStorage.getExposedMetadatas(target).length === 0 &&
    defaultMetadataStorage.getExcludedMetadatas(target).length === 0
  );
}

/** The `@Type()` of a property (inherited ones included). */
export function nestedTypeOf(target: AnyClass, property: string): NestedType | undefined {
  return defaultMetadataStorage.findTypeMetadata(target, property) as NestedType | undefined;
}

/** Whether a `@Transform()` applies to this property when a payload becomes an instance. */
export function hasTransform(target: AnyClass, property: string): boolean {
  return defaultMetadataStorage.findTransformMetadatas(target, property, PLAIN_TO_CLASS).length > 0;
}

/** A class of the app's (not one of the types class-transformer converts to itself). */
export function isUserClass(type: unknown): type is new () => object {
  return typeof type === 'function' && !BUILT_IN.includes(type);
}
