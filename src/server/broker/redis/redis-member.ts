import type { RoomMember } from '../delivery.js';

/** Drops own `__proto__` keys at any depth: claims are merged by apps, so no pollution bait. */
const withoutProto = (key: string, value: unknown): unknown =>
  key === '__proto__' ? undefined : value;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The instance and connection of a presence field or user-set entry, `instance|connection`. */
export function splitEntry(entry: string): [instanceId: string, connectionId: string] | undefined {
  const bar = entry.indexOf('|');
  if (bar <= 0 || bar === entry.length - 1) return undefined;
  return [entry.slice(0, bar), entry.slice(bar + 1)];
}

/**
 * A presence entry read back from Redis, checked field by field: a JSON object with string
 * `connectionId` (the one its field names, when given) and `userId`, and an object `claims`.
 * Anything else in our keys (a corrupt or foreign entry) is `undefined`: skipped by the caller,
 * never shown and never fatal.
 */
export function parseMember(
  value: string | null | undefined,
  connectionOfField?: string,
): RoomMember | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value, withoutProto);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const { connectionId, userId, claims } = parsed;
  if (typeof connectionId !== 'string' || typeof userId !== 'string') return undefined;
  if (connectionId === '' || userId === '') return undefined;
  if (connectionOfField !== undefined && connectionId !== connectionOfField) return undefined;
  if (!isRecord(claims)) return undefined;
  return { connectionId, userId, claims };
}
