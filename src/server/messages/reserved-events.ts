import { ErrorCode, isObject, ReservedEvent } from '../../protocol/index.js';
import { InvalidTokenError, type TokenVerifier } from '../auth/token-verifier.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { scheduleExpiry } from '../connection/token-expiry.js';
import { fail, reply, type Envelope } from './replies.js';

/**
 * The events the protocol reserves for itself (section 4), answered without a gateway: `$ping`
 * (liveness from browsers) and `$auth` (in-band token refresh). Any other `$` event is unknown.
 */
export class ReservedEvents {
  constructor(
    private readonly verifier: TokenVerifier,
    /** Clock tolerance on `exp`, in ms. */
    private readonly toleranceMs: number,
  ) {}

  handle(state: ConnectionState, envelope: Envelope): void {
    switch (envelope.event) {
      case ReservedEvent.PING:
        if (envelope.id !== undefined) reply(state, envelope.id, { t: Date.now() });
        return;
      case ReservedEvent.AUTH:
        return this.refreshToken(state, envelope);
      default:
        fail(state, envelope, {
          code: ErrorCode.UNKNOWN_EVENT,
          message: 'Unknown reserved event',
        });
    }
  }

  /** `$auth`: a fresh token for the same user replaces the connection's principal. */
  private refreshToken(state: ConnectionState, envelope: Envelope): void {
    const token = isObject(envelope.data) ? envelope.data['token'] : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      return fail(state, envelope, {
        code: ErrorCode.VALIDATION_FAILED,
        message: 'Payload validation failed',
        details: [{ field: 'token', errors: ['token must be a non-empty string'] }],
      });
    }
    try {
      const principal = this.verifier.verify(token);
      if (principal.userId !== state.userId) {
        return fail(state, envelope, {
          code: ErrorCode.UNAUTHORIZED,
          message: 'Token is for another user',
        });
      }
      state.principal = principal;
      scheduleExpiry(state, this.toleranceMs);
      if (envelope.id !== undefined) reply(state, envelope.id, { expiresAt: principal.expiresAt });
    } catch (error) {
      const message = error instanceof InvalidTokenError ? error.message : 'Invalid token';
      fail(state, envelope, { code: ErrorCode.UNAUTHORIZED, message });
    }
  }
}
