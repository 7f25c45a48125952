import { Inject, Injectable } from '@nestjs/common';
import { JwtService, type JwtVerifyOptions } from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { RealtimePrincipal } from './principal.js';
import { toPrincipal } from './principal-mapper.js';
import { InvalidTokenError, reasonOf } from './token-verifier.errors.js';

export { InvalidTokenError } from './token-verifier.errors.js';

type Claims = Record<string, unknown>;

function isClaims(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Verifies JWTs and maps their claims to a principal. By default with `@nestjs/jwt` against an
 * explicit algorithm list, the configured key, `exp`/`nbf` (with clock tolerance) and
 * `iss`/`aud` when configured; never fetches a key named by the token (`jku`, `x5u` are
 * ignored). With `jwt.verify`, your function decides (e.g. your app's `JwtService`). Used at the
 * upgrade and by `$auth`.
 */
@Injectable()
export class TokenVerifier {
  private readonly jwt: JwtService;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    const key = (options.jwt.secret ?? options.jwt.publicKey) as KeyObject | undefined;
    const { algorithms, issuer, audience, clockToleranceSec } = options.jwt;
    // What `@nestjs/jwt` checks besides the signature, given once (the options are fixed): a
    // verify then merges no options of its own. A KeyObject, not a string: jsonwebtoken then
    // skips importing the key again on every verify.
    const verifyOptions: JwtVerifyOptions = {
      algorithms,
      issuer: issuer as string | [string, ...string[]] | undefined,
      audience: audience as string | [string, ...string[]] | undefined,
      clockTolerance: clockToleranceSec,
    };
    this.jwt = new JwtService({ secretOrKeyProvider: () => key as KeyObject, verifyOptions });
  }

  /**
   * The principal of a valid token, or throws `InvalidTokenError`. Synchronous unless
   * `jwt.verify` returns a promise.
   */
  verify(token: string): RealtimePrincipal | Promise<RealtimePrincipal> {
    const claims = this.claimsOf(token);
    if (!(claims instanceof Promise)) return this.map(claims);
    return claims.then(
      (value) => this.map(value),
      (error: unknown) => {
        throw error instanceof InvalidTokenError ? error : new InvalidTokenError(reasonOf(error));
      },
    );
  }

  private claimsOf(token: string): unknown {
    const { verify } = this.options.jwt;
    try {
      if (verify) return verify(token);
      return this.jwt.verify<Claims>(token);
    } catch (error) {
      throw new InvalidTokenError(reasonOf(error));
    }
  }

  private map(claims: unknown): RealtimePrincipal {
    if (!isClaims(claims)) throw new InvalidTokenError('Invalid token');
    return toPrincipal(claims, this.options.principal);
  }
}
