import { connect, type Socket } from 'node:net';
import { upgradeRequest } from '../support/raw-http.js';
import { expectAlive, installLimitsHarness, open, start } from '../support/limits-harness.js';

/**
 * Issue 15, slow upgrades: a client that trickles its request headers (slowloris) is cut off
 * `limits.headersTimeoutMs` after connecting, instead of holding a descriptor for Node's 60 s
 * plus its 30 s check interval; a request that arrives in time is untouched.
 */

installLimitsHarness();

const opened: Socket[] = [];
afterEach(() => opened.splice(0).forEach((s) => s.destroy()));

/** Connects and writes the upgrade one byte at a time, each after the previous one was sent. */
function trickle(port: number): { socket: Socket; sent: () => number } {
  const socket = connect(port, '127.0.0.1');
  opened.push(socket);
  const bytes = Buffer.from(upgradeRequest('/ws'));
  let i = 0;
  const next = (): void => {
    if (socket.destroyed || i >= bytes.length - 1) return;
    // Paced by the event loop, never finishing: the last byte is never sent.
    socket.write(bytes.subarray(i, ++i), () => setTimeout(next, 20));
  };
  socket.once('connect', next);
  socket.on('error', () => undefined);
  return { socket, sent: () => i };
}

/**
 * The socket's close, whatever came before it: cut off mid-write, the client may see ECONNRESET
 * first (`once(socket, 'close')` would reject on that `error`).
 */
const closed = (socket: Socket): Promise<void> =>
  new Promise((resolve) => socket.once('close', () => resolve()));

describe('slow upgrades are bounded', () => {
  it('a client trickling its headers is disconnected at headersTimeoutMs; others are served', async () => {
    const app = await start({ limits: { headersTimeoutMs: 300 } });
    const slow = trickle(app.port);
    await closed(slow.socket);
    // It was cut off mid-request: most of the request was never sent.
    expect(slow.sent()).toBeLessThan(upgradeRequest('/ws').length - 1);
    await expectAlive(app.baseUrl);
  });

  it('0 turns the bound off: the same client is still connected after the bound would have hit', async () => {
    const app = await start({ limits: { headersTimeoutMs: 0 } });
    const slow = trickle(app.port);
    const bounded = await start({ limits: { headersTimeoutMs: 300 } });
    const control = trickle(bounded.port);
    await closed(control.socket);
    expect(slow.socket.destroyed).toBe(false);
    // The app's close waits for its connections: this one would never finish its request.
    slow.socket.destroy();
  });

  it('an upgrade that arrived in time is never cut off: its WebSocket outlives the bound', async () => {
    const app = await start({ limits: { headersTimeoutMs: 300 } });
    const socket = await open(app.baseUrl, 'u-upgraded');
    // A trickling client connected after it is cut off: the upgraded socket's bound is past too.
    await closed(trickle(app.port).socket);
    expect(await socket.request('probe:echo', 'still here', 1)).toEqual({
      id: 1,
      data: 'still here',
    });
  });
});
