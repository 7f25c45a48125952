/** The subprotocol name of this wire format; bump it for an incompatible change. */
export const SUBPROTOCOL = 'realtime.v1';

/** Prefix of the `Sec-WebSocket-Protocol` entry that carries a token from a browser. */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/** Events reserved for the protocol itself (section 4). Application events never start with `$`. */
export const ReservedEvent = {
  PING: '$ping',
  ERROR: '$error',
  AUTH: '$auth',
  /** Resumes a missed-message recovery session (with the server's `recovery` option). */
  RESUME: '$resume',
} as const;

export const RESERVED_EVENT_PREFIX = '$';

/** Envelope limits of section 2. */
export const MAX_EVENT_LENGTH = 128;
export const MAX_ID_LENGTH = 64;
