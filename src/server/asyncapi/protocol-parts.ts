import {
  BEARER_SUBPROTOCOL_PREFIX,
  CloseCode,
  ErrorCode,
  HandshakeErrorCode,
  MAX_ID_LENGTH,
  ReservedEvent,
  shouldReconnect,
  SUBPROTOCOL,
} from '../../protocol/index.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { JsonSchema } from './validator-keywords.js';

const SCHEMAS = '#/components/schemas';

/** The envelope's parts shared by every message (protocol sections 2 and 3). */
export const ENVELOPE_SCHEMAS: Record<string, JsonSchema> = {
  MessageId: {
    description: 'Correlates a request with its one reply.',
    oneOf: [{ type: 'integer' }, { type: 'string', maxLength: MAX_ID_LENGTH }],
  },
  ValidationDetail: {
    type: 'object',
    required: ['field', 'errors'],
    properties: {
      field: { type: 'string', description: 'Dotted path of the field; empty for the payload.' },
      errors: { type: 'array', items: { type: 'string' } },
    },
  },
  ErrorPayload: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', description: 'Stable code, upper snake case.' },
      message: { type: 'string', description: 'For people; never a stack or a secret.' },
      details: { type: 'array', items: { $ref: `${SCHEMAS}/ValidationDetail` } },
    },
  },
};

/** What each protocol error code means (docs/protocol.md, section 3). */
const ERROR_MEANINGS: Readonly<Record<string, string>> = {
  [ErrorCode.BAD_MESSAGE]: 'not JSON, not an object, no `event`, bad `id`',
  [ErrorCode.UNKNOWN_EVENT]: 'no handler for that event on this path',
  [ErrorCode.VALIDATION_FAILED]: 'the payload failed validation; `details` lists the fields',
  [ErrorCode.UNAUTHORIZED]: 'token no longer valid for this action',
  [ErrorCode.FORBIDDEN]: 'a per-message guard or an authorization rule said no',
  [ErrorCode.RATE_LIMITED]: 'over the per-connection message rate, or the queue is full',
  [ErrorCode.INTERNAL]: 'anything unexpected (logged server-side)',
  [ErrorCode.BAD_REQUEST]: 'a 400 `HttpException` that is not a validation error',
  [ErrorCode.NOT_FOUND]: 'a 404 `HttpException`',
  [ErrorCode.CONFLICT]: 'a 409 `HttpException`',
  [ErrorCode.ERROR]: 'an error the application raised without a code of its own',
  [ErrorCode.TOO_MANY_ROOMS]: '`registry.join()` over `limits.roomsPerConnection`',
};

/** Codes any handler may answer with (all protocol codes but those of a malformed envelope). */
export const HANDLER_ERROR_CODES: readonly string[] = Object.values(ErrorCode).filter(
  (code) => code !== ErrorCode.BAD_MESSAGE && code !== ErrorCode.UNKNOWN_EVENT,
);

/** The `error` of a reply, its `code` one of `codes`. */
export function errorSchema(codes: readonly string[]): JsonSchema {
  const meanings = codes.map(
    (code) => `\`${code}\`: ${ERROR_MEANINGS[code] ?? 'an app code of this handler'}`,
  );
  return {
    allOf: [
      { $ref: `${SCHEMAS}/ErrorPayload` },
      { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } },
    ],
    description: meanings.join('\n\n'),
  };
}

/** A client message (`{event, data, id}`). */
export function requestEnvelope(event: string, data: JsonSchema, idRequired: boolean): JsonSchema {
  const required = idRequired ? ['event', 'id'] : ['event'];
  if (Object.keys(data).length > 0 && data['type'] !== 'null') required.push('data');
  return {
    type: 'object',
    required,
    properties: { event: { const: event }, data, id: { $ref: `${SCHEMAS}/MessageId` } },
  };
}

/** A successful reply (`{id, data}`). */
export function replyEnvelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'data'],
    properties: { id: { $ref: `${SCHEMAS}/MessageId` }, data },
  };
}

/** An error reply (`{id, error}`). */
export function errorReplyEnvelope(codes: readonly string[]): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'error'],
    properties: { id: { $ref: `${SCHEMAS}/MessageId` }, error: errorSchema(codes) },
  };
}

/** A push (`{event, data}`), with the recovery position fields when recovery is on. */
export function pushEnvelope(event: string, data: JsonSchema, recovery: boolean): JsonSchema {
  const position = recovery
    ? {
        s: { type: 'string', description: 'Stream (`room:<name>`, `user:<sub>`, `all`).' },
        e: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,16}$', description: 'Epoch.' },
        o: { type: 'integer', minimum: 1, description: 'Offset within the epoch.' },
      }
    : {};
  return {
    type: 'object',
    required: ['event', 'data'],
    properties: { ...position, event: { const: event }, data },
  };
}

