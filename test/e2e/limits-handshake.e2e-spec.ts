import { ConnectionRegistry, type RealtimeLimitOptions } from '../../src/server/index.js';
import {
  deferred,
  expectAlive,
  expectRefusal,
  HOLD_GUARDS,
  HoldGuard,
  installLimitsHarness,
  open,
  openTracked,
  serverClosed,
  sign,
  sockets,
  start,
} from '../support/limits-harness.js';
import { rawUpgrade, type RawResponse } from '../support/raw-http.js';
import { TestSocket, UpgradeRefused } from '../support/ws-client.js';

/**
 * Reliability catalogue section D, limits at the handshake, over real sockets: connection caps
 * (D3), handshake floods and timeouts (D6). Small limits are passed in the module options to keep
 * it fast.
 */

installLimitsHarness();

describe('D3: connection caps at the handshake', () => {
  it('connectionsPerUser: the third socket of a user gets 429 TOO_MANY_CONNECTIONS + Retry-After; other users connect; a freed slot can be reused', async () => {
    const app = await start({ limits: { connectionsPerUser: 2, retryAfterSec: 7 } });
    const registry = app.app.get(ConnectionRegistry);
    const first = await openTracked(app, 'u-capped');
    await openTracked(app, 'u-capped');

    const refusal = await expectRefusal(app.baseUrl, 'u-capped', 429, 'TOO_MANY_CONNECTIONS');
    expect(refusal.headers['retry-after']).toBe('7');
    expect(registry.connectionsOf('u-capped')).toHaveLength(2);

    const other = await open(app.baseUrl, 'u-someone-else');
    expect(await other.request('probe:echo', 'ok', 'ok')).toEqual({ id: 'ok', data: 'ok' });

    // Close one; once the server has dropped it, the user may connect again (and not beyond).
    const dropped = serverClosed(first.connection);
    await first.socket.close();
    await dropped;
    expect(registry.connectionsOf('u-capped')).toHaveLength(1);
    const again = await open(app.baseUrl, 'u-capped');
    expect(await again.request('probe:echo', 'again', 'again')).toEqual({
      id: 'again',
      data: 'again',
    });
    await expectRefusal(app.baseUrl, 'u-capped', 429, 'TOO_MANY_CONNECTIONS');
  });

  it('connections: the third socket of any user gets 503 UNAVAILABLE + Retry-After; a freed slot can be reused', async () => {
    const app = await start({ limits: { connections: 2, retryAfterSec: 7 } });
    const registry = app.app.get(ConnectionRegistry);
    const first = await openTracked(app, 'u-one');
    await openTracked(app, 'u-two');

    for (const sub of ['u-three', 'u-one']) {
      const refusal = await expectRefusal(app.baseUrl, sub, 503, 'UNAVAILABLE');
      expect(refusal.headers['retry-after']).toBe('7');
    }
    expect(registry.size).toBe(2);

    const dropped = serverClosed(first.connection);
    await first.socket.close();
    await dropped;
    const third = await open(app.baseUrl, 'u-three');
    expect(await third.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
    expect(registry.size).toBe(2);
  });

  it.each<[string, RealtimeLimitOptions, (i: number) => string, number]>([
    ['connectionsPerUser: 2, one user', { connectionsPerUser: 2 }, () => 'u-racer', 429],
    ['connections: 2, three users', { connections: 2 }, (i) => `u-racer-${i}`, 503],
  ])(
    '%s: three upgrades verified at the same time still open at most 2 sockets',
    async (_case, limits, subOf, status) => {
      const app = await start({ ...HOLD_GUARDS, limits });
      const guard = app.app.get(HoldGuard);
      const registry = app.app.get(ConnectionRegistry);
      const allHeld = deferred();
      guard.onHeld = () => {
        if (guard.held === 3) allHeld.resolve();
      };

      const attempts = [0, 1, 2].map((i) =>
        TestSocket.connect(app.baseUrl, { token: sign(subOf(i)), path: '/ws?hold=1' }).then(
          (socket) => {
            sockets.push(socket);
            return socket;
          },
        ),
      );
      await allHeld.promise;
      guard.release();
      const results = await Promise.allSettled(attempts);

      const opened = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) =>
        r.status === 'rejected' && r.reason instanceof UpgradeRefused ? [r.reason] : [],
      );
      expect({ opened: opened.length, refused: refused.map((r) => r.status) }).toEqual({
        opened: 2,
        refused: [status],
      });
      expect(refused[0]?.headers['retry-after']).toEqual(expect.any(String));
      expect(registry.size).toBe(2);
    },
  );
});

