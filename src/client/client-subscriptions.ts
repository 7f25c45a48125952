import type { PushData, PushName, RealtimeContract } from '../protocol/index.js';
import { ClientEvents } from './client-events.js';
import type { StateChange } from './client-state.js';
import type { RealtimeClientError } from './client.errors.js';
import type { RecoveryInfo } from './resume-reply.js';

/**
 * The listening half of `RealtimeClient`: pushes, state changes, errors and recoveries. Each
 * method returns the function that stops listening.
 */
export abstract class ClientSubscriptions<C extends RealtimeContract> {
  protected readonly events = new ClientEvents();

  /** Listens to a push; returns the function that stops listening. */
  on<E extends PushName<C>>(event: E, handler: (data: PushData<C, E>) => void): () => void {
    return this.events.onPush(event, handler as (data: unknown) => void);
  }

  /** Listens to state changes; returns the function that stops listening. */
  onState(listener: (change: StateChange) => void): () => void {
    return this.events.onState(listener);
  }

  /**
   * Listens to errors with nothing to reject: `$error` pushes from the server (their `event`
   * names the client's event), a failed token refresh, a failed `onReconnect`, a listener that
   * threw. Returns the function that stops listening.
   */
  onError(listener: (error: RealtimeClientError) => void): () => void {
    return this.events.onError(listener);
  }

  /**
   * Listens to what each `$resume` gave (see the `recovery` option): called after every open
   * while recovery is on, before `onReconnect` and the flush of the offline queue. Returns the
   * function that stops listening.
   */
  onRecovery(listener: (info: RecoveryInfo) => void): () => void {
    return this.events.onRecovery(listener);
  }
}