/** The reserved events' payloads and replies (section 4). */
export const RESERVED = {
  [ReservedEvent.PING]: {
    summary: 'Liveness check usable from browsers.',
    data: {},
    reply: { type: 'object', required: ['t'], properties: { t: { type: 'integer' } } },
    errors: [] as string[],
  },
  [ReservedEvent.AUTH]: {
    summary: 'In-band token refresh: same `sub` required; extends the session expiry.',
    data: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', minLength: 1 } },
    },
    reply: {
      type: 'object',
      required: ['expiresAt'],
      properties: { expiresAt: { type: ['integer', 'null'] } },
    },
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHORIZED, ErrorCode.INTERNAL],
  },
  [ReservedEvent.RESUME]: {
    summary: 'Missed-message recovery: the first message after opening (protocol section 8).',
    data: {
      type: 'object',
      required: ['streams'],
      properties: {
        session: { type: 'string' },
        streams: { type: 'object', additionalProperties: { $ref: `${SCHEMAS}/StreamPosition` } },
      },
    },
    reply: {
      type: 'object',
      required: ['session', 'recovered', 'windowMs', 'rooms', 'streams'],
      properties: {
        session: { type: 'string' },
        recovered: { type: 'boolean' },
        reason: { type: 'string' },
        windowMs: { type: 'integer' },
        rooms: { type: 'array', items: { type: 'string' } },
        streams: { type: 'object', additionalProperties: { type: 'object' } },
      },
    },
    errors: [ErrorCode.CONFLICT, ErrorCode.INTERNAL],
  },
} as const;

export const STREAM_POSITION: JsonSchema = {
  type: 'object',
  required: ['e', 'o'],
  properties: { e: { type: 'string' }, o: { type: 'integer', minimum: 0 } },
};

/** What each close code means to a client (section 5). */
const CLOSE_MEANINGS: Readonly<Partial<Record<keyof typeof CloseCode, string>>> = {
  NORMAL: 'normal',
  GOING_AWAY: 'server shutting down or restarting',
  UNSUPPORTED_DATA: 'binary frame on this JSON protocol',
  POLICY_VIOLATION: 'policy violation (repeated abuse)',
  MESSAGE_TOO_BIG: 'message too big',
  INTERNAL_ERROR: 'internal error',
  CLIENT_RECONNECTING: 'sent by the client SDK when it gives up on a socket and reconnects',
  TOKEN_EXPIRED: 'token expired while connected: refresh it, reconnect',
  SLOW_CONSUMER: 'slow consumer: outbound buffer over the limit',
  RATE_EXCEEDED: 'message rate exceeded persistently: reconnect after a longer backoff',
  REVOKED: 'revoked / kicked by the server: stop, surface the reason',
};

/** The close codes of `realtime.v1`, for the `x-close-codes` extension. */
export function closeCodes(): {
  code: number;
  name: string;
  meaning: string;
  reconnect: boolean;
}[] {
  return Object.entries(CLOSE_MEANINGS).map(([name, meaning]) => {
    const code = CloseCode[name as keyof typeof CloseCode];
    return { code, name, meaning, reconnect: shouldReconnect(code) };
  });
}

const HANDSHAKE_STATUSES: Readonly<Record<string, number>> = {
  [HandshakeErrorCode.BAD_REQUEST]: 400,
  [HandshakeErrorCode.UNAUTHORIZED]: 401,
  [HandshakeErrorCode.FORBIDDEN]: 403,
  [HandshakeErrorCode.NOT_FOUND]: 404,
  [HandshakeErrorCode.METHOD_NOT_ALLOWED]: 405,
  [HandshakeErrorCode.TOO_MANY_CONNECTIONS]: 429,
  [HandshakeErrorCode.UNAVAILABLE]: 503,
  [HandshakeErrorCode.INTERNAL]: 500,
};

/** The refusals of the HTTP Upgrade, for the `x-handshake-errors` extension. */
export function handshakeErrors(): { status: number; code: string }[] {
  return Object.entries(HANDSHAKE_STATUSES).map(([code, status]) => ({ status, code }));
}

/** Security schemes of the token sources the JWT guard reads, first found wins. */
export function securitySchemes(sources: ResolvedRealtimeOptions['tokenSources']): JsonSchema {
  const schemes: JsonSchema = {};
  if (sources.header) {
    schemes['bearerHeader'] = {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: '`Authorization: Bearer <jwt>` on the upgrade (Node clients).',
    };
  }
  if (sources.subprotocol) {
    schemes['bearerSubprotocol'] = {
      type: 'httpApiKey',
      in: 'header',
      name: 'Sec-WebSocket-Protocol',
      description: `An entry \`${BEARER_SUBPROTOCOL_PREFIX}<jwt>\` next to \`${SUBPROTOCOL}\` (browsers); never echoed.`,
    };
  }
  if (sources.query) {
    schemes['accessTokenQuery'] = {
      type: 'httpApiKey',
      in: 'query',
      name: 'access_token',
      description: 'Query parameter `access_token=<jwt>` (proxies may log query strings).',
    };
  }
  if (sources.cookie) {
    schemes['tokenCookie'] = {
      type: 'httpApiKey',
      in: 'cookie',
      name: sources.cookie,
      description: 'A cookie holding the JWT.',
    };
  }
  return schemes;
}
