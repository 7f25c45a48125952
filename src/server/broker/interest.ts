import { originOf } from '../connection/connection-id.js';
import type { DeliveryTarget } from './delivery.js';

/**
 * What an instance listens for on the bus: the members of a room (`room:<name>`), the
 * connections of a user (`user:<id>`), the connections of one process (`origin:<prefix>`, the
 * first 12 characters of their ids), or everyone (`all`). A delivery is published to the
 * interests of its target, and a bus hands it to the other instances that hold one of them.
 * A bus may map each interest to a channel of its own; nothing but `all` is implied.
 */
export type Interest = 'all' | `room:${string}` | `user:${string}` | `origin:${string}`;

/** Held by every started instance, without subscribing. */
export const ALL_INTEREST = 'all' satisfies Interest;

export const roomInterest = (room: string): Interest => `room:${room}`;

export const userInterest = (userId: string): Interest => `user:${userId}`;

export const originInterest = (origin: string): Interest => `origin:${origin}`;

/**
 * The interests a crossing delivery is published to: `all` alone when it targets everyone, else
 * one per room, one per user and one per process holding a targeted connection (`all` for a
 * connection id of another format). `except` and `exceptUsers` narrow recipients, not instances.
 */
export function interestsOf(target: DeliveryTarget): Interest[] {
  if (target.all) return [ALL_INTEREST];
  const interests = [...target.rooms.map(roomInterest), ...target.users.map(userInterest)];
  for (const id of target.connections) {
    const origin = originOf(id);
    interests.push(origin === undefined ? ALL_INTEREST : originInterest(origin));
  }
  return [...new Set(interests)];
}
