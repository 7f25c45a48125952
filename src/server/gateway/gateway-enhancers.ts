import { ValidationPipe } from '@nestjs/common';
import { reportWhenHandled } from '../filters/handled-by-filter.js';
import { RethrowFilter } from '../filters/rethrow.filter.js';
import { RealtimeValidationPipe } from '../pipes/realtime-validation.pipe.js';

// Metadata keys of @nestjs/common's @UseFilters / @UsePipes / @SubscribeMessage (stable strings
// from Nest 10 to 12, not all exported from its public entry).
const FILTERS = '__exceptionFilters__';
const PIPES = '__pipes__';
const MESSAGE_MAPPING = 'websockets:message_mapping';

function listOf(key: string, target: object): unknown[] {
  return (Reflect.getMetadata(key, target) as unknown[] | undefined) ?? [];
}

/** A `ValidationPipe` class or instance (the app's own, or ours). */
function isValidationPipe(pipe: unknown): boolean {
  if (typeof pipe === 'function') {
    return pipe === ValidationPipe || pipe.prototype instanceof ValidationPipe;
  }
  return pipe instanceof ValidationPipe;
}

/**
 * The module's filter goes first in the class's filter list: Nest tries filters from the last
 * declared to the first, so every `@UseFilters()` of the app (on methods, or on the class above
 * or below `@RealtimeGateway`) runs before it; it only hands what is left to the adapter. The
 * app's filters seen here (on the handlers, and on the class below the decorator) report when
 * they handled an error, so that a request still gets an error reply.
 */
export function composeFilters(target: { prototype: object }): void {
  const own = listOf(FILTERS, target).map(reportWhenHandled);
  Reflect.defineMetadata(FILTERS, [RethrowFilter, ...own], target);
  for (const method of handlersOf(target)) {
    const filters = listOf(FILTERS, method);
    if (filters.length > 0) Reflect.defineMetadata(FILTERS, filters.map(reportWhenHandled), method);
  }
}

/**
 * The module's validation pipe, on each handler that has no `ValidationPipe` of the app's own
 * (on the method, or on the class below `@RealtimeGateway`): an app's pipe with its own
 * `exceptionFactory` or `whitelist` then decides alone, instead of being overridden.
 */
export function addValidationPipe(target: { prototype: object }): void {
  if (listOf(PIPES, target).some(isValidationPipe)) return;
  for (const method of handlersOf(target)) {
    const pipes = listOf(PIPES, method);
    if (pipes.some(isValidationPipe)) continue;
    Reflect.defineMetadata(PIPES, [RealtimeValidationPipe, ...pipes], method);
  }
}

/**
 * Whether a class-level `ValidationPipe` of the app was written above `@RealtimeGateway` (so
 * unseen when it ran): every payload would be validated twice, with two error shapes.
 */
export function hasShadowedValidationPipe(target: { prototype: object }): boolean {
  if (!listOf(PIPES, target).some(isValidationPipe)) return false;
  return handlersOf(target).some((method) =>
    listOf(PIPES, method).includes(RealtimeValidationPipe),
  );
}

/** The `@SubscribeMessage()` methods of a gateway class, inherited ones included. */
function handlersOf(target: { prototype: object }): object[] {
  const out: object[] = [];
  for (let proto = target.prototype; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (typeof method === 'function' && Reflect.getMetadata(MESSAGE_MAPPING, method)) {
        if (!out.includes(method)) out.push(method);
      }
    }
    proto = Object.getPrototypeOf(proto) as object;
  }
  return out;
}
