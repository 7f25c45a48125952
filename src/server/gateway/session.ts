import type { RawData } from 'ws';
import type { TokenBucket } from '../lifecycle/token-bucket.js';
import type { RealtimeConnection } from '../registry/realtime-connection.js';

/** A Nest message handler bound to its gateway and client: `(data, event) => result`. */
export type BoundHandler = (data: unknown, event: string) => unknown;

/** Messages held while connection hooks run; more than this closes the socket. */
export const MAX_BACKLOG = 256;

/**
 * The adapter's private state of one connection: its handlers (from every gateway on the path),
 * disconnect callbacks, malformed-message counter, and messages held until `handleConnection`
 * hooks have settled.
 */
export class Session {
  readonly handlers = new Map<string, BoundHandler>();
  readonly disconnectCallbacks: ((reason?: unknown) => void)[] = [];
  badMessages = 0;
  badWindowStart = 0;
  pendingHooks = 0;
  backlog: [RawData, boolean][] = [];
  /** Set when a connection hook failed: nothing more is handled. */
  failed = false;
  /** Heard from since the last heartbeat tick (a pong or any frame). */
  alive = true;
  rateLimited = 0;
  rateWindowStart = 0;
  /** Handlers running now, and calls waiting for a slot. */
  inFlight = 0;
  readonly queue: (() => void)[] = [];
  expiryTimer: NodeJS.Timeout | undefined;
  /** Async disconnect hooks still running; graceful shutdown waits for them. */
  readonly disconnectWork: Promise<void>[] = [];

  constructor(
    readonly connection: RealtimeConnection,
    readonly bucket: TokenBucket,
    /** Handles the held messages once every connection hook has settled. */
    readonly replay: (session: Session) => void,
  ) {}
}

const sessions = new WeakMap<object, Session>();

export function attachSession(socket: object, session: Session): void {
  sessions.set(socket, session);
}

export function sessionOf(socket: unknown): Session | undefined {
  return socket && typeof socket === 'object' ? sessions.get(socket) : undefined;
}
