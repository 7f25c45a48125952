import type {
  ErrorPayload,
  ErrorPushData,
  ProtocolErrorCode,
  ValidationDetail,
} from '../protocol/index.js';
import type { UpgradeRefusal } from './web-socket.js';

/**
 * Codes the client raises itself, next to the protocol's codes (`VALIDATION_FAILED`, ...) and the
 * application's (`NOT_YOUR_TURN`, ...), which come from the server.
 */
export const ClientErrorCode = {
  /** No reply within the request's timeout (counted from the call, queued time included). */
  TIMEOUT: 'TIMEOUT',
  /** The connection dropped while the request was in flight; it may or may not have run. */
  DISCONNECTED: 'DISCONNECTED',
  /** The client is closed: `close()` was called, or it stopped for good (see `onState`). */
  CLOSED: 'CLOSED',
  /** The offline queue is full (`maxQueue`). */
  QUEUE_FULL: 'QUEUE_FULL',
  /**
   * `getToken()` signalled "unauthorized" (threw an `UnauthorizedError` or returned `null`), or an
   * in-band refresh was refused: the client stops in state `closed`.
   */
  AUTH_FAILED: 'AUTH_FAILED',
  /**
   * `getToken()` threw something else, returned no token, or did not settle within
   * `connectTimeoutMs`: reported to `onError`, and retried with backoff.
   */
  TOKEN_FAILED: 'TOKEN_FAILED',
  /** The WebSocket constructor threw (a bad URL, a blocked port): the client stops. */
  CONNECT_FAILED: 'CONNECT_FAILED',
  /** A socket did not open within `connectTimeoutMs`: it is dropped and the client retries. */
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  /**
   * `maxFailedOpens` attempts in a row failed before opening: reported to `onError`, and
   * `connect()` rejects with it; the client keeps retrying (call `close()` to stop it).
   */
  UNREACHABLE: 'UNREACHABLE',
  /**
   * The server answered the upgrade with an HTTP error (`status`, and the protocol's code in
   * `serverCode`: `UNAUTHORIZED`, `NOT_FOUND`, ...). Seen where the WebSocket exposes it (`ws`
   * in Node); browsers only see a close `1006`.
   */
  UPGRADE_REFUSED: 'UPGRADE_REFUSED',
  /** No reply to `$ping` within `pingTimeoutMs`: the connection is dropped and re-opened. */
  PING_TIMEOUT: 'PING_TIMEOUT',
  /** The payload could not be serialized to JSON; nothing was sent. */
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  /** A push, state or error listener threw; reported to `onError`, other listeners still run. */
  LISTENER_FAILED: 'LISTENER_FAILED',
  /** `onReconnect` threw or rejected; the queue is flushed anyway. */
  RECONNECT_HOOK_FAILED: 'RECONNECT_HOOK_FAILED',
  /**
   * A live push came with another epoch than the one tracked for its stream (`stream` names it):
   * the server reset that stream's history while the client was connected, so pushes may have
   * been missed. Reload the stream's state; the new position is tracked from this push on.
   */
  STREAM_RESET: 'STREAM_RESET',
} as const;

/** One of {@link ClientErrorCode}. */
export type ClientErrorCodeValue = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * Any error code a client can see: the client's own, the protocol's, or an application code
 * (upper snake case). The `string & {}` keeps editor completion for the known ones.
 */
export type RealtimeErrorCode = ClientErrorCodeValue | ProtocolErrorCode | (string & {});

/** Base class of every error the client reports; switch on `code`, never on `message`. */
export class RealtimeClientError extends Error {
  override readonly name: string = 'RealtimeClientError';
  /** The stable code: see {@link RealtimeErrorCode}. */
  readonly code: RealtimeErrorCode;
  /** Field errors of a `VALIDATION_FAILED`. */
  readonly details: ValidationDetail[] | undefined;
  /** The event concerned, when there is one (a `$error` push names the client's event). */
  readonly event: string | undefined;
  /** `UPGRADE_REFUSED`: the HTTP status of the refusal. */
  readonly status: number | undefined;
  /** `UPGRADE_REFUSED`: the protocol's code in the refusal's body (`UNAUTHORIZED`, ...). */
  readonly serverCode: string | undefined;
  /** `STREAM_RESET`: the stream whose history was reset (`room:<name>`, `user:<id>`, `all`). */
  readonly stream: string | undefined;

  constructor(
    code: RealtimeErrorCode,
    message: string,
    extra: {
      details?: ValidationDetail[];
      event?: string;
      cause?: unknown;
      status?: number;
      serverCode?: string;
      stream?: string;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.details = extra.details;
    this.event = extra.event;
    this.status = extra.status;
    this.serverCode = extra.serverCode;
    this.stream = extra.stream;
  }

  /** A refused upgrade: `UPGRADE_REFUSED` with the status and the server's code. */
  static fromRefusal(refusal: UpgradeRefusal): RealtimeClientError {
    const { status, code, message } = refusal;
    const text = `Upgrade refused: ${status}${code ? ` ${code}` : ''}: ${message}`;
    return new RealtimeClientError(ClientErrorCode.UPGRADE_REFUSED, text, {
      status,
      serverCode: code,
    });
  }

  /** The error of a `$error` push. */
  static fromPush(data: ErrorPushData): RealtimeClientError {
    return new RealtimeClientError(data.code, data.message, {
      details: data.details,
      event: data.event,
    });
  }
}

/** The rejection of `request()`: a server error reply, or a client-side failure. */
export class RequestError extends RealtimeClientError {
  override readonly name: string = 'RequestError';
  /** Whether the server answered with this error (`false`: TIMEOUT, DISCONNECTED, ...). */
  readonly fromServer: boolean;
  declare readonly event: string;

  constructor(
    event: string,
    code: RealtimeErrorCode,
    message: string,
    extra: { details?: ValidationDetail[]; fromServer?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, { details: extra.details, event, cause: extra.cause });
    this.fromServer = extra.fromServer ?? false;
  }

  /** The error of an error reply. */
  static fromReply(event: string, error: ErrorPayload): RequestError {
    return new RequestError(event, error.code, error.message, {
      details: error.details,
      fromServer: true,
    });
  }
}

/** The message of an unknown thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the `onReconnect` hook; its failure as a `RECONNECT_HOOK_FAILED` error, never thrown. */
export async function runHook(
  hook: () => Promise<void> | void,
): Promise<RealtimeClientError | undefined> {
  try {
    await hook();
    return undefined;
  } catch (error) {
    const message = `onReconnect failed: ${describeError(error)}`;
    const code = ClientErrorCode.RECONNECT_HOOK_FAILED;
    return new RealtimeClientError(code, message, { cause: error });
  }
}
