import type { Browser, Page, Route } from 'playwright-core';
import { CloseCode } from '../../src/protocol/index.js';
import { ConnectionRegistry } from '../../src/server/index.js';
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

/** Said in a room whose missed messages did not come back (chat-view.ts). */
const HISTORY_LOST = 'History unavailable, reloaded';

/**
 * Holds the tab's reconnects: its `getToken` asks for /page-config.json before every attempt,
 * and that request waits until `release()`.
 */
async function holdReconnects(tab: DemoTab): Promise<{ release(): Promise<void> }> {
  const held: Route[] = [];
  let holding = true;
  await tab.page.route('**/page-config.json', async (route) => {
    if (holding) held.push(route);
    else await route.continue();
  });
  return {
    async release() {
      holding = false;
      await Promise.all(held.splice(0).map((route) => route.continue()));
    },
  };
}

/** The user id of the signed-in tab. */
async function userIdOf(tab: DemoTab): Promise<string> {
  const title = (await tab.page.locator('#me-name').getAttribute('title')) ?? '';
  return title.replace(/^user id /, '');
}

/** Closes the tab's socket from the server (as a slow consumer), while it cannot reconnect. */
async function dropFromServer(server: PageServer, tab: DemoTab) {
  const hold = await holdReconnects(tab);
  const registry = server.app.get(ConnectionRegistry);
  const [connection] = registry.connectionsOf(await userIdOf(tab));
  registry.toConnection(connection!.id).disconnect(CloseCode.SLOW_CONSUMER, 'test drop');
  await connectionState(tab.page, 'reconnecting');
  return hold;
}

/** Says each text in turn, each once the server took the one before. */
async function sayAll(page: Page, texts: string[]): Promise<void> {
  for (const text of texts) {
    await say(page, text);
    await page.locator('#messages .line.mine[data-delivery="sent"]', { hasText: text }).waitFor();
  }
}

/** The texts of the messages (not the notes) of the conversation on screen, in order. */
function messageTexts(page: Page): Promise<string[]> {
  return page.locator('#messages .line:not(.system) .text').allTextContents();
}

function systemLines(page: Page, text: string): Promise<number> {
  return page.locator('#messages .line.system', { hasText: text }).count();
}

const missed = ['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5'];

describe('demo page: missed messages after a reconnect', () => {
  let browser: Browser;
  let server: PageServer | undefined;
  let tabs: Tabs;

  beforeAll(async () => {
    browser = await launchBrowser();
    tabs = new Tabs(browser, () => server!.baseUrl);
  });
  afterEach(async () => {
    await tabs?.closeAll();
    await server?.stop();
    server = undefined;
  });
  afterAll(() => browser?.close());

  async function twoInTheLobby(): Promise<[DemoTab, DemoTab]> {
    const alice = await tabs.signedIn('alice');
    const bob = await tabs.signedIn('bob');
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await sayAll(bob.page, ['before the drop']);
    await chatLine(alice.page, 'before the drop');
    return [alice, bob];
  }

  it('shows what was missed, in order and once, with nothing else changed', async () => {
    server = await startPageServer();
    const [alice, bob] = await twoInTheLobby();
    // A symbol only Alice follows: its ticks must come back without onReconnect.
    await alice.page.fill('#symbol-input', 'nest');
    await alice.page.click('#symbol-form button');
    const price = alice.page.locator('[data-symbol="NEST"] .price');
    await alice.page.waitForFunction(() =>
      /\d/.test(document.querySelector('[data-symbol="NEST"] .price')?.textContent ?? ''),
    );

    const hold = await dropFromServer(server, alice);
    await chatLine(bob.page, 'alice left');
    await sayAll(bob.page, missed);
    await hold.release();

    await connectionState(alice.page, 'open');
    await chatLine(alice.page, 'missed 5');
    await sayAll(bob.page, ['after the drop']);
    await chatLine(alice.page, 'after the drop');
    expect(await messageTexts(alice.page)).toEqual([
      'before the drop',
      ...missed,
      'after the drop',
    ]);
    expect(await systemLines(alice.page, 'Reconnected')).toBe(0);
    expect(await systemLines(alice.page, HISTORY_LOST)).toBe(0);
    expect(await alice.page.locator('.notice').count()).toBe(0);
    // Bob, who saw Alice leave when her socket dropped, sees her back.
    await chatLine(bob.page, 'alice joined');
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    const before = await price.textContent();
    await alice.page.waitForFunction(
      (b) => document.querySelector('[data-symbol="NEST"] .price')?.textContent !== b,
      before,
    );
    await screenshot(alice.page, 'recovery-recovered.png');

    expect(tabs.errors()).toEqual([]);
  });

  it('says "history unavailable, reloaded" when the history did not reach back', async () => {
    server = await startPageServer(undefined, { chatHistory: 2 });
    const [alice, bob] = await twoInTheLobby();

    const hold = await dropFromServer(server, alice);
    await sayAll(bob.page, missed);
    await hold.release();

    await connectionState(alice.page, 'open');
    await alice.page.locator('#messages .line.system', { hasText: HISTORY_LOST }).waitFor();
    const notice = alice.page.locator('#notices .notice', { hasText: '#lobby' });
    expect(await notice.textContent()).toBe('#lobby: history unavailable, reloaded.');
    // The rooms were joined again (onReconnect), as after any reconnect that lost something.
    await alice.page.locator('#messages .line.system', { hasText: 'Reconnected' }).waitFor();
    await sayAll(bob.page, ['after the drop']);
    await chatLine(alice.page, 'after the drop');
    expect(await messageTexts(alice.page)).toEqual(['before the drop', 'after the drop']);
    expect(await systemLines(alice.page, HISTORY_LOST)).toBe(1);
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    await screenshot(alice.page, 'recovery-history-lost.png');

    expect(tabs.errors()).toEqual([]);
  });
});
