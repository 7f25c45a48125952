/** Why a token was refused; safe to show (it never contains the token). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** The reason to show for an error thrown by a JWT library (jsonwebtoken's names). */
export function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TokenExpiredError') return 'Token expired';
  if (name === 'NotBeforeError') return 'Token not yet valid';
  return 'Invalid token';
}
