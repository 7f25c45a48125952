import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ErrorCode,
  isSendableCloseCode,
  type AnyContract,
  type RealtimeContract,
} from '../../protocol/index.js';
import { crossingPart, NO_TARGET, type Delivery, type RoomMember } from '../broker/delivery.js';
import { interestsOf, originInterest, roomInterest, userInterest } from '../broker/interest.js';
import { ConnectionIds } from '../connection/connection-id.js';
import { WRITTEN, type MembersPage, type PresenceStore } from '../broker/presence-store.js';
import { RealtimeBroker, type BrokerHealth } from '../broker/realtime-broker.js';
import type { RealtimeBus } from '../broker/realtime-bus.js';
import type { ConnectionState } from '../connection/connection-state.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import { redact } from '../errors/redact.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { Meter } from '../metrics/meter.js';
import { BroadcastOperator } from './broadcast-operator.js';
import { Recovery } from '../recovery/recovery.js';
import { BusSubscriptions } from './bus-subscriptions.js';
import { LocalIndex, memberOf } from './local-index.js';
import { PresenceDiffs, type PresenceDiffsOptions } from './presence-diffs.js';
import {
  countEverywhere,
  membersEverywhere,
  pageEverywhere,
  localMembersOf,
} from './room-members.js';
import { writeMessage } from './write-message.js';

/**
 * The connections of this instance and the way to reach any connection, user or room from a
 * gateway or from any service. Every send is served to this instance's sockets here, and only
 * what other instances need goes on the broker's bus, so the same calls reach other instances
 * once a distributed broker is configured.
 *
 * Inject it as `ConnectionRegistry<MyContract>` to have `emit()` checked against the contract's
 * pushes (the generic is compile-time only; there is one registry).
 */
