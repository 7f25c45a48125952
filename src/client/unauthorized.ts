/**
 * Thrown by `getToken()` (or returned as `null`) to say the user is signed out: the client stops
 * in state `closed` with code `AUTH_FAILED` and this error's message as the reason, instead of
 * retrying. Any other failure of `getToken()` (a network error, a 502 while the auth service
 * restarts) is retried with backoff.
 *
 * ```ts
 * getToken: async () => {
 *   const res = await fetch('/auth/token');
 *   if (res.status === 401) throw new UnauthorizedError('Signed out');
 *   if (!res.ok) throw new Error(`token endpoint answered ${res.status}`); // retried
 *   return (await res.json()).token;
 * }
 * ```
 */
export class UnauthorizedError extends Error {
  override readonly name: string = 'UnauthorizedError';

  constructor(message = 'Unauthorized', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Whether `error` is the "unauthorized" signal. Checked by name as well as by class, so an error
 * made by another copy of the SDK (two bundles on one page) is recognised too.
 */
export function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof UnauthorizedError || (error as Error | null)?.name === 'UnauthorizedError'
  );
}

/** What `getToken()` may return: a token, or `null` for "signed out, stop". */
export type TokenProvider = () => Promise<string | null> | string | null;

/** One call of `getToken()`, classified. */
export type TokenOutcome =
  | { kind: 'token'; token: string }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'failed'; reason: string; cause: unknown };

/** Calls `getToken()` and says what came of it; never throws. */
export async function askForToken(getToken: TokenProvider): Promise<TokenOutcome> {
  let token: unknown;
  try {
    token = await getToken();
  } catch (error) {
    if (isUnauthorized(error)) return { kind: 'unauthorized', reason: (error as Error).message };
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'failed', reason: `getToken() failed: ${reason}`, cause: error };
  }
  if (token === null) return { kind: 'unauthorized', reason: 'getToken() returned null' };
  if (typeof token === 'string' && token.length > 0) return { kind: 'token', token };
  const reason = `getToken() returned ${token === '' ? 'an empty string' : typeof token}, not a token`;
  return { kind: 'failed', reason, cause: undefined };
}
