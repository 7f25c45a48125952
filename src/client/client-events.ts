import { isObject, ReservedEvent, type ErrorPushData } from '../protocol/index.js';
import type { StateChange } from './client-state.js';
import { ClientErrorCode, describeError, RealtimeClientError } from './client.errors.js';
import { ListenerSet } from './listener-set.js';
import type { RecoveryInfo } from './resume-reply.js';

/**
 * The listeners of a client: pushes by event name, state changes, errors and recoveries. A listener that
 * throws is reported to the error listeners (`LISTENER_FAILED`); the others still run.
 */
export class ClientEvents {
  private readonly pushes = new Map<string, ListenerSet<unknown>>();
  private readonly states = new ListenerSet<StateChange>();
  private readonly errors = new ListenerSet<RealtimeClientError>();
  private readonly recoveries = new ListenerSet<RecoveryInfo>();

  /** Adds a push listener; returns the function that removes it. */
  onPush(event: string, listener: (data: unknown) => void): () => void {
    let listeners = this.pushes.get(event);
    if (!listeners) this.pushes.set(event, (listeners = new ListenerSet()));
    return listeners.add(listener);
  }

  /** Adds a state listener; returns the function that removes it. */
  onState(listener: (change: StateChange) => void): () => void {
    return this.states.add(listener);
  }

  /** Adds an error listener; returns the function that removes it. */
  onError(listener: (error: RealtimeClientError) => void): () => void {
    return this.errors.add(listener);
  }

  /** Adds a recovery listener; returns the function that removes it. */
  onRecovery(listener: (info: RecoveryInfo) => void): () => void {
    return this.recoveries.add(listener);
  }

  /** Tells the recovery listeners what a `$resume` gave. */
  recovered(info: RecoveryInfo): void {
    this.recoveries.emit(info, this.listenerFailed);
  }

  /** Tells the state listeners. */
  stateChanged(change: StateChange): void {
    this.states.emit(change, this.listenerFailed);
  }

  /** Delivers a push; a `$error` push goes to the error listeners. */
  push(event: string, data: unknown): void {
    if (event !== ReservedEvent.ERROR)
      return this.pushes.get(event)?.emit(data, this.listenerFailed);
    if (!isObject(data) || typeof data['code'] !== 'string') return;
    this.report(RealtimeClientError.fromPush(data as unknown as ErrorPushData));
  }

  /** Tells the error listeners (an error listener that throws is ignored). */
  report(error: RealtimeClientError): void {
    this.errors.emit(error, () => undefined);
  }

  private readonly listenerFailed = (error: unknown): void => {
    const message = `A listener threw: ${describeError(error)}`;
    const code = ClientErrorCode.LISTENER_FAILED;
    this.report(new RealtimeClientError(code, message, { cause: error }));
  };
}
