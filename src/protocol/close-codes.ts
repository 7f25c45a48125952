/**
 * WebSocket close codes of `realtime.v1` (protocol section 5).
 * 4000-4499: the client should reconnect; 4500-4999: it should not.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  /** Never sent: a client sees it when the connection dropped without a close frame. */
  ABNORMAL: 1006,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  /**
   * Sent by the client SDK when it gives up on a socket itself (a ping went unanswered, a
   * token could not be refreshed in time) and is about to reconnect.
   */
  CLIENT_RECONNECTING: 4000,
  TOKEN_EXPIRED: 4401,
  SLOW_CONSUMER: 4408,
  RATE_EXCEEDED: 4429,
  REVOKED: 4500,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Whether a client should reconnect after this close code (protocol section 5). */
export function shouldReconnect(code: number): boolean {
  if (code >= 4000 && code <= 4499) return true;
  if (code >= 4500 && code <= 4999) return false;
  return RECONNECTING_RFC_CODES.has(code);
}

const RECONNECTING_RFC_CODES: ReadonlySet<number> = new Set([
  CloseCode.GOING_AWAY,
  CloseCode.ABNORMAL,
  CloseCode.INTERNAL_ERROR,
  CloseCode.SERVICE_RESTART,
  CloseCode.TRY_AGAIN_LATER,
]);

/**
 * @internal RFC 6455 codes a peer may report besides {@link CloseCode}'s: no status (1005), a
 * missing extension (1010), a bad gateway (1014), a failed TLS handshake (1015).
 */
export const OTHER_RFC_CLOSE_CODES: readonly number[] = [1005, 1010, 1014, 1015];

/** RFC 6455 section 5.5: a close frame's body is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * A close reason that fits in {@link MAX_CLOSE_REASON_BYTES} of UTF-8: unchanged when it fits,
 * else cut on a character boundary and ended with `...`. Server and client both use it, so a
 * long reason never makes `close()` throw on either side.
 */
export function truncateCloseReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  const cut = new TextDecoder().decode(bytes.subarray(0, MAX_CLOSE_REASON_BYTES - 3));
  // A character split by the cut decodes as U+FFFD; drop it rather than send half of it.
  return `${cut.replace(/\uFFFD+$/, '')}...`;
}

/**
 * Whether a server may send this close code (RFC 6455 section 7.4): 1000-1003, 1007-1014, or an
 * application code 3000-4999. 1004-1006 and 1015 are reserved and never sent.
 */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}
