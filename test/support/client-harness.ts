import { loadDemoConfig, type DemoConfig } from '../../src/demo/config/demo-config.js';
import { AppModule } from '../../src/demo/app.module.js';
import type { DemoContract } from '../../src/demo/contract.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
  type TestClient,
  type TestClientOptions,
} from '../../src/testing/index.js';
import { TEST_SECRET } from './demo-app.js';

/**
 * Shared harness of the client SDK e2e suites (client-*.e2e-spec.ts): the demo's config, a quick
 * backoff, fresh users and tokens, test clients that are closed after each test with the servers
 * a test started itself (installClientHarness).
 */

export const config: DemoConfig = {
  ...loadDemoConfig({ PORT: '0' }),
  jwtSecret: TEST_SECRET,
  jwtSecretGenerated: false,
  tickerIntervalMs: 50,
  // A socket that does not answer the close is terminated this fast at shutdown.
  shutdownDrainMs: 300,
};

/** Small real delays (no jitter) so reconnects are quick and their spacing is checkable. */
export const BACKOFF = { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 0, rateLimitedMs: 60 };
/**
 * How much shorter than its delay a measured gap may look: Node starts a timer from the event
 * loop's cached clock, which can lag `Date.now()` by the I/O handled earlier in the same turn.
 * A tight loop shows gaps of a few ms, far below every delay checked here.
 */
export const TIMER_SLACK_MS = 5;

let seq = 0;
/** A fresh user id (also usable as a room name). */
export const user = (prefix: string): string => `${prefix}-${++seq}`;
export const tokenFor = (sub: string, claims: Record<string, unknown> = {}): string =>
  signTestToken(TEST_SECRET, { sub, name: sub, ...claims });

export const servers: RunningRealtimeApp[] = [];
const clients: TestClient<DemoContract>[] = [];

/** Registers the teardown after each test: every client, then every server a test started. */
export function installClientHarness(): void {
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
}

/** A test client of `sub` (a fresh token per connect unless the options say otherwise). */
export async function connect(
  server: RunningRealtimeApp,
  sub: string,
  options: TestClientOptions<DemoContract> = {},
): Promise<TestClient<DemoContract>> {
  const auth = options.token || options.getToken ? {} : { getToken: () => tokenFor(sub) };
  const client = await createTestClient<DemoContract>(server.wsUrl('/ws'), {
    backoff: BACKOFF,
    pingIntervalMs: 0,
    ...auth,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Closes the server side of `sub`'s only connection; resolves once the server saw it close. */
export function disconnect(
  server: RunningRealtimeApp,
  sub: string,
  code: number,
  reason: string,
): Promise<void> {
  const connections = server.registry().connectionsOf(sub);
  expect(connections).toHaveLength(1);
  const { id, socket } = connections[0]!;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  server.registry().toConnection(id).disconnect(code, reason);
  return closed;
}

/** The demo for the tests of one describe block: started before them, closed after all. */
export function useDemo(assign: (demo: RunningRealtimeApp) => void): void {
  let demo: RunningRealtimeApp | undefined;
  beforeAll(async () => {
    demo = await startRealtimeApp(AppModule.forRoot(config));
    assign(demo);
  });
  afterAll(() => demo?.close());
}
