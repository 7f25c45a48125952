import type { Delivery, RoomMember } from '../registry/delivery.js';

/** What a broker delivers into: this instance's sockets. */
export interface LocalSink {
  deliver(delivery: Delivery): void;
  localMembers(room: string): RoomMember[];
}

/**
 * Carries deliveries and presence between instances. Abstract class: it is the DI token and the
 * type. The default, `InProcessBroker`, serves a single instance; provide another implementation
 * (`{ provide: RealtimeBroker, useClass: ... }`) to scale out.
 */
export abstract class RealtimeBroker {
  /** Called once at boot with this instance's local delivery. */
  abstract bind(local: LocalSink): void;

  /** Delivers to every instance, this one included, exactly once per target socket. */
  abstract publish(delivery: Delivery): void;

  /** A local connection joined a room. */
  abstract memberJoined(room: string, member: RoomMember): void;

  /** A local connection left a room (or closed). */
  abstract memberLeft(room: string, member: RoomMember): void;

  /** The members of a room on every instance. */
  abstract members(room: string): Promise<RoomMember[]>;
}
