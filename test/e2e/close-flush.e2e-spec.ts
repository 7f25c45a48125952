import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { CloseCode, ErrorCode } from '../../src/protocol/index.js';
import {
  ConnectionRegistry,
  CurrentConnection,
  RealtimeGateway,
  type RealtimeConnection,
} from '../../src/server/index.js';
import { buildFrame, clientTextFrame, Opcode, type Frame } from '../support/frames.js';
import { deferred, installLimitsHarness, sign, start } from '../support/limits-harness.js';
import { RawWs } from '../support/raw-ws.js';

/**
 * Issue 15, item 4: nothing lost at a close. Every reply and push produced for a connection
 * before the server's close frame goes out (4429, 1008, 4500; 1001 in close-flush-drain), seen
 * frame by frame on a raw socket: the replies of handlers that already ran are written before
 * the close frame, never dropped behind it.
 */

/** Handlers that answer at once, after a few promise hops, never, or close their connection. */
@RealtimeGateway('/ws')
class FlushGateway {
  /** Released by the tests: `flush:hang` waits on it. */
  readonly hanging = deferred();
  hangs = 0;

  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('flush:sync')
  sync(@MessageBody() n: number): number {
    return n;
  }

  @SubscribeMessage('flush:async')
  async async(@MessageBody() n: number): Promise<number> {
    await Promise.resolve();
    await Promise.resolve();
    return n;
  }

  /** Still running when the close is decided: its reply is not waited for. */
  @SubscribeMessage('flush:hang')
  async hang(): Promise<string> {
    this.hangs++;
    await this.hanging.promise;
    return 'too late';
  }

  /** Pushes, revokes its own user, pushes again, then replies: all in one turn. */
  @SubscribeMessage('flush:kick')
  kick(@MessageBody() n: number, @CurrentConnection() connection: RealtimeConnection): number {
    connection.send('before', n);
    this.registry.disconnectUser(connection.userId, CloseCode.REVOKED, 'Kicked');
    this.registry.toConnection(connection.id).emit('after', n);
    return n;
  }

  /** Closes its own connection, then replies after a promise hop. */
  @SubscribeMessage('flush:kick-async')
  async kickAsync(
    @MessageBody() n: number,
    @CurrentConnection() connection: RealtimeConnection,
  ): Promise<number> {
    connection.close(CloseCode.REVOKED, 'Kicked');
    await Promise.resolve();
    return n;
  }
}

type Json = Record<string, unknown>;

const request = (event: string, id: number, data: unknown = id): Buffer =>
  clientTextFrame({ event, data, id });

function jsonOf(frames: Frame[]): Json[] {
  expect(frames.every((frame) => frame.opcode === Opcode.TEXT)).toBe(true);
  return frames.map((frame) => JSON.parse(frame.payload.toString()) as Json);
}

/** Reads up to the close frame, answers it, and waits for the server to end the TCP stream. */
async function readUntilClose(raw: RawWs): Promise<{ messages: Json[]; code: number }> {
  const { before, close } = await raw.untilClose();
  raw.send(buildFrame(Opcode.CLOSE, close.payload));
  await raw.ended;
  return { messages: jsonOf(before), code: close.payload.readUInt16BE(0) };
}

const sortedById = (messages: Json[]): Json[] =>
  [...messages].sort((a, b) => (a['id'] as number) - (b['id'] as number));

const raws: RawWs[] = [];
async function rawOpen(port: number, sub: string): Promise<RawWs> {
  const raw = await RawWs.open(port, sign(sub));
  raws.push(raw);
  return raw;
}

installLimitsHarness();
afterEach(() => {
  for (const raw of raws.splice(0)) raw.destroy();
});

