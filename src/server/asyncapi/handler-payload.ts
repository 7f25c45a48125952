import type { Type } from '@nestjs/common';

// Nest's metadata of handler parameters (ROUTE_ARGS_METADATA) and the index of
// `WsParamtype.PAYLOAD` (`@MessageBody()`): stable across Nest 10-12, not exported publicly.
const ROUTE_ARGS_METADATA = '__routeArguments__';
const WS_PAYLOAD = 3;

interface RouteArg {
  index: number;
  data?: unknown;
}

/**
 * The declared type of a handler's `@MessageBody()` parameter, the class the validation pipe
 * checks the payload against. `undefined` when the handler takes no body, or takes one property
 * of it (`@MessageBody('room')`), which no DTO describes.
 */
export function payloadTypeOf(gateway: Type, method: string): unknown {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, gateway, method) ?? {}) as Record<
    string,
    RouteArg
  >;
  const body = Object.entries(args).find(([key]) => key.split(':')[0] === String(WS_PAYLOAD));
  if (!body || body[1].data !== undefined) return undefined;
  const types = Reflect.getMetadata('design:paramtypes', gateway.prototype as object, method) as
    unknown[] | undefined;
  return types?.[body[1].index];
}
