import type { ClientEvents } from './client-events.js';
import { runHook } from './client.errors.js';
import type { RecoveryInfo } from './resume-reply.js';

/** What the steps after an open need from the client. */
export interface ReopenHost {
  /** Whether the socket that opened is still the client's (it may drop at any step). */
  isCurrent(): boolean;
  /** Where `onRecovery` listeners and errors go. */
  events: Pick<ClientEvents, 'recovered' | 'report'>;
  /** The `onReconnect` option, bound to the client. */
  onReconnect: (() => Promise<void> | void) | undefined;
  /** Sends the offline queue. */
  flush(): void;
}

/**
 * The steps after an open, in order: the `$resume` reply (when recovery is on; the replayed
 * pushes have reached the listeners by then), `onRecovery`, then `onReconnect` on a reconnect
 * that did not recover everything (its requests go out at once), then the flush of the offline
 * queue. Stops when the socket goes away meanwhile: the next open starts over, and the queue
 * waits for it. With nothing to wait for, it runs synchronously up to the flush.
 */
export async function afterOpen(
  host: ReopenHost,
  reconnected: boolean,
  resumed: Promise<RecoveryInfo | undefined> | undefined,
): Promise<void> {
  const info = resumed ? await resumed : undefined;
  if (!host.isCurrent()) return;
  if (info) host.events.recovered(info);
  // A recovery listener may have closed the client.
  if (!host.isCurrent()) return;
  if (reconnected && !info?.recovered && host.onReconnect) {
    const failure = await runHook(host.onReconnect);
    if (!host.isCurrent()) return;
    if (failure) host.events.report(failure);
  }
  host.flush();
}
