import type { Delivery, DeliveryTarget } from '../delivery.js';

/**
 * The format of a delivery on the Redis channel: one line of JSON header, a newline, then the
 * client frame exactly as clients receive it. The frame is not escaped into the header, so a
 * delivery is serialized once for every instance and every recipient.
 */
const VERSION = 'rt1';

interface Header {
  /** Publishing instance. */
  i: string;
  /** `m`essage or `d`isconnect. */
  k: 'm' | 'd';
  t: DeliveryTarget;
  /** volatile */
  v?: 1;
  /** close code and reason of a disconnect */
  c?: number;
  r?: string;
}

export interface WireDelivery {
  instanceId: string;
  delivery: Delivery;
}

export function encodeDelivery(instanceId: string, delivery: Delivery): string {
  const header: Header =
    delivery.kind === 'message'
      ? { i: instanceId, k: 'm', t: delivery.target, ...(delivery.volatile ? { v: 1 } : {}) }
      : { i: instanceId, k: 'd', t: delivery.target, c: delivery.code, r: delivery.reason };
  const body = delivery.kind === 'message' ? delivery.frame : '';
  return `${VERSION}\n${JSON.stringify(header)}\n${body}`;
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

function isTarget(value: unknown): value is DeliveryTarget {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t['all'] === 'boolean' &&
    isStrings(t['rooms']) &&
    isStrings(t['users']) &&
    isStrings(t['connections']) &&
    isStrings(t['except']) &&
    isStrings(t['exceptUsers'])
  );
}

/** Parses a channel message; `undefined` for anything that is not a well-formed delivery. */
export function decodeDelivery(message: string): WireDelivery | undefined {
  if (!message.startsWith(`${VERSION}\n`)) return undefined;
  const headerEnd = message.indexOf('\n', VERSION.length + 1);
  if (headerEnd < 0) return undefined;
  let header: Partial<Header>;
  try {
    header = JSON.parse(message.slice(VERSION.length + 1, headerEnd)) as Partial<Header>;
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null) return undefined;
  if (typeof header.i !== 'string' || !isTarget(header.t)) return undefined;
  const body = message.slice(headerEnd + 1);
  if (header.k === 'm' && body.length > 0) {
    const delivery: Delivery = {
      kind: 'message',
      target: header.t,
      frame: body,
      volatile: header.v === 1,
    };
    return { instanceId: header.i, delivery };
  }
  if (header.k === 'd' && typeof header.c === 'number' && typeof header.r === 'string') {
    const delivery: Delivery = {
      kind: 'disconnect',
      target: header.t,
      code: header.c,
      reason: header.r,
    };
    return { instanceId: header.i, delivery };
  }
  return undefined;
}
