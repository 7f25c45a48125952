import { Injectable } from '@nestjs/common';
import type { RealtimePrincipal } from '../auth/principal.js';
import { InvalidTokenError, TokenVerifier } from '../auth/token-verifier.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import type { HandshakeContext, HandshakeGuard } from './handshake-guard.js';

function refusal(error: unknown): unknown {
  return error instanceof InvalidTokenError
    ? HandshakeException.unauthorized(error.message)
    : error;
}

/**
 * The default handshake guard: verifies `context.token` (header, subprotocol, query or cookie at
 * the upgrade; the new token of a `$auth` refresh) and sets the principal. No token or a bad
 * one: `401` with `WWW-Authenticate: Bearer`.
 */
@Injectable()
export class JwtHandshakeGuard implements HandshakeGuard {
  constructor(private readonly verifier: TokenVerifier) {}

  canHandshake(context: HandshakeContext): boolean | Promise<boolean> {
    const token = context.token;
    if (!token) throw HandshakeException.unauthorized('A bearer token is required');
    let outcome: RealtimePrincipal | Promise<RealtimePrincipal>;
    try {
      outcome = this.verifier.verify(token);
    } catch (error) {
      throw refusal(error);
    }
    if (!(outcome instanceof Promise)) {
      context.principal = outcome;
      return true;
    }
    return outcome.then(
      (principal) => {
        context.principal = principal;
        return true;
      },
      (error: unknown) => {
        throw refusal(error);
      },
    );
  }
}
