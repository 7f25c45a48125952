import type { DeliveryTarget, RoomMember } from '../broker/delivery.js';
import { roomInterest, userInterest, type Interest } from '../broker/interest.js';
import type { PresenceSnapshot } from '../broker/presence-store.js';
import type { ConnectionState } from '../connection/connection-state.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';

/** Adds to a set of the index; true when the key is new. */
function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
  return !set;
}

/** Removes from a set of the index; true when the key is gone. */
function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = index.get(key);
  if (!set?.delete(value) || set.size > 0) return false;
  index.delete(key);
  return true;
}

/** @internal A connection as presence lists it. */
export function memberOf(connection: RealtimeConnection): RoomMember {
  return {
    connectionId: connection.id,
    userId: connection.userId,
    claims: connection.principal.claims,
  };
}

/** @internal Told when this instance gains its first, or loses its last, holder of an interest. */
export interface InterestChanges {
  gained(interest: Interest): void;
  lost(interest: Interest): void;
}

const NOBODY: ReadonlySet<ConnectionState> = new Set();

function isOneRoom(target: DeliveryTarget): boolean {
  return (
    !target.all &&
    target.rooms.length === 1 &&
    target.users.length === 0 &&
    target.connections.length === 0 &&
    target.except.length === 0 &&
    target.exceptUsers.length === 0 &&
    (target.exceptRooms === undefined || target.exceptRooms.length === 0)
  );
}

/**
 * @internal This instance's connections by id, by user and by room; who a target selects among
 * them; and the interests they make this instance hold (a room with a local member, a user with
 * a local connection).
 */
export class LocalIndex {
  readonly connections = new Map<string, ConnectionState>();
  readonly users = new Map<string, Set<ConnectionState>>();
  readonly rooms = new Map<string, Set<ConnectionState>>();

  constructor(private readonly changes: InterestChanges) {}

  add(connection: ConnectionState): void {
    this.connections.set(connection.id, connection);
    if (addTo(this.users, connection.userId, connection)) {
      this.changes.gained(userInterest(connection.userId));
    }
  }

  /** Forgets a closed connection and takes it out of its rooms; false when it was not here. */
  remove(connection: ConnectionState): boolean {
    if (!this.connections.delete(connection.id)) return false;
    if (removeFrom(this.users, connection.userId, connection)) {
      this.changes.lost(userInterest(connection.userId));
    }
    for (const room of connection.rooms) this.unindex(room, connection);
    return true;
  }

  join(connection: ConnectionState, room: string): void {
    connection.joinRoom(room);
    if (addTo(this.rooms, room, connection)) this.changes.gained(roomInterest(room));
  }

  leave(connection: ConnectionState, room: string): void {
    connection.leaveRoom(room);
    this.unindex(room, connection);
  }

  /** The state of `connection` among a room's members (a closed one is no longer listed). */
  memberState(room: string, connection: RealtimeConnection): ConnectionState | undefined {
    for (const member of this.rooms.get(room) ?? []) if (member.id === connection.id) return member;
    return undefined;
  }

  /**
   * The local connections a target selects, each once. A target that is one room and nothing
   * else (most broadcasts) gets the room's own set, not a copy: read it, do not keep it.
   */
  resolve(target: DeliveryTarget): ReadonlySet<ConnectionState> {
    if (isOneRoom(target)) return this.rooms.get(target.rooms[0]!) ?? NOBODY;
    const out = new Set<ConnectionState>();
    if (target.all) for (const c of this.connections.values()) out.add(c);
    for (const room of target.rooms) for (const c of this.rooms.get(room) ?? []) out.add(c);
    for (const user of target.users) for (const c of this.users.get(user) ?? []) out.add(c);
    for (const id of target.connections) {
      const connection = this.connections.get(id);
      if (connection) out.add(connection);
    }
    for (const id of target.except) {
      const connection = this.connections.get(id);
      if (connection) out.delete(connection);
    }
    for (const user of target.exceptUsers) {
      for (const c of this.users.get(user) ?? []) out.delete(c);
    }
    for (const room of target.exceptRooms ?? []) {
      for (const c of this.rooms.get(room) ?? []) out.delete(c);
    }
    return out;
  }

  /** Every membership and connection of this instance (for a presence store to restore). */
  snapshot(): PresenceSnapshot {
    const rooms: [string, RoomMember][] = [];
    for (const [room, members] of this.rooms) {
      for (const connection of members) rooms.push([room, memberOf(connection)]);
    }
    return { rooms, connections: [...this.connections.values()].map(memberOf) };
  }

  private unindex(room: string, connection: ConnectionState): void {
    if (removeFrom(this.rooms, room, connection)) this.changes.lost(roomInterest(room));
  }
}
