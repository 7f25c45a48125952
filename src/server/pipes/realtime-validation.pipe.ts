import {
  Inject,
  Injectable,
  Optional,
  ValidationPipe,
  type ArgumentMetadata,
} from '@nestjs/common';
import { getMetadataStorage, type ValidationError } from 'class-validator';
import { ErrorCode, type ValidationDetail } from '../../protocol/index.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { RealtimeConfigError } from '../realtime.options-validation.js';
import { compiledTransform } from './dto/compiled-dto.js';

const MESSAGE = 'Payload validation failed';

/** Most field entries a reply lists: a small request must not earn a megabyte of errors. */
export const MAX_VALIDATION_DETAILS = 20;

/** Flattens class-validator errors into `[{field: 'a.b', errors: [...]}]`. */
export function toValidationDetails(errors: ValidationError[], prefix = ''): ValidationDetail[] {
  const out: ValidationDetail[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) out.push({ field, errors: messages });
    if (error.children?.length) out.push(...toValidationDetails(error.children, field));
  }
  return out;
}

const withRules = new WeakMap<object, boolean>();

/** Whether class-validator knows any rule of this class (or of a class it extends). */
function hasRules(metatype: ArgumentMetadata['metatype']): boolean {
  if (typeof metatype !== 'function') return false;
  let known = withRules.get(metatype);
  if (known === undefined) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    known = rules.length > 0;
    withRules.set(metatype, known);
  }
  return known;
}

/** `tryCompiled()` has no answer: run the stock (async) path. @internal */
export const DEFER: unique symbol = Symbol('defer to the stock validation path');

function invalid(errors: ValidationError[]): RealtimeException {
  return new RealtimeException(
    ErrorCode.VALIDATION_FAILED,
    MESSAGE,
    toValidationDetails(errors).slice(0, MAX_VALIDATION_DETAILS),
  );
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Validates `@MessageBody()` DTOs with class-validator (applied by `@RealtimeGateway()`).
 * Unknown fields are stripped (or rejected with `validation.forbidUnknownFields`); a payload
 * that is not an object, or fails a rule, becomes `VALIDATION_FAILED` with field details.
 */
@Injectable()
export class RealtimeValidationPipe extends ValidationPipe {
  private readonly forbidNonWhitelisted: boolean;

  constructor(@Optional() @Inject(RESOLVED_OPTIONS) options?: ResolvedRealtimeOptions) {
    if (!options) {
      throw new RealtimeConfigError(
        '@RealtimeGateway() needs the module: import RealtimeModule.forRoot({...}) in your AppModule.',
      );
    }
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: options.validation.forbidUnknownFields,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: invalid,
    });
    this.forbidNonWhitelisted = options.validation.forbidUnknownFields;
  }

  /**
   * Whether the pipe hands this parameter on untouched whatever its value (no DTO to validate,
   * nothing to convert), so a caller may skip it: decided by the parameter, once. @internal
   */
  passesThrough(metadata: ArgumentMetadata): boolean {
    if (this.toValidate(metadata)) return false;
    // ValidationPipe's transformPrimitive() only converts a keyed route or query parameter.
    return !(metadata.data && (metadata.type === 'param' || metadata.type === 'query'));
  }

  /**
   * The synchronous answer for a plain object and a DTO whose rules the compiled path runs
   * (see `compiledTransform()`): the instance, or a thrown `VALIDATION_FAILED`. `DEFER` for
   * anything else. A class without rules lets the payload pass, as in `transform()`.
   * @internal
   */
  tryCompiled(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!this.toValidate(metadata)) return this.passesThrough(metadata) ? value : DEFER;
    const { metatype } = metadata;
    return hasRules(metatype) ? this.tryCompiledDto(metatype as new () => object, value) : value;
  }

  /**
   * The class a parameter is validated against, when it is one with class-validator rules;
   * `undefined` otherwise. Decided by the parameter, so a caller may ask once. @internal
   */
  dtoOf(metadata: ArgumentMetadata): (new () => object) | undefined {
    if (!this.toValidate(metadata) || !hasRules(metadata.metatype)) return undefined;
    return metadata.metatype as new () => object;
  }

  /** `tryCompiled()` for a parameter whose `dtoOf()` is `dto`. @internal */
  tryCompiledDto(dto: new () => object, value: unknown): unknown {
    if (!isPlainObject(value)) return DEFER;
    const outcome = compiledTransform(dto, value, this.forbidNonWhitelisted);
    if (!outcome) return DEFER;
    if (outcome.ok) return outcome.value;
    throw invalid(outcome.errors as unknown as ValidationError[]);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const compiled = this.tryCompiled(value, metadata);
    if (compiled !== DEFER) return compiled;
    // A class without a single class-validator rule is a type annotation, not a DTO: the
    // payload passes as it came, as with stock Nest (validating it would refuse every message).
    if (this.toValidate(metadata) && !hasRules(metadata.metatype)) return value;
    const wholeBody = metadata.type === 'body' && metadata.data === undefined;
    // An instance of the DTO means a global ValidationPipe ran first; it is validated again.
    const isDto = typeof metadata.metatype === 'function' && value instanceof metadata.metatype;
    if (wholeBody && this.toValidate(metadata) && !isPlainObject(value) && !isDto) {
      throw new RealtimeException(ErrorCode.VALIDATION_FAILED, MESSAGE, [
        { field: '', errors: ['payload must be a JSON object'] },
      ]);
    }
    return super.transform(value, metadata);
  }
}
