import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import {
  ConnectionRegistry,
  CurrentConnection,
  RealtimeException,
  RealtimeGateway,
  type OnConnectionClose,
  type RealtimeConnection,
} from 'nestjs-realtime';
import { RoomDto, SendDto } from './chat.dto.js';

/** The README's gateway, as a user writes it in their own app. */
@RealtimeGateway({ path: '/ws' })
export class ChatGateway implements OnConnectionClose {
  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('chat:join')
  join(@MessageBody() { room }: RoomDto, @CurrentConnection() conn: RealtimeConnection) {
    this.registry.join(conn, room);
    return { room };
  }

  @SubscribeMessage('chat:send')
  send(@MessageBody() dto: SendDto, @CurrentConnection() conn: RealtimeConnection) {
    if (!conn.rooms.has(dto.room)) throw new RealtimeException('FORBIDDEN', 'Join the room first');
    this.registry.to(dto.room).emit('chat:message', { from: conn.userId, text: dto.text });
    return { at: Date.now() };
  }

  onConnectionClose(conn: RealtimeConnection): void {
    for (const room of conn.rooms) this.registry.to(room).emit('chat:left', { who: conn.userId });
  }
}
