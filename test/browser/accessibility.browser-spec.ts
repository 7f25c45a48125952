import type { Page } from 'playwright-core';
import { usePageScenario } from './support/scenario.js';
import { chatLine, PHONE, say } from './support/browser.js';
import { axeCheck, type ColorScheme } from './support/axe.js';

const SCHEMES: readonly ColorScheme[] = ['light', 'dark'];

/** Checks of the ticker before it fails for never seeing a rise and a fall in one check. */
const TICKER_ATTEMPTS = 5;

/**
 * Runs axe on `selector` in `scheme`: no violation, no undecided contrast, and every fragment
 * of `covered` in the HTML of an element whose contrast was checked.
 */
async function expectAccessible(
  page: Page,
  scheme: ColorScheme,
  selector: string,
  covered: readonly string[],
): Promise<void> {
  const { violations, undecided, contrastChecked } = await axeCheck(page, scheme, selector);
  expect([...violations, ...undecided]).toEqual([]);
  const missing = covered.filter((html) => !contrastChecked.some((node) => node.includes(html)));
  expect({ selector, scheme, missing }).toEqual({ selector, scheme, missing: [] });
}

/**
 * The ticker's changes move with every tick: checks it until one check covered a rising and a
 * falling change at once (each check waits for the page to show both first).
 */
async function expectTickerAccessible(page: Page, scheme: ColorScheme): Promise<void> {
  const both = ['change" data-trend="up"', 'change" data-trend="down"'];
  for (let attempt = 1; attempt <= TICKER_ATTEMPTS; attempt++) {
    await page.locator('#symbols .change[data-trend="up"]').first().waitFor();
    await page.locator('#symbols .change[data-trend="down"]').first().waitFor();
    const { violations, undecided, contrastChecked } = await axeCheck(page, scheme, '#ticker');
    expect([...violations, ...undecided]).toEqual([]);
    if (both.every((html) => contrastChecked.some((node) => node.includes(html)))) return;
  }
  throw new Error(`No check of the ticker in ${scheme} saw a rise and a fall at once`);
}

/** Shows an error toast: a room name the server would refuse. */
async function errorToast(page: Page): Promise<void> {
  const before = await page.locator('.notice.error').count();
  await page.fill('#join-room', 'not a room!');
  await page.click('#join-form button');
  await page.locator('.notice.error').nth(before).waitFor();
}

describe('demo page: colour contrast (axe) in light and dark mode', () => {
  const scenario = usePageScenario();

  it('passes on the sign-in view, inline code included', async () => {
    const { page } = await scenario.tabs.open('login');
    await page.locator('#login-button:enabled').waitFor();
    for (const scheme of SCHEMES) {
      await expectAccessible(page, scheme, 'body', ['<code>POST /auth/dev-token</code>']);
    }
    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('passes on the chat, ticker and game with content, on a desktop and a phone', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob', PHONE);
    await alice.page.locator('#messages .line.system', { hasText: 'bob joined' }).waitFor();
    await say(alice.page, 'Prices are moving');
    await chatLine(bob.page, 'Prices are moving');
    await say(bob.page, 'Mine too');
    await chatLine(alice.page, 'Mine too');
    // A direct message: an unread badge on alice's side.
    await bob.page.getByRole('button', { name: 'Message alice' }).click();
    await say(bob.page, 'Up for a game?');
    await alice.page.locator('.conversation-tab .badge').waitFor();
    await bob.page.locator('.conversation-tab', { hasText: 'lobby' }).click();
    // A game in progress: X and O on the board.
    await alice.page.click('#game-play');
    await alice.page.locator('#game[data-phase="waiting"]').waitFor();
    await bob.page.click('#game-play');
    await alice.page.locator('#board .cell[data-cell="4"]').click();
    await bob.page.locator('#board .cell[data-cell="4"][data-mark="X"]').waitFor();
    await bob.page.locator('#board .cell[data-cell="0"]').click();
    await alice.page.locator('#board .cell[data-cell="0"][data-mark="O"]').waitFor();

    for (const { page } of [alice, bob]) {
      for (const scheme of SCHEMES) {
        // axe skips what the scrolling page hides: each part is scrolled into view first.
        await expectAccessible(page, scheme, '.topbar', ['connection-label', 'me-name']);
        await errorToast(page);
        await expectAccessible(page, scheme, '#notices', ['notice error']);
        await expectAccessible(page, scheme, '#chat', ['<time', 'Prices are moving', 'Mine too']);
        await expectTickerAccessible(page, scheme);
        await expectAccessible(page, scheme, '#game', ['game-status', 'mark-badge']);
      }
    }
    expect(scenario.tabs.errors()).toEqual([]);
  });
});
