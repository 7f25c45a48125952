import { Logger } from '@nestjs/common';
import { isObservable } from 'rxjs';
import { CloseCode } from '../../protocol/index.js';
import { redact } from '../errors/redact.js';
import { stateOf } from '../connection/connection-map.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { RealtimeConfigError } from '../realtime.options-validation.js';

const logger = new Logger('RealtimeGateway');

type Hook = (this: unknown, client: unknown, ...rest: unknown[]) => unknown;

function describe(error: unknown): string {
  return redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
}

function failConnection(gateway: string, state: ConnectionState | undefined, error: unknown): void {
  logger.error(`${gateway}.handleConnection failed: ${describe(error)}`);
  if (!state) return;
  state.failed = true;
  state.backlog = [];
  state.close(CloseCode.INTERNAL_ERROR, 'Internal error');
}

/** Resolves when a hook's result (value, promise or Observable) has settled; never rejects. */
function settle(result: unknown, onError: (error: unknown) => void): Promise<void> {
  if (isObservable(result)) {
    return new Promise((resolve) => {
      result.subscribe({
        error: (error: unknown) => {
          onError(error);
          resolve();
        },
        complete: resolve,
      });
    });
  }
  if (result instanceof Promise) return result.then(() => undefined, onError);
  return Promise.resolve();
}

/**
 * Wraps `handleConnection`: a sync throw, a rejection or an errored Observable is logged and
 * closes the socket with 1011 instead of crashing the process; messages that arrive meanwhile
 * are held until the hook settles, so handlers never run before the connection is set up.
 */
function wrapConnectionHook(gateway: string, original: Hook): Hook {
  return function (this: unknown, client: unknown, ...rest: unknown[]) {
    const state = stateOf(client);
    const onError = (error: unknown) => failConnection(gateway, state, error);
    let result: unknown;
    try {
      result = original.call(this, client, ...rest);
    } catch (error) {
      onError(error);
      return undefined;
    }
    if (!isObservable(result) && !(result instanceof Promise)) return result;
    if (state) state.pendingHooks++;
    void settle(result, onError).then(() => state && releaseHeld(state));
    return undefined;
  };
}

/** Wraps `handleDisconnect`: errors are logged, never thrown into the process. */
function wrapDisconnectHook(gateway: string, original: Hook): Hook {
  return function (this: unknown, client: unknown, ...rest: unknown[]) {
    const onError = (error: unknown) =>
      logger.error(`${gateway}.handleDisconnect failed: ${describe(error)}`);
    try {
      const work = settle(original.call(this, client, ...rest), onError);
      // Graceful shutdown waits for async disconnect hooks (e.g. saving presence).
      stateOf(client)?.disconnectWork.push(work);
    } catch (error) {
      onError(error);
    }
    return undefined;
  };
}

function releaseHeld(state: ConnectionState): void {
  state.pendingHooks--;
  if (state.pendingHooks === 0) state.replay(state);
}

/**
 * Turns `onConnectionOpen(connection, request)` / `onConnectionClose(connection, close)` into the
 * `handleConnection` / `handleDisconnect` that Nest calls, with the connection looked up once.
 */
function adoptConnectionHooks(gateway: string, proto: Record<string, unknown>): void {
  const pairs = [
    ['onConnectionOpen', 'handleConnection'],
    ['onConnectionClose', 'handleDisconnect'],
  ] as const;
  for (const [ours, nests] of pairs) {
    const hook = proto[ours];
    if (typeof hook !== 'function') continue;
    if (typeof proto[nests] === 'function') {
      throw new RealtimeConfigError(
        `${gateway} declares both ${ours} and ${nests}; keep one (${ours} receives the RealtimeConnection).`,
      );
    }
    proto[nests] = function (this: unknown, client: unknown, request?: unknown) {
      const state = stateOf(client);
      if (!state) return undefined;
      const second = ours === 'onConnectionOpen' ? request : state.closeInfo;
      return (hook as Hook).call(this, state, second);
    };
  }
}

/**
 * `onConnectionResume`: each connection remembers the hook of every gateway on its path (bound
 * to the gateway) when it opens, for the resumer to run.
 */
function adoptResumeHook(proto: Record<string, unknown>): void {
  const hook = proto['onConnectionResume'];
  if (typeof hook !== 'function') return;
  const open = proto['handleConnection'];
  proto['handleConnection'] = function (this: unknown, client: unknown, ...rest: unknown[]) {
    const state = stateOf(client);
    if (state) (state.resumeHooks ??= []).push((info) => (hook as Hook).call(this, state, info));
    return typeof open === 'function' ? (open as Hook).call(this, client, ...rest) : undefined;
  };
}

/** Makes a gateway class's connection hooks safe. Applied by `@RealtimeGateway()`. */
export function guardLifecycleHooks(target: { prototype: object; name: string }): void {
  const proto = target.prototype as Record<string, unknown>;
  adoptConnectionHooks(target.name, proto);
  adoptResumeHook(proto);
  const connect = proto['handleConnection'];
  if (typeof connect === 'function') {
    proto['handleConnection'] = wrapConnectionHook(target.name, connect as Hook);
  }
  const disconnect = proto['handleDisconnect'];
  if (typeof disconnect === 'function') {
    proto['handleDisconnect'] = wrapDisconnectHook(target.name, disconnect as Hook);
  }
}
