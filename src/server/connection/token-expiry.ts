import { CloseCode } from '../../protocol/index.js';
import type { ConnectionState } from './connection-state.js';

/** setTimeout's largest delay (about 24.8 days). */
const MAX_DELAY = 2_147_483_647;

/** Whether the connection's token has expired (with the configured clock tolerance). */
export function isExpired(state: ConnectionState, toleranceMs: number, now = Date.now()): boolean {
  const expiresAt = state.principal.expiresAt;
  return expiresAt !== null && now >= expiresAt + toleranceMs;
}

/** Closes the connection with 4401 when its token expires; a later call replaces the timer. */
export function scheduleExpiry(state: ConnectionState, toleranceMs: number): void {
  clearExpiry(state);
  const expiresAt = state.principal.expiresAt;
  if (expiresAt === null) return;
  const delay = expiresAt + toleranceMs - Date.now();
  state.expiryTimer =
    delay > MAX_DELAY
      ? setTimeout(() => scheduleExpiry(state, toleranceMs), MAX_DELAY)
      : setTimeout(() => state.close(CloseCode.TOKEN_EXPIRED, 'Token expired'), Math.max(0, delay));
  state.expiryTimer.unref();
}

export function clearExpiry(state: ConnectionState): void {
  clearTimeout(state.expiryTimer);
  state.expiryTimer = undefined;
}
