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
}

/** Closes the targeted connections with a code and a reason. */
export interface DisconnectDelivery {
  readonly kind: 'disconnect';
  readonly target: DeliveryTarget;
  readonly code: number;
  readonly reason: string;
}

export type Delivery = MessageDelivery | DisconnectDelivery;

/** A member of a room as presence reports it. */
export interface RoomMember {
  readonly connectionId: string;
  readonly userId: string;
  /** The claims of the member's token (`name`, ...). */
  readonly claims: Readonly<Record<string, unknown>>;
}
