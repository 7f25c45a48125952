import type { RoomMember } from '../broker/delivery.js';
import type { MembersPage, PresenceStore } from '../broker/presence-store.js';
import { memberOf, type LocalIndex } from './local-index.js';

/** This instance's members of a room. */
export const localMembersOf = (local: LocalIndex, room: string): RoomMember[] =>
  [...(local.rooms.get(room) ?? [])].map(memberOf);

/**
 * The members of a room on every instance: this instance's own, then the others' as the
 * presence store has them (this instance's only while the store is unreachable).
 */
export async function membersEverywhere(
  presence: PresenceStore,
  local: LocalIndex,
  room: string,
): Promise<RoomMember[]> {
  const here = localMembersOf(local, room);
  let everywhere: RoomMember[];
  try {
    everywhere = await presence.members(room);
  } catch {
    return here;
  }
  // This instance's connections are listed from its own view, which the store may lag behind.
  return [...here, ...everywhere.filter((m) => !local.connections.has(m.connectionId))];
}

/** One page of a room's members on every instance (this instance's while unreachable). */
export async function pageEverywhere(
  presence: PresenceStore,
  local: LocalIndex,
  room: string,
  options: { after?: string; limit?: number },
): Promise<MembersPage> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}.`);
  }
  try {
    return await presence.page(room, options.after, limit);
  } catch {
    return { members: localMembersOf(local, room) };
  }
}

/** How many members a room has on every instance (this instance's count while unreachable). */
export async function countEverywhere(
  presence: PresenceStore,
  local: LocalIndex,
  room: string,
): Promise<number> {
  try {
    return await presence.count(room);
  } catch {
    return local.rooms.get(room)?.size ?? 0;
  }
}
