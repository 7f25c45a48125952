/**
 * The floor: plain `ws` on a Node HTTP server. JWT verified in the `upgrade` handler, then per
 * message JSON.parse and JSON.stringify, nothing else. Rooms are a Map of Sets; a broadcast is
 * serialized and encoded once. With BENCH_REDIS_URL, broadcasts also cross instances the way a
 * hand-written interest-routed broker would, as the floor of the Redis rows: one Redis 7 sharded
 * channel per room (`<prefix>:room:<name>`), SSUBSCRIBEd when the room's first local member
 * joins and SUNSUBSCRIBEd when its last one leaves, SPUBLISH of `<instance id>\n<frame>`, so an
 * instance with no member of a room hears nothing of it.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Duplex } from 'node:stream';
import { ready, REDIS_PREFIX, REDIS_URL, VARIANT, verifyBearer, type Principal } from './common.js';

interface Client {
  socket: WebSocket;
  principal: Principal;
  /** Made at its first join, as nestjs-realtime does (most connections never join one). */
  rooms: Set<string> | undefined;
  /** The TCP socket under `socket` (what the upgrade handed over), corked per turn. */
  transport: Duplex;
  corked: boolean;
  /** Heard from since the last heartbeat round. */
  alive: boolean;
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

const instanceId = Buffer.from(`${randomUUID()}\n`);
const roomChannel = `${REDIS_PREFIX}:room:`;
const pub = REDIS_URL ? new Redis(REDIS_URL) : undefined;
const sub = REDIS_URL ? new Redis(REDIS_URL) : undefined;
/** SSUBSCRIBE of the rooms with a local member: a join is answered once its room is heard. */
const subscribed = new Map<string, Promise<unknown>>();
/** The bus counters, as nestjs-realtime's `registry.health()` reports them. */
const bus = { published: 0, received: 0 };

const BATCHED = VARIANT === 'batched';
const HEARTBEAT_MS = Number(process.env['BENCH_HEARTBEAT_MS'] ?? 0);
let corked: Client[] = [];

// One tick callback uncorks every socket corked in this turn (as the module's uncorkAll).
function uncorkAll(): void {
  const batch = corked;
  corked = [];
  for (const client of batch) {
    client.corked = false;
    client.transport.uncork();
  }
}

/** Sends a text frame; batched: corked until the end of this turn, with the socket's others. */
function send(client: Client, frame: string | Buffer): void {
  if (BATCHED && !client.corked) {
    client.corked = true;
    client.transport.cork();
    if (corked.push(client) === 1) process.nextTick(uncorkAll);
  }
  client.socket.send(frame, { binary: false });
}

/** Room `*`: every connection (the connections scenario's broadcast to all). */
function deliver(room: string, frame: Buffer): void {
  for (const client of room === '*' ? clients : (rooms.get(room) ?? [])) send(client, frame);
}

function join(client: Client, room: string): Promise<unknown> {
  (client.rooms ??= new Set()).add(room);
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(client);
  if (!sub) return Promise.resolve();
  let done = subscribed.get(room);
  if (!done) subscribed.set(room, (done = sub.ssubscribe(roomChannel + room)));
  return done;
}

function leave(client: Client, room: string): void {
  const members = rooms.get(room);
  if (!members?.delete(client) || members.size > 0) return;
  rooms.delete(room);
  if (!sub) return;
  subscribed.delete(room);
  void sub.sunsubscribe(roomChannel + room).catch(() => undefined);
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
      send(client, JSON.stringify({ id: message.id, data: message.data }));
      return;
    case 'join': {
      const reply = JSON.stringify({ id: message.id, data: true });
      void join(client, String(message.data?.room)).then(() => send(client, reply));
      return;
    }
    case 'publish': {
      const room = String(message.data?.room);
      const frame = Buffer.from(JSON.stringify({ event: 'tick', data: message.data }));
      deliver(room, frame);
      if (!pub) return;
      pub.spublish(roomChannel + room, Buffer.concat([instanceId, frame])).then(
        () => void bus.published++,
        () => undefined,
      );
      return;
    }
  }
}

/** A publication of the room's channel: another instance's frame is sent as is, ours dropped. */
function onPublication(channel: Buffer, message: Buffer): void {
  const idLength = instanceId.length;
  if (message.compare(instanceId, 0, idLength, 0, idLength) === 0) return;
  bus.received++;
  deliver(channel.toString('utf8', roomChannel.length), message.subarray(idLength));
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
    const client: Client = {
      socket: ws,
      principal,
      rooms: undefined,
      transport: socket,
      corked: false,
      alive: true,
    };
    clients.add(client);
    ws.on('error', () => undefined);
    if (HEARTBEAT_MS > 0) ws.on('pong', () => (client.alive = true));
    ws.on('message', (raw) => {
      client.alive = true;
      onMessage(client, raw as Buffer);
    });
    ws.once('close', () => {
      clients.delete(client);
      for (const room of client.rooms ?? []) leave(client, room);
    });
  });
});

// ws's README liveness check: every interval, terminate who did not answer the last ping.
if (HEARTBEAT_MS > 0) {
  setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }, HEARTBEAT_MS).unref();
}

async function main(): Promise<void> {
  // The side-by-side control (BENCH_IDLE_APP=1): the same server, in a process that also boots
  // the nestjs-realtime benchmark app (on another port, never connected to): what the mere
  // presence of Nest, the module and their heap costs the floor's own code.
  if (process.env['BENCH_IDLE_APP']) await import('./realtime.js');
  if (sub) {
    sub.on('smessageBuffer', onPublication);
    await Promise.all([sub.ping(), pub!.ping()]);
  }
  server.listen(0, '127.0.0.1', () => {
    ready(
      (server.address() as AddressInfo).port,
      () => clients.size,
      () => ({ kind: sub ? 'redis' : 'none', ...bus }),
    );
  });
}

void main();
