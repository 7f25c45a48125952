import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  isSendableCloseCode,
  type AnyContract,
  type RealtimeContract,
} from '../../protocol/index.js';
import {
  crossingPart,
  NO_TARGET,
  type Delivery,
  type DeliveryTarget,
  type RoomMember,
} from '../broker/delivery.js';
import { RealtimeBroker, type BrokerHealth, type LocalSink } from '../broker/realtime-broker.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { BroadcastOperator } from './broadcast-operator.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

/** The state of `connection` among a room's members (a closed connection is no longer listed). */
function stateIn(
  members: Set<ConnectionState> | undefined,
  connection: RealtimeConnection,
): ConnectionState | undefined {
  for (const member of members ?? []) if (member.id === connection.id) return member;
  return undefined;
}

function memberOf(connection: RealtimeConnection): RoomMember {
  return {
    connectionId: connection.id,
    userId: connection.userId,
    claims: connection.principal.claims,
  };
}

/**
 * The connections of this instance and the way to reach any connection, user or room from a
 * gateway or from any service. Every send is served to this instance's sockets here, and only
 * what other instances need goes through the `RealtimeBroker`, so the same calls reach other
 * instances once a distributed broker is configured.
 *
 * Inject it as `ConnectionRegistry<MyContract>` to have `emit()` checked against the contract's
 * pushes (the generic is compile-time only; there is one registry).
 */
@Injectable()
export class ConnectionRegistry<C extends RealtimeContract = AnyContract> implements OnModuleInit {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly users = new Map<string, Set<ConnectionState>>();
  private readonly rooms = new Map<string, Set<ConnectionState>>();
  /** Serves this instance's sockets at once, then hands the broker only what must cross. */
  private readonly publish = (delivery: Delivery): void => {
    this.deliver(delivery);
    const crossing = crossingPart(delivery, (id) => this.connections.has(id));
    if (crossing) this.broker.publish(crossing);
  };

  constructor(private readonly broker: RealtimeBroker) {}

  onModuleInit(): void {
    const local: LocalSink = {
      deliver: (delivery) => this.deliver(delivery),
      localMembers: (room) => this.localMembers(room),
      isOnlineHere: (userId) => this.isOnlineHere(userId),
      localPresence: () => this.localPresence(),
    };
    this.broker.bind(local);
  }

  /** Number of open connections on this instance. */
  get size(): number {
    return this.connections.size;
  }

  /** A connection of this instance by id. */
  get(connectionId: string): RealtimeConnection | undefined {
    return this.connections.get(connectionId);
  }

  /** This instance's connections of a user. */
  connectionsOf(userId: string): RealtimeConnection[] {
    return [...(this.users.get(userId) ?? [])];
  }

  /** Whether the user has an open connection on this instance (see `isUserOnline`). */
  isOnlineHere(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Whether the user has an open connection on any instance. */
  isUserOnline(userId: string): Promise<boolean> {
    return this.isOnlineHere(userId) ? Promise.resolve(true) : this.broker.isUserOnline(userId);
  }

  /** The broker's state: whether cross-instance delivery works, and its counters. */
  health(): BrokerHealth {
    return this.broker.health();
  }

  /** Everyone, on every instance. */
  all(): BroadcastOperator<C> {
    return new BroadcastOperator<C>(this.publish, { ...NO_TARGET, all: true });
  }

  /** The members of one or more rooms. */
  to(room: string | readonly string[]): BroadcastOperator<C> {
    return new BroadcastOperator<C>(this.publish, NO_TARGET).to(room);
  }

  /** Every connection of one or more users. */
  toUser(userId: string | readonly string[]): BroadcastOperator<C> {
    return new BroadcastOperator<C>(this.publish, NO_TARGET).toUser(userId);
  }

  /** Single connections, by object or id. */
  toConnection(...connections: (RealtimeConnection | string)[]): BroadcastOperator<C> {
    return new BroadcastOperator<C>(this.publish, NO_TARGET).toConnection(...connections);
  }

  /** Closes every connection of a user, on every instance (e.g. 4500 on logout). */
  disconnectUser(userId: string, code: number, reason: string): void {
    this.toUser(userId).disconnect(code, reason);
  }

  /** Adds a connection to a room. Returns false when it was already a member. */
  join(connection: RealtimeConnection, room: string): boolean {
    const state = this.connections.get(connection.id);
    if (!state || state.rooms.has(room)) return false;
    state.rooms.add(room);
    addTo(this.rooms, room, state);
    this.broker.memberJoined(room, memberOf(state));
    return true;
  }

  /** Removes a connection from a room. Returns false when it was not a member. */
  leave(connection: RealtimeConnection, room: string): boolean {
    const state = this.connections.get(connection.id) ?? stateIn(this.rooms.get(room), connection);
    if (!state?.rooms.delete(room)) return false;
    removeFrom(this.rooms, room, state);
    this.broker.memberLeft(room, memberOf(state));
    return true;
  }

  /** Whether a connection is in a room. */
  isMember(connection: RealtimeConnection, room: string): boolean {
    return connection.rooms.has(room) && this.connections.has(connection.id);
  }

  /** The members of a room, on every instance. */
  members(room: string): Promise<RoomMember[]> {
    return this.broker.members(room);
  }

  /** The members of a room on this instance only. */
  localMembers(room: string): RoomMember[] {
    return [...(this.rooms.get(room) ?? [])].map(memberOf);
  }

  /** @internal Called when a socket has opened. */
  add(connection: ConnectionState): void {
    this.connections.set(connection.id, connection);
    addTo(this.users, connection.userId, connection);
    this.broker.connectionOpened(memberOf(connection));
  }

  /** @internal Called when a socket has closed: leaves every room. */
  remove(connection: ConnectionState): void {
    if (!this.connections.delete(connection.id)) return;
    removeFrom(this.users, connection.userId, connection);
    const member = memberOf(connection);
    for (const room of connection.rooms) {
      removeFrom(this.rooms, room, connection);
      this.broker.memberLeft(room, member);
    }
    this.broker.connectionClosed(member);
  }

  /** Every membership and connection of this instance (for a broker to restore). */
  private localPresence(): { rooms: [string, RoomMember][]; connections: RoomMember[] } {
    const rooms: [string, RoomMember][] = [];
    for (const [room, members] of this.rooms) {
      for (const connection of members) rooms.push([room, memberOf(connection)]);
    }
    return { rooms, connections: [...this.connections.values()].map(memberOf) };
  }

  /** Delivers to this instance's sockets (for a send of ours, or from the broker). */
  private deliver(delivery: Delivery): void {
    const recipients = this.resolve(delivery.target);
    if (delivery.kind === 'disconnect') {
      // A delivery from another instance is checked again: a bad code must not throw here.
      if (!isSendableCloseCode(delivery.code)) return;
      for (const connection of recipients) connection.close(delivery.code, delivery.reason);
      return;
    }
    if (recipients.size === 0) return;
    // One buffer for every recipient: the frame is encoded once, not once per socket.
    const frame = Buffer.from(delivery.frame);
    for (const connection of recipients) connection.writer.write(frame, delivery.volatile);
  }

  private resolve(target: DeliveryTarget): Set<ConnectionState> {
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
    for (const user of target.exceptUsers)
      for (const c of this.users.get(user) ?? []) out.delete(c);
    return out;
  }
}