@Injectable()
export class ConnectionRegistry<C extends RealtimeContract = AnyContract>
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('ConnectionRegistry');
  private readonly bus: RealtimeBus;
  private readonly presence: PresenceStore;
  private readonly ids = new ConnectionIds();
  private readonly subscriptions: BusSubscriptions;
  private readonly local: LocalIndex;
  /** @internal Missed-message recovery, when the `recovery` option is set. */
  readonly recovery: Recovery | undefined;
  /** Serves local sockets, hands the bus what must cross (with recovery, streams to the log). */
  private readonly publish = (delivery: Delivery): void => {
    let rest: Delivery | undefined = delivery;
    if (this.recovery && delivery.kind === 'message' && !delivery.volatile) {
      rest = this.recovery.publish(delivery, (share) => this.deliver(share));
      if (!rest) return;
    }
    this.deliver(rest);
    const crossing = crossingPart(rest, (id) => this.local.connections.has(id));
    if (crossing) this.bus.publish(interestsOf(crossing.target), crossing);
  };
  private readonly roomsPerConnection: number;
  private readonly diffs = new Set<PresenceDiffs<unknown>>();
  constructor(
    private readonly broker: RealtimeBroker,
    @Optional()
    @Inject(RESOLVED_OPTIONS)
    options?: Partial<Pick<ResolvedRealtimeOptions, 'limits' | 'recovery'>>,
  ) {
    this.bus = broker.bus;
    this.presence = broker.presence;
    const warn = (error: unknown): void => this.warn(error);
    this.subscriptions = new BusSubscriptions(this.bus, warn);
    this.local = new LocalIndex(this.subscriptions);
    this.roomsPerConnection = options?.limits?.roomsPerConnection ?? Number.POSITIVE_INFINITY;
    const recovery = options?.recovery;
    this.recovery = recovery && new Recovery(recovery, broker.log, broker.sessions, warn);
  }

  /** Starts the bus and the presence store (neither waits for its backend). */
  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.bus.start((delivery) => this.deliver(delivery)),
      this.presence.start(() => this.local.snapshot()),
      this.recovery?.start((delivery) => this.deliver(delivery)),
    ]);
    // Sends to one of this process's connections from another instance come this way.
    this.subscriptions.gained(originInterest(this.ids.origin));
  }

  async onApplicationShutdown(): Promise<void> {
    // Session records of the sockets the drain closed are written before the stores stop.
    for (const diffs of this.diffs) diffs.stop();
    await this.recovery?.stop();
    await Promise.all([this.presence.stop(), this.bus.stop()]);
  }

  /** Number of open connections on this instance. */
  get size(): number {
    return this.local.connections.size;
  }

  /** A connection of this instance by id. */
  get(connectionId: string): RealtimeConnection | undefined {
    return this.local.connections.get(connectionId);
  }

  /** This instance's connections of a user. */
  connectionsOf(userId: string): RealtimeConnection[] {
    return [...(this.local.users.get(userId) ?? [])];
  }
  /** @internal */ countOf = (userId: string) => this.local.users.get(userId)?.size ?? 0;

  /** Whether the user has an open connection on this instance (see `isUserOnline`). */
  isOnlineHere(userId: string): boolean {
    return this.local.users.has(userId);
  }

  /** Whether the user has an open connection on any instance (this one's view if unreachable). */
  async isUserOnline(userId: string): Promise<boolean> {
    if (this.isOnlineHere(userId)) return true;
    return this.presence.isOnline(userId).catch(() => false);
  }

  /** The bus's state: whether cross-instance delivery works, and its counters. */
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

  /**
   * Adds a connection to a room. Returns false when it was already a member (or is closed);
   * throws a `RealtimeException` `TOO_MANY_ROOMS` when it is in `limits.roomsPerConnection`
   * rooms already (from a handler, that is its reply).
   */
  join(connection: RealtimeConnection, room: string): boolean {
    const state = this.local.connections.get(connection.id);
    if (!state || state.rooms.has(room)) return false;
    if (state.rooms.size >= this.roomsPerConnection) {
      throw new RealtimeException(
        ErrorCode.TOO_MANY_ROOMS,
        `A connection may be in at most ${this.roomsPerConnection} rooms; leave one first.`,
      );
    }
    this.local.join(state, room);
    this.subscriptions.awaitedBy(state, roomInterest(room));
    this.recovery?.follow(state, `room:${room}`, () => state.rooms.has(room));
    this.background(this.presence.join(room, memberOf(state)));
    return true;
  }

  /** Removes a connection from a room. Returns false when it was not a member. */
  leave(connection: RealtimeConnection, room: string): boolean {
    const state =
      this.local.connections.get(connection.id) ?? this.local.memberState(room, connection);
    if (!state?.rooms.has(room)) return false;
    this.local.leave(state, room);
    this.recovery?.unfollow(state, `room:${room}`);
    this.background(this.presence.leave(room, memberOf(state)));
    return true;
  }

  /** Whether a connection is in a room. */
  isMember(connection: RealtimeConnection, room: string): boolean {
    return connection.rooms.has(room) && this.local.connections.has(connection.id);
  }

  /**
   * The members of a room, on every instance: this instance's own, then the others' as the
   * presence store has them (this instance's only while the store is unreachable).
   */
  members(room: string): Promise<RoomMember[]> {
    return membersEverywhere(this.presence, this.local, room);
  }

  /**
   * One page of a room's members on every instance, for rooms too large to list at once:
   * `limit` members (default 100) after the cursor `after` (the previous page's `next`). Pages
   * follow a stable order, so a member present throughout is listed exactly once; `next` is
   * absent on the last page. While the presence store is unreachable, this instance's members.
   */
  membersPage(
    room: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<MembersPage> {
    return pageEverywhere(this.presence, this.local, room, options);
  }

  /**
   * How many members a room has on every instance, without listing them (this instance's count
   * while the presence store is unreachable).
   */
  count(room: string): Promise<number> {
    return countEverywhere(this.presence, this.local, room);
  }

  /**
   * Coalesced presence for big rooms: a room's joins and leaves gathered and sent as one diff
   * (with the room's count) per interval, instead of one push to every member per change (which
   * costs n^2 frames while n members join). Stopped with the registry. See `PresenceDiffs`.
   */
  presenceDiffs<T>(options: PresenceDiffsOptions<T>): PresenceDiffs<T> {
    const failed = (error: unknown): void =>
      this.logger.error(`A presence diff failed: ${redact(String(error))}`);
    const diffs = new PresenceDiffs(options, (room) => this.count(room), failed);
    this.diffs.add(diffs as PresenceDiffs<unknown>);
    return diffs;
  }

  /** The members of a room on this instance only. */
  localMembers = (room: string): RoomMember[] => localMembersOf(this.local, room);

  /** @internal A new connection id, of its origin. */ nextId = (): string => this.ids.next();
  /** @internal This instance's connections. */ locals = () => this.local.connections.values();
  /** @internal Set by `RealtimeMetrics` when metrics are on. */ meter: Meter | undefined;

  /** @internal Called when a socket has opened. */
  add(connection: ConnectionState): void {
    this.local.add(connection);
    this.subscriptions.awaitedBy(connection, userInterest(connection.userId));
    this.recovery?.opened(connection);
    this.background(this.presence.open(memberOf(connection)));
  }

  /** @internal Called when a socket has closed: leaves every room. */
  remove(connection: ConnectionState): void {
    if (!this.local.remove(connection)) return;
    this.recovery?.closed(connection);
    const member = memberOf(connection);
    for (const room of connection.rooms) this.background(this.presence.leave(room, member));
    this.background(this.presence.close(member));
  }

  /** Delivers to this instance's sockets (for a send of ours, or from the bus). */
  private deliver(delivery: Delivery): void {
    const recipients = this.local.resolve(delivery.target);
    if (delivery.kind === 'disconnect') {
      // A delivery from another instance is checked again: a bad code must not throw here.
      if (!isSendableCloseCode(delivery.code)) return;
      for (const connection of recipients) connection.close(delivery.code, delivery.reason);
      return;
    }
    if (delivery.kind !== 'message') {
      // Join or leave the targets, not at their room limit (a copy: a leave changes the set).
      for (const connection of [...recipients]) {
        if (delivery.kind === 'leave') this.leave(connection, delivery.room);
        else if (connection.rooms.size < this.roomsPerConnection)
          this.join(connection, delivery.room);
      }
      return;
    }
    writeMessage(recipients, delivery, this.meter);
  }

  /** A bus or store call nobody waits for: they never reject, but an app's is still watched. */
  private background(call: Promise<void>): void {
    if (call !== WRITTEN) call.catch((error: unknown) => this.warn(error));
  }

  private readonly warn = (error: unknown): void =>
    this.logger.warn(
      `Broker call failed: ${redact(error instanceof Error ? error.message : String(error))}`,
    );
}
