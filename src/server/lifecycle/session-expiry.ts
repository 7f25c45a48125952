import { CloseCode } from '../../protocol/index.js';
import type { Session } from '../gateway/session.js';

/** setTimeout's largest delay (about 24.8 days). */
const MAX_DELAY = 2_147_483_647;

/** Whether the session's token has expired (with the configured clock tolerance). */
export function isExpired(session: Session, toleranceMs: number, now = Date.now()): boolean {
  const expiresAt = session.connection.principal.expiresAt;
  return expiresAt !== null && now >= expiresAt + toleranceMs;
}

/** Closes the session with 4401 when its token expires; a later call replaces the timer. */
export function scheduleExpiry(session: Session, toleranceMs: number): void {
  clearExpiry(session);
  const expiresAt = session.connection.principal.expiresAt;
  if (expiresAt === null) return;
  const delay = expiresAt + toleranceMs - Date.now();
  session.expiryTimer =
    delay > MAX_DELAY
      ? setTimeout(() => scheduleExpiry(session, toleranceMs), MAX_DELAY)
      : setTimeout(
          () => session.connection.close(CloseCode.TOKEN_EXPIRED, 'Token expired'),
          Math.max(0, delay),
        );
  session.expiryTimer.unref();
}

export function clearExpiry(session: Session): void {
  clearTimeout(session.expiryTimer);
  session.expiryTimer = undefined;
}
