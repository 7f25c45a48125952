import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import type { HandshakeContext, HandshakeGuard } from './handshake-guard.js';
import { extractToken } from '../auth/token-extractor.js';
import { InvalidTokenError, TokenVerifier } from '../auth/token-verifier.js';

/**
 * The default handshake guard: finds the token (header, subprotocol, query, cookie), verifies
 * it and sets the connection's principal. No token or a bad one: `401` with
 * `WWW-Authenticate: Bearer`.
 */
@Injectable()
export class JwtHandshakeGuard implements HandshakeGuard {
  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  canHandshake(context: HandshakeContext): boolean {
    const token = extractToken(context.request, context.url, this.options.tokenSources);
    if (!token) throw HandshakeException.unauthorized('A bearer token is required');
    try {
      context.principal = this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw HandshakeException.unauthorized(error.message);
      throw error;
    }
    return true;
  }
}