describe('close flush: replies and pushes produced before a close go out before its frame', () => {
  it('4429: every reply of the accepted requests, in order, then the close; nothing after the verdict is answered', async () => {
    const limits = { messagesPerSecond: 1, messageBurst: 7, rateLimitedBeforeClose: 2 };
    const app = await start({ limits }, [FlushGateway]);
    const gateway = app.app.get(FlushGateway);
    const raw = await rawOpen(app.port, 'u-flood');

    // One TCP write: 7 accepted (sync, async, one that hangs), 2 RATE_LIMITED, the verdict, more.
    raw.send(
      request('flush:sync', 1),
      request('flush:async', 2),
      request('flush:sync', 3),
      request('flush:hang', 4),
      request('flush:async', 5),
      request('flush:sync', 6),
      request('flush:async', 7),
      request('flush:sync', 8),
      request('flush:sync', 9),
      request('flush:sync', 10),
      request('flush:async', 11),
    );
    const { messages, code } = await readUntilClose(raw);

    expect(code).toBe(CloseCode.RATE_EXCEEDED);
    // The hanging handler is still running: the close did not wait for it.
    expect(gateway.hangs).toBe(1);
    gateway.hanging.resolve();
    const replies = messages.filter((m) => 'data' in m);
    expect(replies.every((m) => m['data'] === m['id'])).toBe(true);
    // Each kind in request order (an async reply may pass a sync one: handlers run concurrently).
    const ids = replies.map((m) => m['id'] as number);
    expect(ids.filter((id) => [1, 3, 6].includes(id))).toEqual([1, 3, 6]);
    expect(ids.filter((id) => [2, 5, 7].includes(id))).toEqual([2, 5, 7]);
    expect(ids).toHaveLength(6);
    const refused = messages.filter((m) => 'error' in m);
    expect(refused).toEqual(
      [8, 9].map((id) => ({
        id,
        error: { code: ErrorCode.RATE_LIMITED, message: expect.any(String) },
      })),
    );
    expect(messages).toHaveLength(replies.length + refused.length);
  });

  it('1008: the replies of the requests before the malformed flood, then the close', async () => {
    const app = await start({ maxBadMessages: 2 }, [FlushGateway]);
    const raw = await rawOpen(app.port, 'u-malformed');

    raw.send(
      request('flush:async', 1),
      request('flush:sync', 2),
      clientTextFrame('not json'),
      request('flush:async', 3),
      clientTextFrame('not json'),
      clientTextFrame('not json'),
      request('flush:sync', 4),
    );
    const { messages, code } = await readUntilClose(raw);

    expect(code).toBe(CloseCode.POLICY_VIOLATION);
    const bad = {
      event: '$error',
      data: { code: ErrorCode.BAD_MESSAGE, message: expect.any(String) },
    };
    expect(messages.filter((m) => 'event' in m)).toEqual([bad, bad]);
    const replies = messages.filter((m) => 'id' in m);
    expect(sortedById(replies)).toEqual([1, 2, 3].map((id) => ({ id, data: id })));
    expect(messages).toHaveLength(5);
  });

  it('4500: pushes before and after the revocation and the reply of the handler that decided it', async () => {
    const app = await start({}, [FlushGateway]);
    const raw = await rawOpen(app.port, 'u-kicked');

    raw.send(request('flush:async', 1), request('flush:kick', 2), request('flush:sync', 3));
    const { messages, code } = await readUntilClose(raw);

    expect(code).toBe(CloseCode.REVOKED);
    // Request 3 was read in the same TCP read, so its handler started before the revocation.
    expect(messages.filter((m) => 'event' in m)).toEqual([
      { event: 'before', data: 2 },
      { event: 'after', data: 2 },
    ]);
    const replies = messages.filter((m) => 'id' in m);
    expect(sortedById(replies)).toEqual([1, 2, 3].map((id) => ({ id, data: id })));
    expect(messages).toHaveLength(5);
  });

  it('4500 by connection.close(): the async reply of the handler that closed goes first', async () => {
    const app = await start({}, [FlushGateway]);
    const raw = await rawOpen(app.port, 'u-closes');

    raw.send(request('flush:sync', 1), request('flush:kick-async', 2), request('flush:async', 3));
    const { messages, code } = await readUntilClose(raw);

    expect(code).toBe(CloseCode.REVOKED);
    expect(sortedById(messages)).toEqual([1, 2, 3].map((id) => ({ id, data: id })));
  });
});
