/** The fields of a push as `emit()` serializes it (`data` is absent when it was `undefined`). */
const PUSH_KEYS = new Set(['event', 'data']);
/** A positioned push carries its position in front (`positionedFrame()`). */
const POSITIONED_KEYS = new Set(['o', 'e', 's', 'event', 'data']);

/**
 * Whether a frame read from Redis is a push as this package writes one: a JSON object with a
 * non-empty string `event`, and no field a push never has. A frame shaped like a reply
 * (`id`, `error`) would answer a client's pending request; an own `__proto__` field is a
 * prototype-pollution bait for whatever merges the push on the client. Clients get the frame
 * verbatim, so what is checked here is exactly what they receive.
 *
 * Parsed once per publication received (never per recipient, never for this instance's own
 * sends): the cost is one `JSON.parse` of the frame on each instance it crosses to.
 */
export function isPushFrame(frame: string, positioned: boolean): boolean {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const push = value as Record<string, unknown>;
  const event = push['event'];
  if (typeof event !== 'string' || event.length === 0) return false;
  const allowed = positioned ? POSITIONED_KEYS : PUSH_KEYS;
  // Own enumerable keys only: JSON.parse makes `__proto__` an own key, which this catches.
  for (const key of Object.keys(push)) if (!allowed.has(key)) return false;
  return true;
}
