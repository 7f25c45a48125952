import type { Delivery, RoomMember } from './delivery.js';

/** What a broker delivers into: this instance's sockets. */
export interface LocalSink {
  /** Serves a delivery that another instance published to this instance's sockets. */
  deliver(delivery: Delivery): void;
  localMembers(room: string): RoomMember[];
  /** Whether the user has a connection on this instance. */
  isOnlineHere(userId: string): boolean;
  /** Every room membership and connection of this instance (to restore presence). */
  localPresence(): { rooms: [room: string, member: RoomMember][]; connections: RoomMember[] };
}

/** What a broker reports about itself (`ConnectionRegistry.health()`). */
export interface BrokerHealth {
  /** `in-process` or `redis`. */
  kind: string;
  /** True when cross-instance delivery works (always true in-process). */
  ready: boolean;
  /** Deliveries published to other instances. */
  published: number;
  /** Deliveries that could not be published (the broker was down or slow). */
  publishFailures: number;
  /** Deliveries received from other instances. */
  received: number;
  /** Messages on our channel that were not ours to read (foreign or malformed), ignored. */
  ignored: number;
}

/**
 * Carries deliveries and presence between instances. Abstract class: it is the DI token and the
 * type. The default, `InProcessBroker`, serves a single instance; `RedisBroker` (option `redis`)
 * scales out.
 */
export abstract class RealtimeBroker {
  /** Called once at boot with this instance's local delivery. */
  abstract bind(local: LocalSink): void;

  /**
   * Carries a delivery to the other instances, never back to this one: the registry has already
   * served this instance's sockets, and passes only the part that other instances need. Each
   * other instance delivers it to its sockets once.
   */
  abstract publish(delivery: Delivery): void;

  /** A local connection joined a room. */
  abstract memberJoined(room: string, member: RoomMember): void;

  /** A local connection left a room (or closed). */
  abstract memberLeft(room: string, member: RoomMember): void;

  /** A local connection opened. */
  abstract connectionOpened(member: RoomMember): void;

  /** A local connection closed. */
  abstract connectionClosed(member: RoomMember): void;

  /** The members of a room on every instance. */
  abstract members(room: string): Promise<RoomMember[]>;

  /** Whether the user has a connection on any instance. */
  abstract isUserOnline(userId: string): Promise<boolean>;

  abstract health(): BrokerHealth;
}
