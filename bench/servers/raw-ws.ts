/**
 * The floor: plain `ws` on a Node HTTP server. JWT verified in the `upgrade` handler, then per
 * message JSON.parse and JSON.stringify, nothing else. Rooms are a Map of Sets; a broadcast is
 * serialized and encoded once. With BENCH_REDIS_URL, broadcasts also go through Redis pub/sub
 * (the same "publish the frame once" scheme as nestjs-realtime), as the floor of the Redis row.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { ready, REDIS_PREFIX, REDIS_URL, verifyBearer, type Principal } from './common.js';

interface Client {
  socket: WebSocket;
  principal: Principal;
  rooms: Set<string>;
}

interface Message {
  event?: string;
  id?: number | string;
  data?: { room?: string };
}

const clients = new Set<Client>();
const rooms = new Map<string, Set<Client>>();
const wss = new WebSocketServer({ noServer: true, maxPayload: 65536, perMessageDeflate: false });
const server = createServer((_req, res) => res.writeHead(404).end());

const instanceId = randomUUID();
const channel = `${REDIS_PREFIX}:deliveries`;
const pub = REDIS_URL ? new Redis(REDIS_URL) : undefined;
const sub = REDIS_URL ? new Redis(REDIS_URL) : undefined;

function deliver(room: string, frame: Buffer): void {
  for (const client of rooms.get(room) ?? []) client.socket.send(frame, { binary: false });
}

function onMessage(client: Client, raw: Buffer): void {
  let message: Message;
  try {
    message = JSON.parse(raw.toString()) as Message;
  } catch {
    return;
  }
  switch (message.event) {
    case 'echo':
      client.socket.send(JSON.stringify({ id: message.id, data: message.data }));
      return;
    case 'join': {
      const room = String(message.data?.room);
      client.rooms.add(room);
      let members = rooms.get(room);
      if (!members) rooms.set(room, (members = new Set()));
      members.add(client);
      client.socket.send(JSON.stringify({ id: message.id, data: true }));
      return;
    }
    case 'publish': {
      const room = String(message.data?.room);
      const text = JSON.stringify({ event: 'tick', data: message.data });
      deliver(room, Buffer.from(text));
      void pub?.publish(channel, `${instanceId}\n${room}\n${text}`);
      return;
    }
  }
}

server.on('upgrade', (request, socket, head) => {
  let principal: Principal;
  try {
    if (request.url !== '/ws') throw new Error('not found');
    principal = verifyBearer(request.headers.authorization);
  } catch {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    const client: Client = { socket: ws, principal, rooms: new Set() };
    clients.add(client);
    ws.on('error', () => undefined);
    ws.on('message', (raw) => onMessage(client, raw as Buffer));
    ws.once('close', () => {
      clients.delete(client);
      for (const room of client.rooms) rooms.get(room)?.delete(client);
    });
  });
});

async function main(): Promise<void> {
  if (sub) {
    sub.on('message', (_channel: string, message: string) => {
      const a = message.indexOf('\n');
      const b = message.indexOf('\n', a + 1);
      if (message.slice(0, a) === instanceId) return;
      deliver(message.slice(a + 1, b), Buffer.from(message.slice(b + 1)));
    });
    await sub.subscribe(channel);
    await pub!.ping();
  }
  server.listen(0, '127.0.0.1', () => {
    ready((server.address() as AddressInfo).port, () => clients.size);
  });
}

void main();
