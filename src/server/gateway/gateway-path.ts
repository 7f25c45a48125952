import { RealtimeConfigError } from '../realtime.options-validation.js';

/** Normalizes a gateway path the way request paths are compared: leading slash, no trailing one. */
export function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

/** Set by `@RealtimeGateway()` in its `@WebSocketGateway()` options; plain gateways lack it. */
export const REALTIME_SERVER_OPTION = 'realtimeV1';

/** A realtime gateway and a plain one cannot share a path: one connection speaks one protocol. */
export function sharedPath(path: string): RealtimeConfigError {
  return new RealtimeConfigError(
    `a plain @WebSocketGateway() and a @RealtimeGateway() are both on "${path}"; one path speaks one protocol. Move one of them to another path.`,
  );
}
