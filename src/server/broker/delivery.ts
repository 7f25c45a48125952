/** Who a delivery is for: the union of the listed targets, minus `except`. */
export interface DeliveryTarget {
  readonly all: boolean;
  readonly rooms: readonly string[];
  readonly users: readonly string[];
  readonly connections: readonly string[];
  /** Connection ids to leave out. */
  readonly except: readonly string[];
  /** User ids to leave out. */
  readonly exceptUsers: readonly string[];
  /**
   * Rooms whose members to leave out: a push to several streams goes out once per stream, each
   * leaving out the members of the streams before it, so a socket in two of them gets it once.
   */
  readonly exceptRooms?: readonly string[];
}

export const NO_TARGET: DeliveryTarget = {
  all: false,
  rooms: [],
  users: [],
  connections: [],
  except: [],
  exceptUsers: [],
};

/** A push serialized once, for every instance and every recipient. */
export interface MessageDelivery {
  readonly kind: 'message';
  readonly target: DeliveryTarget;
  /** The JSON text frame `{"event":...,"data":...}`. */
  readonly frame: string;
  /** Skippable for a slow consumer instead of closing it. */
  readonly volatile: boolean;
  /**
   * Set on a push to a stream with history (missed-message recovery): `frame` then carries the
   * same position in front, `{"o":..,"e":..,"s":..,"event":..}`.
   */
  readonly position?: DeliveryPosition;
  /**
   * Set on a push to a latest-value stream: its key (a symbol, a game id). Only the newest push
   * of a key is kept, and a slow consumer gets the newest instead of the backlog.
   */
  readonly latest?: string;
  /**
   * When another instance published it (ms since the epoch, by its clock), if its bus says so:
   * the metrics' delivery lag between instances.
   */
  readonly sentAt?: number;
}

/** Where a push stands in its stream: the stream's name, its epoch and the push's offset. */
export interface DeliveryPosition {
  readonly stream: string;
  readonly e: string;
  readonly o: number;
}

/** Closes the targeted connections with a code and a reason. */
export interface DisconnectDelivery {
  readonly kind: 'disconnect';
  readonly target: DeliveryTarget;
  readonly code: number;
  readonly reason: string;
}

/** Makes the targeted connections join or leave a room (wherever they are connected). */
export interface MembershipDelivery {
  readonly kind: 'join' | 'leave';
  readonly target: DeliveryTarget;
  readonly room: string;
}

export type Delivery = MessageDelivery | DisconnectDelivery | MembershipDelivery;

/** A member of a room as presence reports it. */
export interface RoomMember {
  readonly connectionId: string;
  readonly userId: string;
  /** The claims of the member's token (`name`, ...). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The part of a delivery that other instances need, once this instance has served its own
 * sockets; `undefined` when nothing has to cross (every target is a local connection). Local
 * connection ids are dropped from `connections` and `except`: connection ids are unique across
 * instances, so no other instance holds them.
 */
export function crossingPart(
  delivery: Delivery,
  isLocal: (connectionId: string) => boolean,
): Delivery | undefined {
  const { target } = delivery;
  const connections = target.connections.filter((id) => !isLocal(id));
  const crosses =
    target.all || target.rooms.length > 0 || target.users.length > 0 || connections.length > 0;
  if (!crosses) return undefined;
  const except = target.except.filter((id) => !isLocal(id));
  return { ...delivery, target: { ...target, connections, except } };
}
