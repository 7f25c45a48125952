/** The verified identity of a connection, taken from its JWT. */
export interface RealtimePrincipal {
  /** The user id: the token's `sub`. */
  readonly userId: string;
  /** Every claim of the verified token (`name`, `roles`, ...). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** When the token expires, in ms since the epoch; `null` when it has no `exp`. */
  readonly expiresAt: number | null;
}
