import type { Browser } from 'playwright-core';
import { connectionState, launchBrowser, Tabs, type DemoTab } from './browser.js';
import { startPageServer, type PageServer } from './page-server.js';

/**
 * What Chromium itself logs while the server is down or draining: the sockets the client opens
 * meanwhile fail (refused, 503 during the drain, 401 for a token of the previous secret) and so
 * do the page's `fetch`es of /page-config.json. The page logs nothing; only these are allowed,
 * and only in the suites that stop the server.
 */
export const SERVER_DOWN_NOISE = [
  /^console: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed/,
  /^console: Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE)/,
];

/** Stops `server` and waits until every tab shows `reconnecting` with the close code 1001. */
export async function stopServer(server: PageServer | undefined, tabs: DemoTab[]): Promise<void> {
  await server?.stop();
  for (const { page } of tabs) {
    await connectionState(page, 'reconnecting');
    await page.locator('#connection-reason', { hasText: '1001' }).waitFor();
  }
}

/** A demo server that a test stops and starts again on the same port, and the browser's tabs. */
export interface RestartableScenario {
  readonly tabs: Tabs;
  /** Starts the server: on a free port the first time, on the same port after `stop`. */
  start(): Promise<PageServer>;
  /** Stops the server and waits until `pages` show `reconnecting`. */
  stop(pages: DemoTab[]): Promise<void>;
}

/** Registers the hooks of a {@link RestartableScenario}; call inside `describe`. */
export function useRestartableScenario(): RestartableScenario {
  const state: { browser?: Browser; server?: PageServer; tabs?: Tabs; port?: number } = {};
  beforeAll(async () => {
    state.browser = await launchBrowser();
    state.tabs = new Tabs(state.browser, () => `http://127.0.0.1:${state.port}`);
  });
  afterEach(async () => {
    await state.tabs?.closeAll();
    await state.server?.stop();
    state.server = state.port = undefined;
  });
  afterAll(() => state.browser?.close());
  return {
    get tabs() {
      return state.tabs!;
    },
    async start() {
      state.server = await startPageServer(state.port);
      state.port = state.server.port;
      return state.server;
    },
    async stop(pages) {
      const running = state.server;
      state.server = undefined;
      await stopServer(running, pages);
    },
  };
}
