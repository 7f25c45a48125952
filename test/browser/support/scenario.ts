import type { Browser } from 'playwright-core';
import { launchBrowser, Tabs } from './browser.js';
import { startPageServer, type PageServer } from './page-server.js';

/** One demo server and one Chromium for a describe block; its tabs are closed after each test. */
export interface PageScenario {
  readonly browser: Browser;
  readonly server: PageServer;
  readonly tabs: Tabs;
}

/** Registers the hooks that start and tear down a {@link PageScenario}; call inside `describe`. */
export function usePageScenario(): PageScenario {
  const state: { browser?: Browser; server?: PageServer; tabs?: Tabs } = {};
  beforeAll(async () => {
    // One after the other: afterAll tears down whichever started.
    state.server = await startPageServer();
    state.browser = await launchBrowser();
    state.tabs = new Tabs(state.browser, () => state.server!.baseUrl);
  });
  afterEach(() => state.tabs?.closeAll());
  afterAll(async () => {
    await state.browser?.close();
    await state.server?.stop();
  });
  return {
    get browser() {
      return state.browser!;
    },
    get server() {
      return state.server!;
    },
    get tabs() {
      return state.tabs!;
    },
  };
}
