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
  type RealtimePrincipal,
  type RoomMember,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { DirectDto, RoomDto, SendDto } from './chat.dto.js';
import type { ChatUser, DemoContract, RoomJoinReply, SentReply } from '../contract.js';
import { demo } from '../demo-handlers.js';

/** Registry room of a chat room (other features have rooms too). */
const roomKey = (room: string): string => `chat:${room}`;
const ROOM_PREFIX = 'chat:';

function userOf(principal: {
  userId: string;
  claims: Readonly<Record<string, unknown>>;
}): ChatUser {
  const name = principal.claims['name'];
  return { id: principal.userId, name: typeof name === 'string' && name ? name : principal.userId };
}

function uniqueUsers(members: RoomMember[]): ChatUser[] {
  const users = new Map<string, ChatUser>();
  for (const m of members) users.set(m.userId, userOf(m));
  return [...users.values()];
}

/** The chat of the demo: rooms, messages, typing and direct messages (see demo.md). */
@RealtimeGateway({ path: wsPathFrom(process.env) })
export class ChatGateway implements OnConnectionClose, OnConnectionResume {
  constructor(private readonly registry: ConnectionRegistry<DemoContract>) {}

  /**
   * The rooms each open connection was announced in (`chat:joined` sent to the others). A
   * resumed connection is a member of its rooms again (the server restored them, protocol.md
   * section 8) without having been announced, while the others got `chat:left` when it dropped:
   * its next `chat:join` of such a room announces it again.
   */
  private readonly announced = new Map<string, Set<string>>();

  @demo.request('chat:join')
  async join(
    @MessageBody() { room }: RoomDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): Promise<RoomJoinReply> {
    const joined = this.registry.join(connection, roomKey(room));
    if (joined || this.restored(connection, room)) {
      this.announce(connection, room);
      this.registry
        .to(roomKey(room))
        .except(connection)
        .emit('chat:joined', { room, user: userOf(connection.principal) });
    }
    return { room, members: uniqueUsers(await this.registry.members(roomKey(room))) };
  }

  @demo.request('chat:leave')
  leave(
    @MessageBody() { room }: RoomDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): null {
    this.announced.get(connection.id)?.delete(room);
    if (this.registry.leave(connection, roomKey(room))) {
      this.registry
        .to(roomKey(room))
        .emit('chat:left', { room, user: userOf(connection.principal) });
    }
    return null;
  }

  @demo.request('chat:send')
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

  @demo.request('chat:typing')
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

  @demo.request('chat:direct')
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
    const user = userOf(connection.principal as RealtimePrincipal);
    for (const key of connection.rooms) {
      if (!key.startsWith(ROOM_PREFIX)) continue;
      this.registry
        .to(key)
        .except(connection)
        .emit('chat:left', { room: key.slice(ROOM_PREFIX.length), user });
    }
  }

  /**
   * A resumed connection is back in its rooms (restored by the server, without `chat:join`); the
   * others saw it leave when it dropped: they are told it is back.
   */
  onConnectionResume(connection: RealtimeConnection, { rooms }: ConnectionResumeInfo): void {
    for (const key of rooms) {
      if (!key.startsWith(ROOM_PREFIX)) continue;
      const room = key.slice(ROOM_PREFIX.length);
      this.announce(connection, room);
      this.registry
        .to(key)
        .except(connection)
        .emit('chat:joined', { room, user: userOf(connection.principal) });
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
