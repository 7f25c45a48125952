import type {
  ConnectionRegistry,
  PresenceDiffs,
  RealtimeConnection,
  RealtimePrincipal,
} from '../../server/index.js';
import type { ChatUser, DemoContract } from '../contract.js';

/** Registry room of a chat room (other features have rooms too). */
export const ROOM_PREFIX = 'chat:';
export const roomKey = (room: string): string => `${ROOM_PREFIX}${room}`;

/** Above this many members a room's joins and leaves are coalesced (demo.md, "Big rooms"). */
export const BIG_ROOM = 100;

export function userOf(principal: Pick<RealtimePrincipal, 'userId' | 'claims'>): ChatUser {
  const name = principal.claims['name'];
  return { id: principal.userId, name: typeof name === 'string' && name ? name : principal.userId };
}

/**
 * Announces who joins and leaves a chat room: one `chat:joined`/`chat:left` per change while the
 * room has at most {@link BIG_ROOM} members, one `chat:presence` diff per room per second above
 * (the registry's `presenceDiffs`), so that n members joining cost O(n) frames, not O(n^2).
 */
export class RoomPresence {
  private readonly diffs: PresenceDiffs<ChatUser>;
  /** The size of each room with members here: the last count learned, plus changes since. */
  private readonly sizes = new Map<string, number>();

  constructor(private readonly registry: ConnectionRegistry<DemoContract>) {
    this.diffs = registry.presenceDiffs<ChatUser>({
      keyOf: (user) => user.id,
      send: ({ room, joined, left, count }) => {
        this.learn(room, count);
        const name = room.slice(ROOM_PREFIX.length);
        registry.to(room).emit('chat:presence', { room: name, joined, left, count });
      },
    });
  }

  /** The room's count, as just read from every instance. */
  learn(key: string, count: number): void {
    if (count > 0 || this.sizes.has(key)) this.sizes.set(key, count);
  }

  /** `connection` joined the room `key` (or is back in it after a resume). */
  joined(connection: RealtimeConnection, key: string): void {
    this.sizes.set(key, (this.sizes.get(key) ?? 0) + 1);
    const user = userOf(connection.principal);
    if (this.isBig(key)) return this.diffs.joined(key, user);
    const room = key.slice(ROOM_PREFIX.length);
    this.registry.to(key).except(connection).emit('chat:joined', { room, user });
  }

  /** `connection` left the room `key` (or closed while in it). */
  left(connection: RealtimeConnection, key: string): void {
    const size = (this.sizes.get(key) ?? 1) - 1;
    const big = this.isBig(key);
    if (size > 0) this.sizes.set(key, size);
    else this.sizes.delete(key);
    const user = userOf(connection.principal);
    if (big) return this.diffs.left(key, user);
    const room = key.slice(ROOM_PREFIX.length);
    this.registry.to(key).except(connection).emit('chat:left', { room, user });
  }

  /** Big, or within a diff's interval: then changes go as diffs, so none overtakes another. */
  private isBig(key: string): boolean {
    return (this.sizes.get(key) ?? 0) > BIG_ROOM || this.diffs.isActive(key);
  }
}
