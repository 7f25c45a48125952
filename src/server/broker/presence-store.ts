import type { RoomMember } from './delivery.js';

/** Every room membership and connection of this instance, as the registry knows them. */
export interface PresenceSnapshot {
  rooms: [room: string, member: RoomMember][];
  connections: RoomMember[];
}

/** One page of a room's members; `next` is the cursor of the following page, absent at the end. */
export interface MembersPage {
  members: RoomMember[];
  next?: string;
}

/** A write that took effect at once (the in-process store's): nothing to wait for or catch. */
export const WRITTEN: Promise<void> = Promise.resolve();

/** Reads this instance's presence, for a store to write it again (`restore()`). */
export type PresenceSource = () => PresenceSnapshot;

/**
 * The presence store: which connections are in which room and which users are online, on every
 * instance. An abstract class, so it is both the DI token and the type; `InProcessPresenceStore`
 * and `RedisPresenceStore` implement it, and the `broker` option takes yours. Each instance
 * writes its own entries; every instance reads all of them.
 *
 * The contract, which `test/conformance/` checks for every implementation:
 *
 * - **Lifecycle.** `start()` is called once, before any other call; `stop()` once, at shutdown.
 * - **Writes** (`join`, `leave`, `open`, `close`) are made by the registry as its local state
 *   changes, and take effect in call order. Each resolves once the entry is visible to
 *   `members()` and `isOnline()` on every instance. It never rejects: a write that cannot be
 *   made (backend down) is dropped, and `restore()` repairs it.
 * - **Reads** (`members`, `page`, `count`, `isOnline`) answer for every live instance, each connection once. They
 *   reject when the backend cannot answer; the registry then answers from this instance's view.
 * - **Liveness.** The entries of an instance that called `stop()` disappear from every view; an
 *   instance that died without it is purged after a bounded time (Redis: `presenceTtlMs`).
 * - **Restore.** A backend may lose its data (a restarted Redis starts empty): the store calls
 *   `restore()` itself whenever its data may have been lost, e.g. on reconnecting.
 */
export abstract class PresenceStore {
  /**
   * Keeps `source` for `restore()` and connects in the background: never waits for the backend
   * to be reachable. Rejects only for a configuration fault (a missing driver package).
   */
  abstract start(source: PresenceSource): Promise<void>;

  /** Removes this instance's entries (when the backend is reachable) and releases it. */
  abstract stop(): Promise<void>;

  /** A local connection joined a room. */
  abstract join(room: string, member: RoomMember): Promise<void>;

  /** A local connection left a room (or closed while in it). */
  abstract leave(room: string, member: RoomMember): Promise<void>;

  /** A local connection opened: its user is online. */
  abstract open(member: RoomMember): Promise<void>;

  /** A local connection closed. */
  abstract close(member: RoomMember): Promise<void>;

  /** The members of a room on every live instance. */
  abstract members(room: string): Promise<RoomMember[]>;

  /**
   * Up to `limit` members of a room on every live instance, in a stable order (a member that
   * stays is listed once across the pages), starting after the cursor `after` (from the
   * previous page's `next`; none for the first page).
   */
  abstract page(room: string, after: string | undefined, limit: number): Promise<MembersPage>;

  /** How many members a room has on every live instance, without listing them. */
  abstract count(room: string): Promise<number>;

  /** Whether the user has a connection on a live instance. */
  abstract isOnline(userId: string): Promise<boolean>;

  /**
   * Marks this instance live and writes its whole presence again from the source (idempotent).
   * Rejects when the backend is unreachable.
   */
  abstract restore(): Promise<void>;
}

/** @internal The methods a presence store must have, checked at boot. */
export const PRESENCE_METHODS = [
  'start',
  'stop',
  'join',
  'leave',
  'open',
  'close',
  'members',
  'page',
  'count',
  'isOnline',
  'restore',
] as const satisfies readonly (keyof PresenceStore)[];
