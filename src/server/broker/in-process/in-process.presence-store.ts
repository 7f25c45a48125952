import type { RoomMember } from '../delivery.js';
import {
  PresenceStore,
  WRITTEN,
  type MembersPage,
  type PresenceSource,
} from '../presence-store.js';
import { InProcessHub, type InstancePresence } from './in-process-hub.js';

const done = WRITTEN;

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number =>
  a < b ? -1 : a > b ? 1 : 0;

/**
 * Presence in the memory of one process, shared by the instances on one `InProcessHub`. Entries
 * are kept by instance, so `stop()` removes this instance's at once.
 */
export class InProcessPresenceStore extends PresenceStore {
  private readonly instance = Symbol('instance');
  private source: PresenceSource | undefined;

  constructor(private readonly hub = new InProcessHub()) {
    super();
  }

  override start(source: PresenceSource): Promise<void> {
    this.source = source;
    return this.restore();
  }

  override stop(): Promise<void> {
    this.source = undefined;
    this.hub.presence.delete(this.instance);
    return done;
  }

  override join(room: string, member: RoomMember): Promise<void> {
    const own = this.own();
    if (!own) return done;
    const members = own.rooms.get(room) ?? new Map<string, RoomMember>();
    own.rooms.set(room, members.set(member.connectionId, member));
    return done;
  }

  override leave(room: string, member: RoomMember): Promise<void> {
    const members = this.own()?.rooms.get(room);
    members?.delete(member.connectionId);
    if (members?.size === 0) this.own()?.rooms.delete(room);
    return done;
  }

  override open(member: RoomMember): Promise<void> {
    const own = this.own();
    if (!own) return done;
    const ids = own.users.get(member.userId) ?? new Set<string>();
    own.users.set(member.userId, ids.add(member.connectionId));
    return done;
  }

  override close(member: RoomMember): Promise<void> {
    const ids = this.own()?.users.get(member.userId);
    ids?.delete(member.connectionId);
    if (ids?.size === 0) this.own()?.users.delete(member.userId);
    return done;
  }

  override members(room: string): Promise<RoomMember[]> {
    const all = [...this.hub.presence.values()].flatMap((p) => [...(p.rooms.get(room) ?? [])]);
    return Promise.resolve(all.map(([, member]) => member));
  }

  override page(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    // Connection ids are unique across instances: they order the pages. The smallest `limit`
    // + 1 are kept as they come (sorted and cut whenever twice that many are held, and nothing
    // at or above the cut taken again), so a page of a room of n costs O(n), not a sort of n.
    let kept: [string, RoomMember][] = [];
    let below: string | undefined;
    for (const presence of this.hub.presence.values()) {
      for (const entry of presence.rooms.get(room) ?? []) {
        const id = entry[0];
        if ((after !== undefined && id <= after) || (below !== undefined && id >= below)) continue;
        kept.push(entry);
        if (kept.length < 2 * (limit + 1)) continue;
        kept = kept.sort(byKey).slice(0, limit + 1);
        below = kept[limit]![0];
      }
    }
    kept.sort(byKey);
    const members = kept.slice(0, limit).map(([, member]) => member);
    const last = kept[limit - 1];
    return Promise.resolve(kept.length > limit && last ? { members, next: last[0] } : { members });
  }

  override count(room: string): Promise<number> {
    let total = 0;
    for (const presence of this.hub.presence.values()) total += presence.rooms.get(room)?.size ?? 0;
    return Promise.resolve(total);
  }

  override isOnline(userId: string): Promise<boolean> {
    return Promise.resolve([...this.hub.presence.values()].some((p) => p.users.has(userId)));
  }

  override restore(): Promise<void> {
    if (!this.source) return done;
    const { rooms, connections } = this.source();
    this.hub.presence.set(this.instance, { rooms: new Map(), users: new Map() });
    for (const [room, member] of rooms) void this.join(room, member);
    for (const member of connections) void this.open(member);
    return done;
  }

  /** This instance's entries, made anew after the hub lost them; none once stopped. */
  private own(): InstancePresence | undefined {
    if (!this.source) return undefined;
    let own = this.hub.presence.get(this.instance);
    if (!own) this.hub.presence.set(this.instance, (own = { rooms: new Map(), users: new Map() }));
    return own;
  }
}