describe('D6 and handshake timeout: pending handshakes are bounded', () => {
  const BAD = { Authorization: 'Bearer not.a.valid-jwt' };

  it('300 concurrent upgrades with invalid JWTs held by a slow guard: 50 pending, the rest 503 at once; each answered 401 or 503; a valid client connects afterwards', async () => {
    const app = await start({
      ...HOLD_GUARDS,
      limits: { pendingHandshakes: 50, retryAfterSec: 7 },
    });
    const guard = app.app.get(HoldGuard);
    const registry = app.app.get(ConnectionRegistry);
    const TOTAL = 300;
    let answered = 0;
    const everyoneAccounted = deferred();
    const check = (): void => {
      if (answered + guard.held === TOTAL) everyoneAccounted.resolve();
    };
    guard.onHeld = check;

    const responses = Array.from({ length: TOTAL }, () =>
      rawUpgrade(app.port, '/ws?hold=1', BAD).then((response) => {
        answered++;
        check();
        return response;
      }),
    );
    // Every upgrade is either answered or held by the guard: none hangs elsewhere.
    await everyoneAccounted.promise;
    expect({ held: guard.held, answered }).toEqual({ held: 50, answered: TOTAL - 50 });

    // While the pending slots are full, even a valid client is told to come back later.
    const busy = await expectRefusal(app.baseUrl, 'u-valid', 503, 'UNAVAILABLE');
    expect(busy.headers['retry-after']).toBe('7');

    guard.release();
    const all: RawResponse[] = await Promise.all(responses);
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(statuses.filter((s) => s === 503)).toHaveLength(TOTAL - 50);
    for (const response of all) {
      const code = response.status === 401 ? 'UNAUTHORIZED' : 'UNAVAILABLE';
      expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.any(String) } });
      if (response.status === 503) expect(response.headers['retry-after']).toBe('7');
      else expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(registry.size).toBe(0);

    const valid = await open(app.baseUrl, 'u-valid');
    expect(await valid.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
    await expectAlive(app.baseUrl);
  });

  it('300 concurrent upgrades with invalid JWTs (JWT guard only): each 401 or 503, a valid client connects', async () => {
    const app = await start({ limits: { pendingHandshakes: 50 } });
    const all = await Promise.all(
      Array.from({ length: 300 }, () => rawUpgrade(app.port, '/ws', BAD)),
    );
    for (const response of all) expect([401, 503]).toContain(response.status);
    expect(app.app.get(ConnectionRegistry).size).toBe(0);
    const valid = await open(app.baseUrl, 'u-valid');
    expect(await valid.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
  });

  it('a handshake guard that never answers: 503 UNAVAILABLE + Retry-After after handshakeTimeoutMs; alive', async () => {
    const app = await start({ ...HOLD_GUARDS, limits: { handshakeTimeoutMs: 200 } });
    const startedAt = Date.now();
    const response = await rawUpgrade(app.port, '/ws?hold=forever', {
      Authorization: `Bearer ${sign('u-patient')}`,
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.any(String) },
    });
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(app.app.get(ConnectionRegistry).size).toBe(0);
    await expectAlive(app.baseUrl);
  });

  it('the handshake-timeout 503 carries the configured limits.retryAfterSec', async () => {
    const app = await start({
      ...HOLD_GUARDS,
      limits: { handshakeTimeoutMs: 200, retryAfterSec: 7 },
    });
    const response = await rawUpgrade(app.port, '/ws?hold=forever', {
      Authorization: `Bearer ${sign('u-patient')}`,
    });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
  });
});
