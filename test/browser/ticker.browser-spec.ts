import type { Page } from 'playwright-core';
import { usePageScenario } from './support/scenario.js';
import { PHONE, screenshot } from './support/browser.js';

/** The price of `symbol` as shown, once it shows one. */
async function shownPrice(page: Page, symbol: string): Promise<string> {
  const handle = await page.waitForFunction((s) => {
    const text = document.querySelector(`[data-symbol="${s}"] .price`)?.textContent ?? '';
    return /\d/.test(text) ? text : false;
  }, symbol);
  return (await handle.jsonValue()) as string;
}

/** Waits until `symbol` shows another price than `before`. */
async function priceChanges(page: Page, symbol: string, before: string): Promise<void> {
  await page.waitForFunction(
    ([s, b]) => {
      const text = document.querySelector(`[data-symbol="${s}"] .price`)?.textContent;
      return text !== undefined && text !== b && /\d/.test(text ?? '');
    },
    [symbol, before] as const,
  );
}

/** Waits until the sparkline of `symbol` has at least `count` points. */
async function sparklinePoints(page: Page, symbol: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => {
      const points = document
        .querySelector(`[data-symbol="${s}"] .spark-line`)
        ?.getAttribute('points');
      return (points?.split(' ').length ?? 0) >= n;
    },
    [symbol, count] as const,
  );
}

describe('demo page: live ticker', () => {
  const scenario = usePageScenario();

  it('updates prices and sparklines on screen; follows and unfollows symbols', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const { page } = alice;

    const symbols = await page
      .locator('#symbols .symbol')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset['symbol']));
    expect(symbols).toEqual(['ACME', 'GLOBEX', 'INITECH', 'HOOLI', 'UMBRELLA']);

    const before = await shownPrice(page, 'ACME');
    await priceChanges(page, 'ACME', before);
    await sparklinePoints(page, 'ACME', 10);
    await page
      .locator('[data-symbol="ACME"][data-trend="up"], [data-symbol="ACME"][data-trend="down"]')
      .waitFor();

    // Follow a new symbol (typed in lower case) and watch it move.
    await page.fill('#symbol-input', 'nest');
    await page.click('#symbol-form button');
    const nest = await shownPrice(page, 'NEST');
    await priceChanges(page, 'NEST', nest);
    await sparklinePoints(page, 'NEST', 3);

    // Unfollow one.
    await page.getByRole('button', { name: 'Stop following HOOLI' }).click();
    await page.locator('[data-symbol="HOOLI"]').waitFor({ state: 'detached' });
    await sparklinePoints(page, 'ACME', 25);
    await screenshot(page, 'ticker-desktop.png');

    // A second context sees the same shared streams, on a phone.
    const bob = await scenario.tabs.signedIn('bob', PHONE);
    const bobBefore = await shownPrice(bob.page, 'GLOBEX');
    await priceChanges(bob.page, 'GLOBEX', bobBefore);
    await sparklinePoints(bob.page, 'GLOBEX', 5);
    await bob.page.locator('#ticker').scrollIntoViewIfNeeded();
    await screenshot(bob.page, 'ticker-phone.png');

    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('shows an arrow that agrees with the percentage, in every row', async () => {
    const { page } = await scenario.tabs.signedIn('alice');
    // One snapshot of every row, taken once some rise and some fall.
    const handle = await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll<HTMLElement>('#symbols .symbol')].map((row) => ({
        symbol: row.dataset['symbol'],
        row: row.dataset['trend'],
        change: row.querySelector<HTMLElement>('.change')?.dataset['trend'],
        arrow: row.querySelector('.change .arrow')?.textContent,
        percent: row.querySelector('.change')?.lastChild?.textContent ?? '',
      }));
      const trends = rows.map((row) => row.row);
      return trends.includes('up') && trends.includes('down') && rows;
    });
    const rows = (await handle.jsonValue()) as {
      symbol: string;
      row: string;
      change: string;
      arrow: string;
      percent: string;
    }[];
    const expected = { '+': ['up', '▲'], '-': ['down', '▼'], '0': ['flat', ''] } as const;
    for (const { symbol, row, change, arrow, percent } of rows) {
      const sign = percent[0] as keyof typeof expected;
      expect(percent).toMatch(/^([+-]\d+\.\d\d|0\.00)%$/);
      expect({ symbol, row, change, arrow }).toEqual({
        symbol,
        row: expected[sign][0],
        change: expected[sign][0],
        arrow: expected[sign][1],
      });
    }
    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('refuses an over-long symbol with a visible, accessible reason instead of cutting it', async () => {
    const { page } = await scenario.tabs.signedIn('alice', PHONE);
    const input = page.locator('#symbol-input');
    await input.fill('abcdefghijk');
    await page.click('#symbol-form button');
    const error = page.locator('#symbol-error');
    await error.getByText('That is 11 letters: a symbol has at most 10.').waitFor();
    // Kept as typed, marked invalid and described by the reason; nothing followed, no toast.
    expect(await input.inputValue()).toBe('abcdefghijk');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.getAttribute('aria-describedby')).toBe('symbol-error');
    expect(await page.locator('#symbols [data-symbol^="ABCDEFGHIJ"]').count()).toBe(0);
    expect(await page.locator('.notice').count()).toBe(0);
    await page.locator('#symbols').scrollIntoViewIfNeeded();
    await screenshot(page, 'ticker-symbol-refused-phone.png');

    // Fixed: the reason goes, and the ten-letter symbol is followed.
    await input.press('End');
    await input.press('Backspace');
    await page.waitForFunction(() => document.getElementById('symbol-error')?.textContent === '');
    expect(await input.getAttribute('aria-invalid')).toBeNull();
    await page.click('#symbol-form button');
    await shownPrice(page, 'ABCDEFGHIJ');
    expect(await input.inputValue()).toBe('');

    expect(scenario.tabs.errors()).toEqual([]);
  });
});
