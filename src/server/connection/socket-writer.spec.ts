import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import { SocketWriter } from './socket-writer.js';

/** A `ws` socket that logs what goes out, in order: frames, then `close <code>`. */
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly log: string[] = [];
  send(frame: string | Buffer): void {
    this.log.push(frame.toString());
  }
  close(code: number): void {
    this.readyState = 2;
    this.log.push(`close ${code}`);
  }
}

/** The TCP socket under it: corkable, and it drains when the test says so. */
class FakeTransport extends EventEmitter {
  cork(): void {}
  uncork(): void {}
}

const LIMIT = 100;
const turnEnds = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function writer() {
  const socket = new FakeSocket();
  const transport = new FakeTransport();
  const out = new SocketWriter(socket as unknown as WebSocket, LIMIT, transport);
  return { socket, transport, out };
}

describe('SocketWriter at a close', () => {
  it('sends the close frame at the end of the turn, after what this turn produced, even after the close() call', async () => {
    const { socket, out } = writer();
    out.write('a');
    out.close(CloseCode.RATE_EXCEEDED, 'flood');
    expect(out.isClosing).toBe(true);
    expect(out.write('b')).toBe(true);
    await Promise.resolve();
    out.write('c');
    await turnEnds();
    expect(socket.log).toEqual(['a', 'b', 'c', `close ${CloseCode.RATE_EXCEEDED}`]);
    expect(out.write('d')).toBe(false);
  });

  it('keeps the first close decided; a later one is a no-op', async () => {
    const { socket, out } = writer();
    out.close(CloseCode.REVOKED, 'kicked');
    out.close(CloseCode.GOING_AWAY, 'shutdown');
    await turnEnds();
    expect(socket.log).toEqual([`close ${CloseCode.REVOKED}`]);
  });

  it('throws at once for a code a server may not send', () => {
    const { socket, out } = writer();
    expect(() => out.close(CloseCode.ABNORMAL)).toThrow(TypeError);
    expect(out.isClosing).toBe(false);
    expect(socket.log).toEqual([]);
  });

  it('sends nothing when the peer closed first', async () => {
    const { socket, out } = writer();
    out.close(CloseCode.POLICY_VIOLATION);
    socket.readyState = 3;
    await turnEnds();
    expect(socket.log).toEqual([]);
  });

  it('writes the latest values parked for a slow consumer before the close frame', async () => {
    const { socket, out } = writer();
    socket.bufferedAmount = LIMIT + 1;
    expect(out.writeLatest('price\0A', 'A1')).toBe(true);
    expect(out.writeLatest('price\0B', 'B1')).toBe(true);
    expect(out.writeLatest('price\0A', 'A2')).toBe(true);
    expect(socket.log).toEqual([]);
    out.close(CloseCode.GOING_AWAY);
    await turnEnds();
    expect(socket.log).toEqual(['B1', 'A2', `close ${CloseCode.GOING_AWAY}`]);
  });

  it('4408: closes at once and drops what is parked, the buffer being the problem', async () => {
    const { socket, out } = writer();
    socket.bufferedAmount = LIMIT + 1;
    out.writeLatest('price\0A', 'A1');
    expect(out.write('news')).toBe(false);
    expect(socket.log).toEqual([`close ${CloseCode.SLOW_CONSUMER}`]);
    await turnEnds();
    expect(socket.log).toEqual([`close ${CloseCode.SLOW_CONSUMER}`]);
  });

  it('a close decided before the buffer overflowed keeps its code', async () => {
    const { socket, out } = writer();
    out.close(CloseCode.REVOKED);
    socket.bufferedAmount = LIMIT + 1;
    expect(out.write('news')).toBe(false);
    await turnEnds();
    expect(socket.log).toEqual([`close ${CloseCode.REVOKED}`]);
  });
});
