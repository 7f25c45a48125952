import { ErrorCode, isObject, ReservedEvent, type ErrorPayload } from '../../protocol/index.js';
import type { RealtimePrincipal } from '../auth/principal.js';
import { InvalidTokenError } from '../auth/token-verifier.errors.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { scheduleExpiry } from '../connection/token-expiry.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import { INTERNAL_MESSAGE } from '../errors/to-error-payload.js';
import type { SessionResumer } from '../recovery/session-resumer.js';
import { OK } from '../metrics/meter.js';
import { fail, reply, type Envelope } from './replies.js';

/**
 * Checks a `$auth` token the way the upgrade checked the first one (the path's handshake
 * guards, the same verification and mapping) and returns the new principal; throws (or
 * rejects) with a `HandshakeException` or an `InvalidTokenError` when it is refused.
 */
export type RefreshPrincipal = (
  state: ConnectionState,
  token: string,
) => RealtimePrincipal | Promise<RealtimePrincipal>;

/** A refused refresh as the `error` of the `$auth` reply. */
function refusalOf(error: unknown): ErrorPayload {
  if (error instanceof InvalidTokenError) {
    return { code: ErrorCode.UNAUTHORIZED, message: error.message };
  }
  if (error instanceof HandshakeException && error.status < 500) {
    const code = error.status === 403 ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHORIZED;
    return { code, message: error.message };
  }
  return { code: ErrorCode.INTERNAL, message: INTERNAL_MESSAGE };
}

/**
 * The events the protocol reserves for itself (section 4), answered without a gateway: `$ping`
 * (liveness from browsers) and `$auth` (in-band token refresh). Any other `$` event is unknown.
 */
export class ReservedEvents {
  constructor(
    private readonly refresh: RefreshPrincipal,
    /** Clock tolerance on `exp`, in ms. */
    private readonly toleranceMs: number,
    /** Answers `$resume`; without recovery it is an unknown event. */
    private readonly resumer?: SessionResumer,
  ) {}

  handle(state: ConnectionState, envelope: Envelope): void {
    switch (envelope.event) {
      case ReservedEvent.PING:
        state.writer.meter?.statsOf(envelope.event).answered(OK);
        if (envelope.id !== undefined) reply(state, envelope.id, { t: Date.now() });
        return;
      case ReservedEvent.AUTH:
        return this.refreshToken(state, envelope);
      case ReservedEvent.RESUME:
        if (this.resumer) return this.resumer.handle(state, envelope);
        break;
    }
    fail(state, envelope, { code: ErrorCode.UNKNOWN_EVENT, message: 'Unknown reserved event' });
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
    let outcome: RealtimePrincipal | Promise<RealtimePrincipal>;
    try {
      outcome = this.refresh(state, token);
    } catch (error) {
      return fail(state, envelope, refusalOf(error));
    }
    if (!(outcome instanceof Promise)) return this.adopt(state, envelope, outcome);
    outcome.then(
      (principal) => this.adopt(state, envelope, principal),
      (error: unknown) => fail(state, envelope, refusalOf(error)),
    );
  }

  private adopt(state: ConnectionState, envelope: Envelope, principal: RealtimePrincipal): void {
    if (principal.userId !== state.userId) {
      return fail(state, envelope, {
        code: ErrorCode.UNAUTHORIZED,
        message: 'Token is for another user',
      });
    }
    state.principal = principal;
    scheduleExpiry(state, this.toleranceMs);
    state.writer.meter?.statsOf(envelope.event).answered(OK);
    if (envelope.id !== undefined) reply(state, envelope.id, { expiresAt: principal.expiresAt });
  }
}
