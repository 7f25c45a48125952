/**
 * The per-connection message limits a server applies by default, shared so the client's default
 * pacing can stay inside them: a token bucket of `messageBurst` refilled at `messagesPerSecond`
 * (every inbound message takes a token), and `concurrentHandlers` handlers at once per
 * connection (more wait in the server's queue).
 */
export const DEFAULT_MESSAGE_LIMITS = {
  messagesPerSecond: 50,
  messageBurst: 100,
  concurrentHandlers: 16,
} as const;
