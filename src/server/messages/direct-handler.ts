import type { ArgumentMetadata, ExecutionContext } from '@nestjs/common';
import type { BoundHandler } from '../connection/connection-state.js';
import { currentConnectionFactory } from '../decorators/current-connection.decorator.js';
import { principalFactory } from '../decorators/principal.decorator.js';
import { RethrowFilter } from '../filters/rethrow.filter.js';
import { DEFER, RealtimeValidationPipe } from '../pipes/realtime-validation.pipe.js';
import type { HandlerTarget } from './handler-target.js';

// Metadata keys of @nestjs/common and @nestjs/websockets (stable strings from Nest 10 to 12).
const GUARDS = '__guards__';
const INTERCEPTORS = '__interceptors__';
const PIPES = '__pipes__';
const FILTERS = '__exceptionFilters__';
const ROUTE_ARGS = '__routeArguments__';
const CUSTOM_ARGS = '__customRouteArgs__';
const PARAMTYPES = 'design:paramtypes';
/** `WsParamtype.SOCKET` and `WsParamtype.PAYLOAD`. */
const SOCKET = 0;
const PAYLOAD = 3;

type Factory = (data: unknown, context: ExecutionContext) => unknown;

/** The module's own parameter decorators: they only read the client from the context. */
const KNOWN_FACTORIES: readonly unknown[] = [currentConnectionFactory, principalFactory];

interface ParamMeta {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: unknown;
}

interface Param {
  readonly index: number;
  /** How the value is read: the socket, the payload (or a key of it), or a decorator's factory. */
  readonly read: (client: object, data: unknown) => unknown;
  /** What Nest hands the pipes for this parameter. */
  readonly meta: ArgumentMetadata;
}

/** @internal Whether a connection's handler is a direct one (for tests). */
export function isDirectHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as BoundHandler).deferred === true;
}

function listOf(key: string, target: object): unknown[] {
  return (Reflect.getMetadata(key, target) as unknown[] | undefined) ?? [];
}

/**
 * Whether Nest's chain for this handler holds only what `@RealtimeGateway()` put there: its
 * rethrowing filter on the class and its validation pipe on the method; no guard, interceptor,
 * pipe or filter of the app's on the class or the method.
 */
function onlyModuleEnhancers(target: HandlerTarget): boolean {
  const type = target.instance.constructor;
  const method = target.callback;
  const classFilters = listOf(FILTERS, type);
  const methodPipes = listOf(PIPES, method);
  return (
    classFilters.length === 1 &&
    classFilters[0] === RethrowFilter &&
    methodPipes.length === 1 &&
    methodPipes[0] === RealtimeValidationPipe &&
    [GUARDS, INTERCEPTORS, PIPES].every((key) => listOf(key, type).length === 0) &&
    [GUARDS, INTERCEPTORS, FILTERS].every((key) => listOf(key, method).length === 0)
  );
}

/** The client as `switchToWs().getClient()` gives it: all the module's decorators read. */
function contextOf(client: object): ExecutionContext {
  return { switchToWs: () => ({ getClient: () => client }) } as unknown as ExecutionContext;
}

function paramOf(key: string, meta: ParamMeta, metatype: unknown): Param | undefined {
  if (meta.pipes?.length) return undefined;
  const { index, data } = meta;
  // Nest's PipesConsumer names the type: the payload is 'body', the socket and decorators 'custom'.
  const custom = { metatype, type: 'custom', data } as ArgumentMetadata;
  if (key.includes(CUSTOM_ARGS)) {
    if (!KNOWN_FACTORIES.includes(meta.factory)) return undefined;
    const factory = meta.factory as Factory;
    return { index, meta: custom, read: (client) => factory(data, contextOf(client)) };
  }
  const type = Number(key.split(':')[0]);
  if (type === SOCKET) return { index, meta: custom, read: (client) => client };
  if (type !== PAYLOAD) return undefined;
  const body = { metatype, type: 'body', data } as ArgumentMetadata;
  if (!data) return { index, meta: body, read: (_client, payload) => payload };
  const property = data as string;
  const read = (_client: object, payload: unknown) =>
    (payload as Record<string, unknown> | null | undefined)?.[property];
  return { index, meta: body, read };
}

