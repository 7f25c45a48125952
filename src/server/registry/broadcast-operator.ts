import {
  isSendableCloseCode,
  type AnyContract,
  type PushData,
  type PushName,
  type RealtimeContract,
} from '../../protocol/index.js';
import type { Delivery, DeliveryTarget } from '../broker/delivery.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';

export interface EmitOptions {
  /**
   * A volatile push may be dropped for a connection that is not keeping up, instead of closing
   * that connection. Use it for data that the next push makes stale (prices, typing).
   * @default false
   */
  volatile?: boolean;
  /**
   * With `recovery`, the key of a latest-value stream (a rule with `conflate: true`): only the
   * newest push of each key is kept and resent. @default the event name
   */
  key?: string;
}

type ConnectionRef = RealtimeConnection | string;

function ids(refs: readonly (ConnectionRef | readonly ConnectionRef[])[]): string[] {
  return refs.flat().map((ref) => (typeof ref === 'string' ? ref : ref.id));
}

/**
 * An immutable selection of recipients: every method returns a new operator, so a shared one
 * can be narrowed safely. `emit()` serializes the message once for all recipients.
 *
 * ```ts
 * registry.to('room:general').except(connection).emit('chat:message', message);
 * ```
 */
export class BroadcastOperator<C extends RealtimeContract = AnyContract> {
  constructor(
    private readonly publish: (delivery: Delivery) => void,
    private readonly target: DeliveryTarget,
  ) {}

  private with(change: Partial<DeliveryTarget>): BroadcastOperator<C> {
    return new BroadcastOperator<C>(this.publish, { ...this.target, ...change });
  }

  /** Adds the members of one or more rooms. */
  to(room: string | readonly string[]): BroadcastOperator<C> {
    return this.with({ rooms: [...this.target.rooms, ...[room].flat()] });
  }

  /** Adds every connection of one or more users (all their devices, on every instance). */
  toUser(userId: string | readonly string[]): BroadcastOperator<C> {
    return this.with({ users: [...this.target.users, ...[userId].flat()] });
  }

  /** Adds single connections, by object or id. */
  toConnection(...connections: (ConnectionRef | readonly ConnectionRef[])[]): BroadcastOperator<C> {
    return this.with({ connections: [...this.target.connections, ...ids(connections)] });
  }

  /** Leaves out connections, by object or id (typically the sender). */
  except(...connections: (ConnectionRef | readonly ConnectionRef[])[]): BroadcastOperator<C> {
    return this.with({ except: [...this.target.except, ...ids(connections)] });
  }

  /** Leaves out every connection of these users. */
  exceptUser(userId: string | readonly string[]): BroadcastOperator<C> {
    return this.with({ exceptUsers: [...this.target.exceptUsers, ...[userId].flat()] });
  }

  /** Pushes `{event, data}` to the selected connections (typed by the registry's contract). */
  emit<E extends PushName<C>>(event: E, data: PushData<C, E>, options: EmitOptions = {}): void {
    this.publish({
      kind: 'message',
      target: this.target,
      frame: JSON.stringify({ event, data }),
      volatile: options.volatile ?? false,
      ...(options.key === undefined ? {} : { latest: options.key }),
    });
  }

  /**
   * Makes the selected connections join a room, on whichever instance they are connected (for
   * example every device of a user, from a REST handler of another instance). Like `emit()`, it
   * returns at once; connections that are already members are left as they are.
   */
  join(room: string): void {
    this.publish({ kind: 'join', target: this.target, room });
  }

  /** Makes the selected connections leave a room, on whichever instance they are connected. */
  leave(room: string): void {
    this.publish({ kind: 'leave', target: this.target, room });
  }

  /**
   * Closes the selected connections with a close code (1000-1003, 1007-1014 or 3000-4999; throws
   * a `TypeError` for another) and a reason.
   */
  disconnect(code: number, reason: string): void {
    if (!isSendableCloseCode(code)) {
      throw new TypeError(`${code} is not a close code a server may send; use 4000-4999.`);
    }
    this.publish({ kind: 'disconnect', target: this.target, code, reason });
  }
}
