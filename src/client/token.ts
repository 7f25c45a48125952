/** Shortest delay between two in-band refreshes, so a short-lived token cannot cause a loop. */
export const MIN_REFRESH_DELAY_MS = 1000;

/** Decodes base64url (padding optional) to text, with the globals of Node >= 16 and browsers. */
export function decodeBase64Url(input: string): string {
  const base64 = input.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The `exp` of a JWT in ms since the epoch, read without verifying anything (the server
 * verifies); `undefined` when the token is not a JWT or has no numeric `exp`.
 */
export function readTokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When to refresh a token that expires at `expiresAt`: `beforeMs` ahead of it, or half-way
 * there for a token that lives shorter than that, never sooner than {@link MIN_REFRESH_DELAY_MS};
 * `undefined` when it has already expired (the server closes with 4401 and the client reconnects
 * with a fresh token).
 */
export function refreshDelay(expiresAt: number, now: number, beforeMs: number): number | undefined {
  const remaining = expiresAt - now;
  if (remaining <= 0) return undefined;
  return Math.max(remaining - beforeMs, remaining / 2, MIN_REFRESH_DELAY_MS);
}
