import type { DeliveryTarget } from '../broker/delivery.js';
import type { HistoryRule } from './stream-log.js';

/** One stream's share of a push: its target, and the history rule it is kept under. */
export interface StreamShare {
  readonly stream: string;
  readonly target: DeliveryTarget;
  readonly rule: HistoryRule;
}

/** A push split by stream: the positioned shares, and what goes unpositioned (if anything). */
export interface StreamSplit {
  readonly shares: StreamShare[];
  readonly rest: DeliveryTarget | undefined;
}

const NOBODY = { all: false, rooms: [], users: [], connections: [] } as const;

/**
 * Splits a push's target into one share per stream with history: everyone (`all`), then each
 * room, then each user, each share leaving out the members of the shares before it, so a socket
 * in two of them gets the push once (reliability F7). What has no stream (single connections,
 * rooms and users whose rule says `recover: false`) is the unpositioned rest, which leaves out
 * every share's members.
 */
export function splitByStream(
  target: DeliveryTarget,
  ruleOf: (stream: string) => HistoryRule | undefined,
): StreamSplit {
  const { except, exceptUsers } = target;
  if (target.all) {
    const rule = ruleOf('all');
    return rule
      ? { shares: [{ stream: 'all', target, rule }], rest: undefined }
      : { shares: [], rest: target };
  }
  // The common case, one room or one user: the target is its own share.
  if (target.connections.length === 0 && target.rooms.length + target.users.length === 1) {
    const stream =
      target.rooms.length === 1 ? `room:${target.rooms[0]}` : `user:${target.users[0]}`;
    const rule = ruleOf(stream);
    return rule
      ? { shares: [{ stream, target, rule }], rest: undefined }
      : { shares: [], rest: target };
  }
  const shares: StreamShare[] = [];
  const exceptRooms = [...(target.exceptRooms ?? [])];
  const leftOutUsers = [...exceptUsers];
  const restRooms: string[] = [];
  const restUsers: string[] = [];
  for (const room of new Set(target.rooms)) {
    const stream = `room:${room}`;
    const rule = ruleOf(stream);
    if (!rule) {
      restRooms.push(room);
      continue;
    }
    const share = { ...NOBODY, rooms: [room], except, exceptUsers, exceptRooms: [...exceptRooms] };
    shares.push({ stream, target: share, rule });
    exceptRooms.push(room);
  }
  for (const user of new Set(target.users)) {
    const stream = `user:${user}`;
    const rule = ruleOf(stream);
    if (!rule) {
      restUsers.push(user);
      continue;
    }
    const share = {
      ...NOBODY,
      users: [user],
      except,
      exceptUsers: [...leftOutUsers],
      exceptRooms: [...exceptRooms],
    };
    shares.push({ stream, target: share, rule });
    leftOutUsers.push(user);
  }
  const hasRest = restRooms.length + restUsers.length + target.connections.length > 0;
  const rest: DeliveryTarget | undefined = hasRest
    ? {
        all: false,
        rooms: restRooms,
        users: restUsers,
        connections: target.connections,
        except,
        exceptUsers: leftOutUsers,
        exceptRooms,
      }
    : undefined;
  return { shares, rest };
}

/**
 * Whether a replayed push's target left out a resumed session: its last connection, its user,
 * or one of its rooms (it had the push through that room's stream).
 */
export function leavesOut(
  target: DeliveryTarget,
  session: { connectionId: string; userId: string; rooms: readonly string[] },
): boolean {
  if (target.except.includes(session.connectionId)) return true;
  if (target.exceptUsers.includes(session.userId)) return true;
  return (target.exceptRooms ?? []).some((room) => session.rooms.includes(room));
}