/** The parameters of a handler, or `undefined` when one of them needs Nest's own resolution. */
function paramsOf(target: HandlerTarget): { params: Param[]; length: number } | undefined {
  const { instance, methodName } = target;
  const metadata = Reflect.getMetadata(ROUTE_ARGS, instance.constructor, methodName) as
    Record<string, ParamMeta> | undefined;
  // No parameter decorator: Nest passes its default arguments; left to it.
  if (!metadata) return undefined;
  const types = Reflect.getMetadata(PARAMTYPES, instance, methodName) as unknown[] | undefined;
  const params: Param[] = [];
  for (const [key, meta] of Object.entries(metadata)) {
    const param = paramOf(key, meta, types?.[meta.index]);
    if (!param) return undefined;
    params.push(param);
  }
  const length = params.length ? Math.max(...params.map((param) => param.index)) + 1 : 0;
  return { params, length };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * A handler called without Nest's per-message promise chain (one microtask instead of its
 * awaits, guards, interceptors and pipe consumer), when that chain would only run
 * what `@RealtimeGateway()` added (see `onlyModuleEnhancers`) and the parameters are the
 * socket, the payload (or a key of it) and the module's decorators. The payload is validated by
 * the same pipe, synchronously when its DTO allows; errors and results reach the adapter as
 * they would through Nest (the module's filter only rethrows). `undefined`: use Nest's callback.
 */
export function directHandler(
  target: HandlerTarget,
  pipe: RealtimeValidationPipe,
): BoundHandler | undefined {
  if (!target.isStatic || !onlyModuleEnhancers(target)) return undefined;
  const resolved = paramsOf(target);
  if (!resolved) return undefined;
  const { length } = resolved;
  // What the pipe would hand on untouched, or validate against which DTO, is decided here once.
  const params = resolved.params.map((param) => ({
    ...param,
    passThrough: pipe.passesThrough(param.meta),
    dto: pipe.dtoOf(param.meta),
  }));
  const { instance, callback } = target;
  const call = (args: unknown[]): unknown => {
    const result = callback.apply(instance, args);
    return isThenable(result) && !(result instanceof Promise) ? Promise.resolve(result) : result;
  };
  // One for every connection (the runner passes the client): nothing allocated per socket.
  // `deferred`: the runner calls it one microtask later, as Nest's chain starts handlers (after
  // several): every message of a TCP read starts its handler before any of them runs, so a
  // handler that closes the connection does not drop the requests read with it (see
  // test/e2e/close-flush.e2e-spec.ts).
  return Object.assign((data: unknown, _event: string, client?: object) => run(client!, data), {
    deferred: true as const,
  });
  function run(client: object, data: unknown): unknown {
    const args: unknown[] = new Array(length).fill(undefined);
    let pending: Promise<void>[] | undefined;
    try {
      for (const { index, read, meta, passThrough, dto } of params) {
        const value = read(client, data);
        const piped = passThrough
          ? value
          : dto
            ? pipe.tryCompiledDto(dto, value)
            : pipe.tryCompiled(value, meta);
        if (piped !== DEFER) {
          args[index] = piped;
          continue;
        }
        const settle = (resolvedValue: unknown) => {
          args[index] = resolvedValue;
        };
        (pending ??= []).push(pipe.transform(value, meta).then(settle));
      }
    } catch (error) {
      // Nest's Promise.all would have awaited these too: none is left unhandled.
      if (pending) void Promise.allSettled(pending);
      throw error;
    }
    if (!pending) return call(args);
    return Promise.all(pending).then(() => call(args));
  }
}
