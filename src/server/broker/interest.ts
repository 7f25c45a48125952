import type { DeliveryTarget } from './delivery.js';

/**
 * What an instance listens for on the bus: the members of a room (`room:<name>`), the
 * connections of a user (`user:<id>`), or everyone (`all`). A delivery is published to the
 * interests of its target, and a bus hands it to the other instances that hold one of them.
 * A bus may map each interest to a channel of its own; nothing but `all` is implied.
 */
export type Interest = 'all' | `room:${string}` | `user:${string}`;

/** Held by every started instance, without subscribing. */
export const ALL_INTEREST = 'all' satisfies Interest;

export const roomInterest = (room: string): Interest => `room:${room}`;

export const userInterest = (userId: string): Interest => `user:${userId}`;

/**
 * The interests a crossing delivery is published to: `all` alone when it targets everyone or
 * names connections (nothing tells which instance holds another instance's connection), else one
 * per room and one per user. `except` and `exceptUsers` narrow recipients, not instances.
 */
export function interestsOf(target: DeliveryTarget): Interest[] {
  if (target.all || target.connections.length > 0) return [ALL_INTEREST];
  const interests = [...target.rooms.map(roomInterest), ...target.users.map(userInterest)];
  return [...new Set(interests)];
}
