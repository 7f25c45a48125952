import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { RealtimePrincipal } from './principal.js';

/** Why a token was refused; safe to show (it never contains the token). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TokenExpiredError') return 'Token expired';
  if (name === 'NotBeforeError') return 'Token not yet valid';
  return 'Invalid token';
}

/**
 * Verifies JWTs with `@nestjs/jwt` against an explicit algorithm list, the configured key,
 * `exp`/`nbf` (with clock tolerance) and `iss`/`aud` when configured. Used at the upgrade and by
 * `$auth`. Never fetches a key named by the token (`jku`, `x5u` are ignored).
 */
@Injectable()
export class TokenVerifier {
  private readonly jwt: JwtService;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    const key = (options.jwt.secret ?? options.jwt.publicKey) as KeyObject | undefined;
    // A KeyObject, not a string: jsonwebtoken then skips re-importing the key on every verify.
    this.jwt = new JwtService({ secretOrKeyProvider: () => key as KeyObject });
  }

  /** Returns the principal of a valid token, or throws `InvalidTokenError`. */
  verify(token: string): RealtimePrincipal {
    const { algorithms, issuer, audience, clockToleranceSec } = this.options.jwt;
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token, {
        algorithms,
        issuer: issuer as string | [string, ...string[]] | undefined,
        audience: audience as string | [string, ...string[]] | undefined,
        clockTolerance: clockToleranceSec,
      });
    } catch (error) {
      throw new InvalidTokenError(reasonOf(error));
    }
    const sub = claims['sub'];
    if (typeof sub !== 'string' || sub.length === 0) {
      throw new InvalidTokenError('Token has no subject');
    }
    const exp = claims['exp'];
    return {
      userId: sub,
      claims,
      expiresAt: typeof exp === 'number' ? exp * 1000 : null,
    };
  }
}
