import type { RealtimePrincipal } from './principal.js';
import { InvalidTokenError } from './token-verifier.errors.js';

/** How verified claims become a principal (`RealtimeModuleOptions.principal`). */
export interface PrincipalMapping {
  /** The claim that holds the user id. */
  readonly userIdClaim: string;
  /** Or the user id computed from the claims; takes precedence over `userIdClaim`. */
  readonly userId: ((claims: Readonly<Record<string, unknown>>) => unknown) | undefined;
}

/**
 * A user id as the module keeps it: a non-empty string, or (where numbers are accepted) a safe
 * integer as its decimal text.
 */
function normalizeUserId(value: unknown, numbers: boolean): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (numbers && typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * The principal of verified claims: the user id from the configured claim (or function), and
 * `exp` as `expiresAt`. A token without a usable user id is refused (`InvalidTokenError`).
 */
export function toPrincipal(
  claims: Readonly<Record<string, unknown>>,
  mapping: PrincipalMapping,
): RealtimePrincipal {
  let raw: unknown;
  try {
    raw = mapping.userId ? mapping.userId(claims) : claims[mapping.userIdClaim];
  } catch {
    throw new InvalidTokenError('Token has no user id');
  }
  // `sub` is a string by RFC 7519; a claim or function the app chose may hold a number.
  const standard = !mapping.userId && mapping.userIdClaim === 'sub';
  const userId = normalizeUserId(raw, !standard);
  if (userId === undefined) {
    throw new InvalidTokenError(standard ? 'Token has no subject' : 'Token has no user id');
  }
  const exp = claims['exp'];
  return { userId, claims, expiresAt: typeof exp === 'number' ? exp * 1000 : null };
}
