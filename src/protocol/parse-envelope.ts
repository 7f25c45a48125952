import { isMessageId, type MessageId } from './envelope.js';
import { MAX_EVENT_LENGTH, MAX_ID_LENGTH } from './reserved-events.js';

/** @internal A plain JSON object: not `null`, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @internal
 * Whether objects and arrays nest deeper than `maxDepth`. The recursion stops at `maxDepth + 1`
 * levels whatever the input, so it cannot overflow the stack; it allocates nothing.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (maxDepth <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (exceedsDepth(value[i], maxDepth - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (exceedsDepth(record[key], maxDepth - 1)) return true;
  return false;
}

/**
 * @internal
 * A text frame as a JSON object, or `undefined` for anything else (binary data, bad JSON, an
 * array or a primitive). Clients read server frames with it and ignore what it refuses.
 */
export function parseObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** @internal A client message that passed every check of protocol section 2. */
export interface ParsedMessage {
  readonly ok: true;
  readonly event: string;
  readonly data: unknown;
  readonly id: MessageId | undefined;
}

/**
 * @internal
 * A client message that failed a check: the reason for the `BAD_MESSAGE` error, and the `id`
 * and `event` when they were read before the failure (so the error can be a reply).
 */
export interface MalformedMessage {
  readonly ok: false;
  readonly reason: string;
  readonly id: MessageId | undefined;
  readonly event: string | undefined;
}

function malformed(reason: string, id?: MessageId, event?: string): MalformedMessage {
  return { ok: false, reason, id, event };
}

/**
 * @internal
 * Parses and checks one client frame (protocol section 2): a JSON object, an optional valid
 * `id`, an `event` of 1-128 characters, and `data` nested at most `maxDepth` levels. Pure: it
 * neither throws nor logs; the caller decides what a malformed message costs.
 */
export function parseClientMessage(
  text: string,
  maxDepth: number,
): ParsedMessage | MalformedMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return malformed('Message is not valid JSON');
  }
  if (!isObject(message)) return malformed('Message must be a JSON object');
  const { event, id, data } = message;
  if (id !== undefined && !isMessageId(id)) {
    return malformed(`"id" must be an integer or a string of at most ${MAX_ID_LENGTH} characters`);
  }
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
    return malformed(`"event" must be a string of 1-${MAX_EVENT_LENGTH} characters`, id);
  }
  if (exceedsDepth(data, maxDepth)) {
    return malformed(`"data" nests deeper than ${maxDepth} levels`, id, event);
  }
  return { ok: true, event, data, id };
}
