import { JwtService } from '@nestjs/jwt';

/** The HMAC algorithms the helpers sign with (the server must allow the one you pick). */
export type TestTokenAlgorithm = 'HS256' | 'HS384' | 'HS512';

/**
 * Claims of a test token: `sub` (the user id, unless the module reads it from another claim
 * with `principal.userIdClaim`) and anything else (`id`, `name`, `role`, ...).
 */
export interface TestTokenClaims {
  sub?: string;
  [claim: string]: unknown;
}

/** Options of {@link signTestToken}. Claims given in `claims` win over these. */
export interface SignTestTokenOptions {
  /**
   * Lifetime: `exp` is `now + expiresInSec` seconds (negative: already expired).
   * @default 3600
   */
  expiresInSec?: number;
  /** Sets `nbf` to `now + notBeforeSec` seconds. */
  notBeforeSec?: number;
  /** The `iss` claim (when the module is configured with `jwt.issuer`). */
  issuer?: string;
  /** The `aud` claim (when the module is configured with `jwt.audience`). */
  audience?: string | string[];
  /** @default 'HS256' */
  algorithm?: TestTokenAlgorithm;
  /**
   * The time the token is signed at, in ms since the epoch (`iat`, and the base of `exp`/`nbf`).
   * @default Date.now()
   */
  now?: number;
}

/** A short-lived token and the time it expires. */
export interface ShortLivedTestToken {
  token: string;
  /** `exp` in ms since the epoch: the server closes the socket with 4401 then (plus its skew). */
  expiresAt: number;
}

const jwt = new JwtService();

function claimsFor(
  claims: TestTokenClaims,
  options: SignTestTokenOptions,
  exp: number,
): Record<string, unknown> {
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = { iat: nowSec, exp };
  if (options.notBeforeSec !== undefined) payload['nbf'] = nowSec + options.notBeforeSec;
  if (options.issuer !== undefined) payload['iss'] = options.issuer;
  if (options.audience !== undefined) payload['aud'] = options.audience;
  return { ...payload, ...claims };
}

function sign(
  secret: string,
  payload: Record<string, unknown>,
  options: SignTestTokenOptions,
): string {
  return jwt.sign(payload, { secret, algorithm: options.algorithm ?? 'HS256' });
}

/**
 * Signs a JWT for a test with the secret the module verifies with (`jwt.secret`), HS256 by
 * default, valid for an hour unless `expiresInSec` says otherwise.
 *
 * ```ts
 * const token = signTestToken(SECRET, { sub: 'alice', name: 'Alice' });
 * const admin = signTestToken(SECRET, { sub: 'root', role: 'admin' }, { expiresInSec: 60 });
 * ```
 */
export function signTestToken(
  secret: string,
  claims: TestTokenClaims,
  options: SignTestTokenOptions = {},
): string {
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = nowSec + (options.expiresInSec ?? 3600);
  return sign(secret, claimsFor(claims, options, exp), options);
}

/**
 * A token whose `exp` has passed (`expiredSecAgo` seconds ago, 60 by default): the handshake
 * answers 401, as for a token that expired while the client was offline.
 */
export function signExpiredTestToken(
  secret: string,
  claims: TestTokenClaims,
  options: Omit<SignTestTokenOptions, 'expiresInSec'> & { expiredSecAgo?: number } = {},
): string {
  const { expiredSecAgo = 60, ...rest } = options;
  return signTestToken(secret, claims, { ...rest, expiresInSec: -Math.abs(expiredSecAgo) });
}

/**
 * A token that lives at least `lifetimeMs` (JWT times are whole seconds, so `exp` is the first
 * second at or after `now + lifetimeMs`), with the time it expires. For token-expiry tests: an
 * open socket is closed with 4401 at `expiresAt` (plus the module's `jwt.clockToleranceSec`).
 */
export function signShortLivedTestToken(
  secret: string,
  claims: TestTokenClaims,
  options: Omit<SignTestTokenOptions, 'expiresInSec'> & { lifetimeMs: number },
): ShortLivedTestToken {
  const { lifetimeMs, ...rest } = options;
  if (!(lifetimeMs > 0)) throw new TypeError('signShortLivedTestToken: lifetimeMs must be > 0.');
  const now = rest.now ?? Date.now();
  const exp = Math.ceil((now + lifetimeMs) / 1000);
  const token = sign(secret, claimsFor(claims, { ...rest, now }, exp), rest);
  return { token, expiresAt: exp * 1000 };
}
