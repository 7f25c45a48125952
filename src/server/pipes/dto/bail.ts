/**
 * Thrown inside the compiled path when a payload or a class needs something it does not do the
 * way class-transformer and class-validator do (a `@Transform()`, an async rule...): the caller
 * then runs the stock path on the untouched payload.
 */
export const BAIL: unique symbol = Symbol('compiled DTO path declined');

export function bail(): never {
  throw BAIL;
}

/** A class as the metadata storages key it. */
export type AnyClass = abstract new (...args: never[]) => unknown;
