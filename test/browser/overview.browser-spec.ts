import { usePageScenario } from './support/scenario.js';
import { chatLine, PHONE, say, screenshot } from './support/browser.js';

/**
 * The whole page at once: chat, ticker and a game in progress over one connection per tab, on
 * a desktop and on a 375 px phone. test-artifacts/overview-desktop.png is the README's
 * docs/demo-page.png.
 */
describe('demo page: everything at once', () => {
  const scenario = usePageScenario();

  it('runs chat, ticker and a game side by side, on a desktop and on a phone', async () => {
    const login = await scenario.tabs.open('login');
    await login.page.locator('#login-button:enabled').waitFor();
    await login.page.fill('#login-name', 'alice');
    await screenshot(login.page, 'login.png');
    await scenario.tabs.close(login);
    const phoneLogin = await scenario.tabs.open('phone login', PHONE);
    await phoneLogin.page.locator('#login-button:enabled').waitFor();
    await screenshot(phoneLogin.page, 'login-phone.png');
    await scenario.tabs.close(phoneLogin);

    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob', PHONE);
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await say(bob.page, 'Anyone up for tic-tac-toe?');
    await chatLine(alice.page, 'Anyone up for tic-tac-toe?');
    await say(alice.page, 'Sure, I am X. Watch ACME meanwhile.');
    await chatLine(bob.page, 'Watch ACME meanwhile');
    await alice.page.locator('#message-input').pressSequentially('gl');
    await bob.page.locator('#typing', { hasText: 'alice is typing…' }).waitFor();

    await alice.page.click('#game-play');
    await alice.page.locator('#game[data-phase="waiting"]').waitFor();
    await bob.page.click('#game-play');
    await alice.page.locator('#board .cell[data-cell="4"]').click();
    await bob.page.locator('#board .cell[data-cell="0"]').click();
    await alice.page.locator('#board .cell[data-cell="2"]').click();
    await alice.page.locator('#board .cell[data-cell="2"][data-mark="X"]').waitFor();

    // Enough ticks for the sparklines to fill their width.
    await alice.page.waitForFunction(() =>
      [...document.querySelectorAll('#symbols .spark-line')].every(
        (line) => (line.getAttribute('points')?.split(' ').length ?? 0) >= 30,
      ),
    );
    await screenshot(alice.page, 'overview-desktop.png');
    await screenshot(bob.page, 'overview-phone.png', true);

    expect(scenario.tabs.errors()).toEqual([]);
  });
});
