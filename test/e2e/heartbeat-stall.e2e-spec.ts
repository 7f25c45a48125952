import type { INestApplication } from '@nestjs/common';
import { Opcode } from '../support/frames.js';
import { sign, startLifecycleApp, type LifecycleApp } from '../support/lifecycle-app.js';
import { RawWs } from '../support/raw-ws.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Liveness under a stalled event loop (issue 15): a heartbeat round that runs late, before the
 * pongs already sitting in the kernel were read, must not terminate the peers that answered;
 * a peer that does not answer is still terminated. Server and clients share this process, so
 * the busy-wait below stalls both, exactly like a handler that blocks the server for seconds.
 */

const INTERVAL_MS = 100;
const ANSWERING = 50;

/** Holds the event loop for `ms` (on purpose: this is the stall under test). */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('heartbeat while the event loop stalls', () => {
  let app: INestApplication | undefined;
  const sockets: TestSocket[] = [];
  let silent: RawWs | undefined;

  afterEach(async () => {
    silent?.destroy();
    silent = undefined;
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await app?.close();
    app = undefined;
  });

  /** An app with a short interval, `ANSWERING` ws clients (they pong) and one silent raw peer. */
  async function setUp(): Promise<{ started: LifecycleApp; closes: number[]; raw: RawWs }> {
    const started = await startLifecycleApp({ heartbeatIntervalMs: INTERVAL_MS });
    app = started.app;
    const closes: number[] = [];
    for (let i = 0; i < ANSWERING; i++) {
      const socket = await TestSocket.connect(started.baseUrl, { token: sign(`u-${i}`) });
      socket.ws.once('close', (code) => closes.push(code));
      sockets.push(socket);
    }
    silent = await RawWs.open(started.port, sign('u-silent'));
    return { started, closes, raw: silent };
  }

  /** Every answering client is still open and still served, and only they are watched. */
  async function expectAnsweringAlive(started: LifecycleApp, closes: number[]): Promise<void> {
    expect(closes).toEqual([]);
    expect(sockets.every((s) => s.ws.readyState === s.ws.OPEN)).toBe(true);
    expect(started.heartbeat.size).toBe(ANSWERING);
    const replies = await Promise.all(sockets.map((s) => s.request('$ping')));
    expect(replies.map((r) => r['data'])).toEqual(sockets.map(() => ({ t: expect.any(Number) })));
  }

  it('a stall right after the pings kills no answering peer; the silent one still goes', async () => {
    const { started, closes, raw } = await setUp();

    // The first ping the silent peer sees: the same round pinged every client, whose ws
    // answers at once. Stall now, for three intervals: the pongs wait unread in the kernel
    // while the next round falls due.
    expect((await raw.nextFrame()).opcode).toBe(Opcode.PING);
    expect(started.heartbeat.size).toBe(ANSWERING + 1);
    stall(3 * INTERVAL_MS);

    await raw.ended; // a later round did judge the silent peer
    await started.gateway.whenDisconnects(1);
    expect(started.registry.isOnlineHere('u-silent')).toBe(false);
    await expectAnsweringAlive(started, closes);
  });

  it('stalls after every round still terminate the silent peer, and only it', async () => {
    const { started, closes, raw } = await setUp();

    // Every ping the silent peer sees is followed by a stall of two intervals, so every round
    // after the first runs late; being late may spare a silent peer once, not for ever.
    let pings = 0;
    for (;;) {
      const frame = await raw.nextFrame().catch(() => undefined);
      if (!frame) break; // terminated
      expect(frame.opcode).toBe(Opcode.PING);
      pings++;
      stall(2 * INTERVAL_MS);
    }
    await started.gateway.whenDisconnects(1);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(started.registry.isOnlineHere('u-silent')).toBe(false);
    await expectAnsweringAlive(started, closes);
  });
});
