import type { Page } from 'playwright-core';
import { usePageScenario } from './support/scenario.js';
import { DESKTOP, screenshot, type DemoTab } from './support/browser.js';
import { PHONE_390, smallTargets, toastsOverGame } from './support/geometry.js';

/** Where the scrolling page is put before measuring: its top, the game's end, its bottom. */
const SCROLLS = ['top', 'game', 'bottom'] as const;

async function scrollPage(page: Page, to: (typeof SCROLLS)[number]): Promise<void> {
  await page.evaluate((where) => {
    const scroller = document.querySelector('.page');
    if (!scroller) throw new Error('The page has no .page scroller');
    if (where === 'game') document.getElementById('game')?.scrollIntoView({ block: 'end' });
    else scroller.scrollTo(0, where === 'top' ? 0 : scroller.scrollHeight);
  }, to);
}

/** Shows `count` error toasts at once: room names the server would refuse. */
async function errorToasts(page: Page, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await page.fill('#join-room', `not a room ${i}!`);
    await page.click('#join-form button');
  }
  await page
    .locator('.notice.error')
    .nth(count - 1)
    .waitFor();
}

/** alice and bob in a game, alice (X) to play: her cells are enabled. */
async function gameInProgress(alice: DemoTab, bob: DemoTab): Promise<void> {
  await alice.page.click('#game-play');
  await alice.page.locator('#game[data-phase="waiting"]').waitFor();
  await bob.page.click('#game-play');
  await alice.page.locator('#game-status', { hasText: 'Your turn' }).waitFor();
}

describe('demo page: toasts, touch targets and the framed page', () => {
  const scenario = usePageScenario();

  const screens = [
    ['a 390 px phone', 'phone', PHONE_390],
    ['a desktop', 'desktop', DESKTOP],
  ] as const;
  for (const [screen, file, viewport] of screens) {
    it(`never puts a toast over the game's buttons, on ${screen}`, async () => {
      const alice = await scenario.tabs.signedIn('alice', viewport);
      const bob = await scenario.tabs.signedIn('bob');
      await gameInProgress(alice, bob);
      const { page } = alice;
      await errorToasts(page, 4);
      for (const where of SCROLLS) {
        await scrollPage(page, where);
        expect({ where, problems: await toastsOverGame(page) }).toEqual({ where, problems: [] });
      }
      await screenshot(page, `toasts-and-game-${file}.png`);
      expect(scenario.tabs.errors()).toEqual([]);
    });
  }

  it('makes every control at least 44 x 44 px on a 390 px wide screen', async () => {
    const login = await scenario.tabs.open('login', PHONE_390);
    await login.page.locator('#login-button:enabled').waitFor();
    expect(await smallTargets(login.page)).toEqual([]);
    await scenario.tabs.close(login);

    const alice = await scenario.tabs.signedIn('alice', PHONE_390);
    const bob = await scenario.tabs.signedIn('bob', PHONE_390);
    // Members with a Message button, a direct conversation tab, a game in progress.
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await alice.page.getByRole('button', { name: 'Message bob' }).waitFor();
    await bob.page.getByRole('button', { name: 'Message alice' }).click();
    await bob.page.locator('.conversation-tab.dm').waitFor();
    await gameInProgress(alice, bob);
    await alice.page.locator('#symbols .symbol .remove').first().waitFor();

    for (const { page } of [alice, bob]) {
      expect(await smallTargets(page)).toEqual([]);
    }
    await screenshot(alice.page, 'touch-targets-390.png', true);
    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('scrolls the framed page from the keyboard, even when nothing has the focus', async () => {
    const { page } = await scenario.tabs.signedIn('alice', PHONE_390);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('End');
    await page.waitForFunction(() => {
      const scroller = document.querySelector('.page');
      return !!scroller && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1;
    });
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('.page')?.scrollTop === 0);
    expect(scenario.tabs.errors()).toEqual([]);
  });
});
