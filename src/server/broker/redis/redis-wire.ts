import type { Delivery, DeliveryTarget } from '../delivery.js';

/**
 * The format of a delivery on a Redis channel: a first line with the version and the publishing
 * instance, one line of JSON header, then the client frame exactly as clients receive it. The
 * frame is not escaped into the header, so a delivery is serialized once for every instance,
 * every channel and every recipient; and an instance recognizes its own publications (it hears
 * them on the channels it holds too) from the first bytes, without parsing anything.
 * `rt2` (a channel per interest) replaced `rt1` (one channel for everything): the two do not mix.
 */
const VERSION = 'rt2';

interface Header {
  /** `m`essage, `d`isconnect, `j`oin or `l`eave. */
  k: 'm' | 'd' | 'j' | 'l';
  t: DeliveryTarget;
  /** volatile */
  v?: 1;
  /** close code and reason of a disconnect */
  c?: number;
  r?: string;
  /** the room of a join or leave */
  o?: string;
  /**
   * Sequence number of a publication sent on several channels (one per interest), so that an
   * instance holding several of them delivers it once.
   */
  q?: number;
}

export interface WireDelivery {
  instanceId: string;
  delivery: Delivery;
  /** Set when the publication went out on several channels. */
  seq?: number;
}

/** The first bytes of every publication of an instance. */
export function wirePrefix(instanceId: string): string {
  return `${VERSION} ${instanceId}\n`;
}

export function encodeDelivery(instanceId: string, delivery: Delivery, seq?: number): string {
  const header = headerOf(delivery);
  if (seq !== undefined) header.q = seq;
  const body = delivery.kind === 'message' ? delivery.frame : '';
  return `${wirePrefix(instanceId)}${JSON.stringify(header)}\n${body}`;
}

function headerOf(delivery: Delivery): Header {
  switch (delivery.kind) {
    case 'message':
      return { k: 'm', t: delivery.target, ...(delivery.volatile ? { v: 1 } : {}) };
    case 'disconnect':
      return { k: 'd', t: delivery.target, c: delivery.code, r: delivery.reason };
    default:
      return { k: delivery.kind === 'join' ? 'j' : 'l', t: delivery.target, o: delivery.room };
  }
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
    isStrings(t['exceptUsers']) &&
    (t['exceptRooms'] === undefined || isStrings(t['exceptRooms']))
  );
}

function parseHeader(text: string): Partial<Header> | undefined {
  try {
    const header = JSON.parse(text) as unknown;
    return typeof header === 'object' && header !== null ? (header as Partial<Header>) : undefined;
  } catch {
    return undefined;
  }
}

function toDelivery(header: Partial<Header>, body: string): Delivery | undefined {
  if (!isTarget(header.t)) return undefined;
  if (header.k === 'm' && body.length > 0) {
    return { kind: 'message', target: header.t, frame: body, volatile: header.v === 1 };
  }
  if (header.k === 'd' && typeof header.c === 'number' && typeof header.r === 'string') {
    return { kind: 'disconnect', target: header.t, code: header.c, reason: header.r };
  }
  if ((header.k === 'j' || header.k === 'l') && typeof header.o === 'string') {
    return { kind: header.k === 'j' ? 'join' : 'leave', target: header.t, room: header.o };
  }
  return undefined;
}

/** Parses a channel message; `undefined` for anything that is not a well-formed delivery. */
export function decodeDelivery(message: string): WireDelivery | undefined {
  if (!message.startsWith(`${VERSION} `)) return undefined;
  const idEnd = message.indexOf('\n');
  const headerEnd = idEnd < 0 ? -1 : message.indexOf('\n', idEnd + 1);
  if (headerEnd < 0) return undefined;
  const instanceId = message.slice(VERSION.length + 1, idEnd);
  if (instanceId.length === 0 || instanceId.length > 64) return undefined;
  const header = parseHeader(message.slice(idEnd + 1, headerEnd));
  if (!header) return undefined;
  if (header.q !== undefined && !Number.isSafeInteger(header.q)) return undefined;
  const delivery = toDelivery(header, message.slice(headerEnd + 1));
  if (!delivery) return undefined;
  return header.q === undefined
    ? { instanceId, delivery }
    : { instanceId, delivery, seq: header.q };
}
