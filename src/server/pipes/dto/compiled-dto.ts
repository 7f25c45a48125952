import { BAIL } from './bail.js';
import { plainToDto } from './plain-to-dto.js';
import { decline, planOf } from './validation-plan.js';
import { execute, type RuleError } from './validate-dto.js';

/** What the compiled path made of a payload: the instance, or class-validator's errors. */
export type CompiledOutcome =
  | { readonly ok: true; readonly value: object }
  | { readonly ok: false; readonly errors: RuleError[] };

/**
 * Builds and validates an instance of `metatype` from a plain JSON object as Nest's
 * `ValidationPipe` does with class-transformer and class-validator (`transform`, `whitelist`,
 * `forbidUnknownValues`), synchronously, from rules looked up once per class. `undefined` when
 * the class (or this payload) needs the stock path: nothing was changed, run it instead.
 */
export function compiledTransform(
  metatype: new () => object,
  value: object,
  forbidNonWhitelisted: boolean,
): CompiledOutcome | undefined {
  const plan = planOf(metatype, undefined);
  if (!plan) return undefined;
  try {
    const entity = plainToDto(metatype, value) as object;
    if (entity.constructor !== metatype) throw BAIL;
    const found: RuleError[] = [];
    execute(entity, undefined, found, forbidNonWhitelisted, plan);
    // Only entries that hold an error are added (what class-validator's stripEmptyErrors() keeps).
    return found.length === 0 ? { ok: true, value: entity } : { ok: false, errors: found };
  } catch (error) {
    if (error !== BAIL) throw error;
    // Declined once (a nested async rule, a `@Transform()`...): class-validator's from now on.
    decline(metatype);
    return undefined;
  }
}
