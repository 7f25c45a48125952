import type { Type } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { HandshakeGuard } from './auth/handshake-guard.js';

/** JWT algorithms that may be allowed. `none` is deliberately absent. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512';

export interface RealtimeJwtOptions {
  /** Shared secret for HS* algorithms. A string is turned into a `KeyObject` once (3x faster). */
  secret?: string | Buffer | KeyObject;
  /** Public key (PEM or `KeyObject`) for RS*, PS* and ES* algorithms. */
  publicKey?: string | Buffer | KeyObject;
  /**
   * Explicit allow-list; a token signed with anything else is refused.
   * @default ['HS256'] with `secret`, ['RS256'] with `publicKey`
   */
  algorithms?: JwtAlgorithm[];
  /** Required `iss`, when set. */
  issuer?: string | string[];
  /** Required `aud`, when set. */
  audience?: string | string[];
  /**
   * Clock skew tolerated on `exp` and `nbf`, in seconds.
   * @default 5
   */
  clockToleranceSec?: number;
}

export interface RealtimeTokenSources {
  /** `Authorization: Bearer <jwt>`. @default true */
  header?: boolean;
  /** A `bearer.<jwt>` entry of `Sec-WebSocket-Protocol` (browsers). @default true */
  subprotocol?: boolean;
  /** Query parameter `access_token` (proxies may log it). @default true */
  query?: boolean;
  /** Name of a cookie that holds the token; `false` to ignore cookies. @default false */
  cookie?: string | false;
}

export interface RealtimeValidationOptions {
  /** Reject payloads with fields the DTO does not declare, instead of stripping them. @default false */
  forbidUnknownFields?: boolean;
}

/** Options of `RealtimeModule.forRoot()`. */
export interface RealtimeModuleOptions {
  /** How tokens are verified during the HTTP Upgrade. Required unless `handshakeGuards` omits the JWT guard. */
  jwt?: RealtimeJwtOptions;
  /** Where the token may come from, first found wins in this order. */
  tokenSources?: RealtimeTokenSources;
  /**
   * Exact origins allowed to open a socket (`https://app.example.com`). Requests without an
   * `Origin` header (non-browser clients) always pass. `'same-origin'` accepts an Origin whose
   * host equals the request's `Host`; `'*'` accepts any origin (not recommended).
   * @default 'same-origin'
   */
  allowedOrigins?: string[] | 'same-origin' | '*';
  /**
   * Handshake guards run for every gateway, in order, after the built-in checks.
   * @default [JwtHandshakeGuard]
   */
  handshakeGuards?: Type<HandshakeGuard>[];
  /**
   * Largest accepted message in bytes; larger ones close the socket with 1009.
   * @default 65536
   */
  maxPayload?: number;
  /**
   * Deepest accepted nesting of objects and arrays in a message; deeper ones get `BAD_MESSAGE`.
   * @default 32
   */
  maxDepth?: number;
  /**
   * Malformed messages (`BAD_MESSAGE`) tolerated per connection within `badMessageWindowMs`
   * before the socket is closed with 1008.
   * @default 20
   */
  maxBadMessages?: number;
  /** @default 10000 */
  badMessageWindowMs?: number;
  /** Payload validation by class-validator DTOs. */
  validation?: RealtimeValidationOptions;
}

/** Options after defaults, as the server uses them. */
export interface ResolvedRealtimeOptions {
  jwt: Required<Pick<RealtimeJwtOptions, 'algorithms' | 'clockToleranceSec'>> &
    Omit<RealtimeJwtOptions, 'algorithms' | 'clockToleranceSec'>;
  tokenSources: Required<RealtimeTokenSources>;
  allowedOrigins: string[] | 'same-origin' | '*';
  handshakeGuards: Type<HandshakeGuard>[] | undefined;
  maxPayload: number;
  maxDepth: number;
  maxBadMessages: number;
  badMessageWindowMs: number;
  validation: Required<RealtimeValidationOptions>;
}
