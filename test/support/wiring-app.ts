import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketServer,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer as WsServer } from 'ws';
import { connectionOf, stateOf } from '../../src/server/connection/connection-map.js';
import {
  RealtimeGateway,
  type ConnectionCloseInfo,
  type OnConnectionClose,
  type RealtimeConnection,
} from '../../src/server/index.js';

/** The handler maps seen: a map shared by the path's connections has one index for all. */
const maps: object[] = [];

/** What the connection hooks and `connection` listeners of these gateways saw. */
export const seen = {
  handleConnection: [] as string[],
  closed: [] as number[],
  listener: [] as string[],
};

/** A `connection` listener of the app's: it records who connected, and on which URL. */
export const connectionListener = (socket: WebSocket, request: IncomingMessage): void => {
  seen.listener.push(`${connectionOf(socket)?.userId} ${request.url}`);
};

export class WiringHandlers {
  /** The index of this connection's handler map among those seen. */
  @SubscribeMessage('wiring:map')
  map(@ConnectedSocket() socket: WebSocket): number {
    const handlers = stateOf(socket)!.handlers;
    if (!maps.includes(handlers)) maps.push(handlers);
    return maps.indexOf(handlers);
  }

  @SubscribeMessage('wiring:echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }
}

@RealtimeGateway('/ws')
export class PlainWiring extends WiringHandlers {
  @WebSocketServer() server!: WsServer;
}

@RealtimeGateway('/ws')
export class HandleConnectionWiring extends WiringHandlers {
  handleConnection(client: WebSocket): void {
    seen.handleConnection.push(connectionOf(client)!.userId);
  }
}

@RealtimeGateway('/ws')
export class OnCloseWiring extends WiringHandlers implements OnConnectionClose {
  onConnectionClose(_connection: RealtimeConnection, close: ConnectionCloseInfo): void {
    seen.closed.push(close.code);
  }
}

/** Adds a `connection` listener of its own to the path's `ws` server, as Nest users do. */
@RealtimeGateway('/ws')
export class ListenerWiring extends WiringHandlers implements OnGatewayInit {
  afterInit(server: WsServer): void {
    server.on('connection', connectionListener);
  }
}

/** No handler, only a hook: another gateway of the path then needs Nest's wiring too. */
@RealtimeGateway('/ws')
export class HookOnlyGateway {
  handleConnection(client: WebSocket): void {
    seen.handleConnection.push(`hook-only ${connectionOf(client)!.userId}`);
  }
}
