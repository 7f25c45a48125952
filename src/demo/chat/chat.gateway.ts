import { MessageBody } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import {
  ConnectionRegistry,
  CurrentConnection,
  ErrorCode,
  type RealtimeConnection,
  RealtimeException,
  RealtimeGateway,
  type ConnectionResumeInfo,
  type OnConnectionClose,
  type OnConnectionResume,
  type RoomMember,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { DirectDto, RoomDto, SendDto } from './chat.dto.js';
import type { ChatUser, DemoContract, RoomJoinReply, SentReply } from '../contract.js';
import { demo } from '../demo-handlers.js';
import { CHAT_PUSHES, RoomJoinReplyDoc, SentReplyDoc } from '../contract-docs.js';
import { BIG_ROOM, ROOM_PREFIX, RoomPresence, roomKey, userOf } from './room-presence.js';

function uniqueUsers(members: RoomMember[]): ChatUser[] {
  const users = new Map<string, ChatUser>();
  for (const m of members) users.set(m.userId, userOf(m));
  return [...users.values()];
}

/** The chat of the demo: rooms, messages, typing and direct messages (see demo.md). */
@RealtimeGateway({ path: wsPathFrom(process.env), pushes: CHAT_PUSHES })
export class ChatGateway implements OnConnectionClose, OnConnectionResume {
  private readonly presence: RoomPresence;

  constructor(private readonly registry: ConnectionRegistry<DemoContract>) {
    this.presence = new RoomPresence(registry);
  }

  /**
   * The rooms each open connection was announced in (`chat:joined` sent to the others). A
   * resumed connection is a member of its rooms again (the server restored them, protocol.md
   * section 8) without having been announced, while the others got `chat:left` when it dropped:
   * its next `chat:join` of such a room announces it again.
   */
  private readonly announced = new Map<string, Set<string>>();

  @demo.request('chat:join', {
    reply: RoomJoinReplyDoc,
    summary: 'Join a room: its first 100 members and its size.',
  })
  async join(
    @MessageBody() { room }: RoomDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): Promise<RoomJoinReply> {
    const key = roomKey(room);
    const joined = this.registry.join(connection, key);
    if (joined || this.restored(connection, room)) {
      this.announce(connection, room);
      this.presence.joined(connection, key);
    }
    // At most 100 members listed, and the room's size: a join costs the same in any room.
    const [page, count] = await Promise.all([
      this.registry.membersPage(key, { limit: BIG_ROOM }),
      this.registry.count(key),
    ]);
    this.presence.learn(key, count);
    return { room, members: uniqueUsers(page.members), count };
  }

  @demo.request('chat:leave', { reply: null, summary: 'Leave a room.' })
  leave(
    @MessageBody() { room }: RoomDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): null {
    this.announced.get(connection.id)?.delete(room);
    if (this.registry.leave(connection, roomKey(room))) {
      this.presence.left(connection, roomKey(room));
    }
    return null;
  }

  @demo.request('chat:send', {
    reply: SentReplyDoc,
    summary: 'Send a message to a room you joined (`chat:message` to its members).',
  })
  send(
    @MessageBody() { room, text }: SendDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): SentReply {
    this.requireMember(connection, room);
    const message = {
      id: randomUUID(),
      room,
      from: userOf(connection.principal),
      text,
      at: Date.now(),
    };
    this.registry.to(roomKey(room)).emit('chat:message', message);
    return { id: message.id, at: message.at };
  }

  @demo.request('chat:typing', {
    reply: null,
    summary: 'Tell the room you are typing (volatile `chat:typing`).',
  })
  typing(
    @MessageBody() { room }: RoomDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): null {
    this.requireMember(connection, room);
    this.registry
      .to(roomKey(room))
      .except(connection)
      .emit('chat:typing', { room, user: userOf(connection.principal) }, { volatile: true });
    return null;
  }

  @demo.request('chat:direct', {
    reply: SentReplyDoc,
    errors: ['USER_OFFLINE'],
    summary: 'Send a direct message to a user who is online.',
  })
  async direct(
    @MessageBody() { to, text }: DirectDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): Promise<SentReply> {
    if (!(await this.registry.isUserOnline(to))) {
      throw new RealtimeException('USER_OFFLINE', 'That user is not connected');
    }
    const message = { id: randomUUID(), from: userOf(connection.principal), text, at: Date.now() };
    this.registry.toUser(to).emit('chat:direct', message);
    return { id: message.id, at: message.at };
  }

  /** Leaving by disconnect counts as leaving every room. */
  onConnectionClose(connection: RealtimeConnection): void {
    this.announced.delete(connection.id);
    for (const key of connection.rooms) {
      if (key.startsWith(ROOM_PREFIX)) this.presence.left(connection, key);
    }
  }

  /**
   * A resumed connection is back in its rooms (restored by the server, without `chat:join`); the
   * others saw it leave when it dropped: they are told it is back.
   */
  onConnectionResume(connection: RealtimeConnection, { rooms }: ConnectionResumeInfo): void {
    for (const key of rooms) {
      if (!key.startsWith(ROOM_PREFIX)) continue;
      this.announce(connection, key.slice(ROOM_PREFIX.length));
      this.presence.joined(connection, key);
    }
  }

  /** A member of the room that was never announced in it: restored by a resume. */
  private restored(connection: RealtimeConnection, room: string): boolean {
    const member = this.registry.isMember(connection, roomKey(room));
    return member && !this.announced.get(connection.id)?.has(room);
  }

  private announce(connection: RealtimeConnection, room: string): void {
    // Not for a connection that closed meanwhile: its close already ran.
    if (!this.registry.isMember(connection, roomKey(room))) return;
    let rooms = this.announced.get(connection.id);
    if (!rooms) this.announced.set(connection.id, (rooms = new Set()));
    rooms.add(room);
  }

  private requireMember(connection: RealtimeConnection, room: string): void {
    if (!this.registry.isMember(connection, roomKey(room))) {
      throw new RealtimeException(ErrorCode.FORBIDDEN, 'Join the room first');
    }
  }
}
