import type { Delivery, DeliveryTarget } from '../delivery.js';
import { parseFramePosition } from '../../recovery/frame-position.js';
import { isPushFrame } from './redis-push-frame.js';

/**
 * The format of a delivery on a Redis channel: a first line with the version and the publishing
 * instance, one line of JSON header, then the client frame exactly as clients receive it. The
 * frame is not escaped into the header, so a delivery is serialized once for every instance,
 * every channel and every recipient; and an instance recognizes its own publications (it hears
 * them on the channels it holds too) from the first bytes, without parsing anything.
 * `rt2` (a channel per interest) replaced `rt1` (one channel for everything): the two do not mix.
 *
 * A positioned publication (a push to a stream with history, published by the stream log's script)
 * has ` p` after the instance id: `rt2 <instance> p`, a header `{"k":"m","q":<n>,"t":<target>}`,
 * then the positioned frame `{"o":..,"e":"..","s":"..",...}`. Every instance delivers it when it
 * comes back on the channel, the publisher too (its own-prefix skip does not match), so that all
 * of them see a stream in offset order; its `q` numbers it for the publisher alone.
 */
const VERSION = 'rt2';
const POSITIONED = ' p';

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
  /** The key of a push to a latest-value stream (positioned publications only). */
  l?: unknown;
  /** When the message was published, ms since the epoch (the delivery lag of the metrics). */
  w?: number;
}

export interface WireDelivery {
  instanceId: string;
  delivery: Delivery;
  /** Set when the publication went out on several channels. */
  seq?: number;
  /** Set for a positioned publication: the number its publisher gave it. */
  echo?: number;
}

/** The first bytes of every publication of an instance. */
export function wirePrefix(instanceId: string): string {
  return `${VERSION} ${instanceId}\n`;
}

/**
 * What a positioned publication starts with, up to its target: the stream log's script appends
 * the target's JSON, `}`, a line feed and the positioned frame.
 */
export function positionedWireHead(instanceId: string, seq: number, latest?: string): string {
  const key = latest === undefined ? '' : `"l":${JSON.stringify(latest)},`;
  return `${VERSION} ${instanceId}${POSITIONED}\n{"k":"m","q":${seq},"w":${Date.now()},${key}"t":`;
}

/** A positioned publication as the stream log's script builds it (for tests and tools). */
export function encodePositioned(
  instanceId: string,
  delivery: { target: DeliveryTarget; frame: string },
  seq: number,
): string {
  return `${positionedWireHead(instanceId, seq)}${JSON.stringify(delivery.target)}}\n${delivery.frame}`;
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
      return { k: 'm', t: delivery.target, w: Date.now(), ...(delivery.volatile ? { v: 1 } : {}) };
    case 'disconnect':
      return { k: 'd', t: delivery.target, c: delivery.code, r: delivery.reason };
    default:
      return { k: delivery.kind === 'join' ? 'j' : 'l', t: delivery.target, o: delivery.room };
  }
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/** A delivery that acts on connections instead of writing to them: disconnect, join, leave. */
export const isCommand = (delivery: Delivery): boolean => delivery.kind !== 'message';

/** Whether a parsed value is a well-formed delivery target. */
export function isTarget(value: unknown): value is DeliveryTarget {
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

function toDelivery(
  header: Partial<Header>,
  body: string,
  positioned: boolean,
): Delivery | undefined {
  if (!isTarget(header.t)) return undefined;
  if (header.k === 'm') {
    // The body goes to sockets verbatim: it must be a push, checked once here.
    if (!isPushFrame(body, positioned)) return undefined;
    const volatile = header.v === 1;
    const sentAt = typeof header.w === 'number' ? { sentAt: header.w } : {};
    return { kind: 'message', target: header.t, frame: body, volatile, ...sentAt };
  }
  // A command has no body: anything after its header is not ours.
  if (body.length > 0) return undefined;
  if (header.k === 'd' && typeof header.c === 'number' && typeof header.r === 'string') {
    return { kind: 'disconnect', target: header.t, code: header.c, reason: header.r };
  }
  if ((header.k === 'j' || header.k === 'l') && typeof header.o === 'string') {
    return { kind: header.k === 'j' ? 'join' : 'leave', target: header.t, room: header.o };
  }
  return undefined;
}

/**
 * Parses a channel message; `undefined` for anything that is not a well-formed delivery: a
 * message's frame must be a push (`isPushFrame`), a command (disconnect, join, leave) has no body.
 * Who may send a command is the bus's business (`LiveInstances`).
 */
export function decodeDelivery(message: string): WireDelivery | undefined {
  if (!message.startsWith(`${VERSION} `)) return undefined;
  const idEnd = message.indexOf('\n');
  const headerEnd = idEnd < 0 ? -1 : message.indexOf('\n', idEnd + 1);
  if (headerEnd < 0) return undefined;
  const firstLine = message.slice(VERSION.length + 1, idEnd);
  const positioned = firstLine.endsWith(POSITIONED);
  const instanceId = positioned ? firstLine.slice(0, -POSITIONED.length) : firstLine;
  if (instanceId.length === 0 || instanceId.length > 64) return undefined;
  const header = parseHeader(message.slice(idEnd + 1, headerEnd));
  if (!header) return undefined;
  if (header.q !== undefined && !Number.isSafeInteger(header.q)) return undefined;
  const delivery = toDelivery(header, message.slice(headerEnd + 1), positioned);
  if (!delivery) return undefined;
  if (positioned) return positionedWire(instanceId, delivery, header.q, header.l);
  return header.q === undefined
    ? { instanceId, delivery }
    : { instanceId, delivery, seq: header.q };
}

/** A positioned publication: a message whose frame starts with a well-formed position. */
function positionedWire(
  instanceId: string,
  delivery: Delivery,
  seq: number | undefined,
  latest: unknown,
): WireDelivery | undefined {
  if (delivery.kind !== 'message' || seq === undefined) return undefined;
  const position = parseFramePosition(delivery.frame);
  if (!position) return undefined;
  if (latest !== undefined && (typeof latest !== 'string' || latest.length > 1024))
    return undefined;
  const positioned =
    latest === undefined ? { ...delivery, position } : { ...delivery, position, latest };
  return { instanceId, delivery: positioned, echo: seq };
}
