import { RESUME_LIMITS } from '../../protocol/index.js';
import type { DeliveryPosition } from '../broker/delivery.js';

/**
 * The fixed front of a positioned frame, as `positionedFrame()` writes it:
 * `{"o":<offset>,"e":"<epoch>","s":<JSON string of the stream>,` then the push's own fields.
 * The stream is a JSON string (`JSON.parse` refuses control characters), at most 1 KiB escaped.
 */
const FRONT = /^\{"o":([1-9]\d{0,15}),"e":"([\w-]{1,16})","s":("(?:[^"\\]|\\.){1,1024}"),"/;

/** A stream with history: a room, a user, or everyone. */
const STREAM = /^(?:room:.+|user:.+|all)$/s;

/**
 * The position a positioned frame carries in front, read without parsing the push; `undefined`
 * for a frame that does not start exactly as `positionedFrame()` builds it.
 */
export function parseFramePosition(frame: string): DeliveryPosition | undefined {
  const match = FRONT.exec(frame);
  if (!match) return undefined;
  const o = Number(match[1]);
  const e = match[2]!;
  if (!Number.isSafeInteger(o) || !RESUME_LIMITS.epoch.test(e)) return undefined;
  let stream: unknown;
  try {
    stream = JSON.parse(match[3]!);
  } catch {
    return undefined;
  }
  if (typeof stream !== 'string' || !STREAM.test(stream)) return undefined;
  return { stream, e, o };
}

/** Whether `stream` names a stream with history (`room:<name>`, `user:<id>` or `all`). */
export function isStreamName(stream: string): boolean {
  return STREAM.test(stream);
}
