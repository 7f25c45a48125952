import type { Page } from 'playwright-core';
import { usePageScenario } from './support/scenario.js';
import { PHONE, screenshot } from './support/browser.js';

/** Plays `cell`: waits until it is this player's turn (the cell is enabled), then clicks. */
async function play(page: Page, cell: number): Promise<void> {
  await page.locator(`#board .cell[data-cell="${cell}"]`).click();
  await page.locator(`#board .cell[data-cell="${cell}"][data-mark]:not([data-mark=""])`).waitFor();
}

async function phase(page: Page, value: string): Promise<void> {
  await page.locator(`#game[data-phase="${value}"]`).waitFor();
}

describe('demo page: tic-tac-toe between two browser contexts', () => {
  const scenario = usePageScenario();

  it('plays a full game to a winner shown in both, then a forfeit when a player leaves', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob', PHONE);

    // alice waits first, so she plays X.
    await alice.page.click('#game-play');
    await phase(alice.page, 'waiting');
    await alice.page.locator('#game-status', { hasText: 'Waiting for an opponent' }).waitFor();
    await bob.page.click('#game-play');
    await phase(alice.page, 'playing');
    await phase(bob.page, 'playing');
    await alice.page.locator('#game-mark', { hasText: 'You are X' }).waitFor();
    await bob.page.locator('#game-mark', { hasText: 'You are O' }).waitFor();
    await alice.page.locator('#game-status', { hasText: 'Your turn' }).waitFor();
    // Not bob's turn: his board is disabled.
    expect(await bob.page.locator('#board .cell:enabled').count()).toBe(0);

    // X: 0, 1, 2 (top row); O: 3, 4.
    await play(alice.page, 0);
    await play(bob.page, 3);
    await play(alice.page, 1);
    await play(bob.page, 4);
    await screenshot(bob.page, 'game-in-progress-phone.png');
    await play(alice.page, 2);

    for (const { page } of [alice, bob]) {
      await page.locator('#game[data-phase="over"][data-winner="X"]').waitFor();
      expect(await page.locator('#board .cell.win').count()).toBe(3);
      expect(await page.locator('#board .cell:enabled').count()).toBe(0);
    }
    await alice.page.locator('#game-status', { hasText: 'You win!' }).waitFor();
    await bob.page.locator('#game-status', { hasText: 'X wins. You lose.' }).waitFor();
    await screenshot(alice.page, 'game-won-alice.png');
    await bob.page.locator('#game').scrollIntoViewIfNeeded();
    await screenshot(bob.page, 'game-lost-bob-phone.png');

    // Again; this time bob waits first (X), and then closes his tab: alice wins by forfeit.
    await bob.page.click('#game-play');
    await phase(bob.page, 'waiting');
    await alice.page.click('#game-play');
    await phase(alice.page, 'playing');
    await alice.page.locator('#game-mark', { hasText: 'You are O' }).waitFor();
    await play(bob.page, 4);
    const bobErrors = bob.errors;
    await scenario.tabs.close(bob);
    await alice.page.locator('#game[data-phase="over"][data-winner="O"]').waitFor();
    await alice.page
      .locator('#game-status', { hasText: 'Your opponent left: you win by forfeit.' })
      .waitFor();
    await screenshot(alice.page, 'game-abandoned-alice.png');

    expect(bobErrors).toEqual([]);
    expect(scenario.tabs.errors()).toEqual([]);
  });
});
