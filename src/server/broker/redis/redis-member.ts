import type { RoomMember } from '../delivery.js';

/**
 * A presence entry read back from Redis, checked field by field: anything else in our keys (a
 * corrupt or foreign entry) is skipped, never shown and never fatal.
 */
export function parseMember(value: string | null | undefined): RoomMember | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { connectionId, userId, claims } = parsed as Record<string, unknown>;
  if (typeof connectionId !== 'string' || typeof userId !== 'string') return undefined;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  return { connectionId, userId, claims: claims as Record<string, unknown> };
}
