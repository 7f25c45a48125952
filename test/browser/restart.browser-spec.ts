import type { Browser } from 'playwright-core';
import {
  chatLine,
  connectionState,
  launchBrowser,
  say,
  screenshot,
  Tabs,
  type DemoTab,
} from './support/browser.js';
import { startPageServer, type PageServer } from './support/page-server.js';
import { SERVER_DOWN_NOISE as RESTART_NOISE, stopServer as stop } from './support/server-down.js';

describe('demo page: a server restart', () => {
  let browser: Browser;
  let server: PageServer | undefined;
  let tabs: Tabs;
  /** The page's origin: the port stays the same across the restart. */
  let baseUrl = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    tabs = new Tabs(browser, () => baseUrl);
  });
  afterEach(async () => {
    await tabs?.closeAll();
    await server?.stop();
    server = undefined;
  });
  afterAll(() => browser?.close());

  /** Stops the server and waits until both pages show `reconnecting` with the close code. */
  async function stopServer(pages: DemoTab[]): Promise<void> {
    const running = server;
    server = undefined;
    await stop(running, pages);
  }

  it('shows reconnecting, then works again without a reload (same secret: same users)', async () => {
    server = await startPageServer();
    const port = server.port;
    baseUrl = server.baseUrl;
    const alice = await tabs.signedIn('alice');
    const bob = await tabs.signedIn('bob');
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await say(alice.page, 'before the restart');
    await chatLine(bob.page, 'before the restart');
    const aliceId = await alice.page.locator('#me-name').getAttribute('title');

    await stopServer([alice, bob]);
    await alice.page.locator('#connection-reason', { hasText: 'server going away' }).waitFor();
    await screenshot(alice.page, 'restart-reconnecting.png');

    server = await startPageServer(port);
    await connectionState(alice.page, 'open');
    await connectionState(bob.page, 'open');
    // The rooms were joined again (onReconnect): each sees the other as a member.
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    await alice.page.locator('#messages .line.system', { hasText: 'Reconnected' }).waitFor();
    await say(alice.page, 'after the restart');
    await chatLine(bob.page, 'after the restart');
    await say(bob.page, 'welcome back');
    await chatLine(alice.page, 'welcome back');
    // The same user: the token of the same secret is still good.
    expect(await alice.page.locator('#me-name').getAttribute('title')).toBe(aliceId);
    // The ticker was subscribed again and ticks.
    const before = await alice.page.locator('[data-symbol="ACME"] .price').textContent();
    await alice.page.waitForFunction(
      (b) => document.querySelector('[data-symbol="ACME"] .price')?.textContent !== b,
      before,
    );
    await screenshot(alice.page, 'restart-reopened.png');

    expect(tabs.errors(RESTART_NOISE)).toEqual([]);
  });

  it('signs in again as a new user when the restarted server has a new random secret', async () => {
    const randomSecret = (n: number) => ({
      jwtSecret: `random-secret-of-boot-${n}-0123456789abcdef0123456789abcdef`,
      jwtSecretGenerated: true,
    });
    server = await startPageServer(undefined, randomSecret(1));
    const port = server.port;
    baseUrl = server.baseUrl;
    const alice = await tabs.signedIn('alice');
    const bob = await tabs.signedIn('bob');
    const aliceId = await alice.page.locator('#me-name').getAttribute('title');

    await stopServer([alice, bob]);
    server = await startPageServer(port, randomSecret(2));
    await connectionState(alice.page, 'open');
    await connectionState(bob.page, 'open');
    await alice.page.locator('.notice', { hasText: 'signed in again as alice' }).waitFor();
    expect(await alice.page.locator('#me-name').getAttribute('title')).not.toBe(aliceId);
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await say(bob.page, 'new secret, same page');
    await chatLine(alice.page, 'new secret, same page');
    await screenshot(alice.page, 'restart-new-secret.png');

    expect(tabs.errors(RESTART_NOISE)).toEqual([]);
  });
});
