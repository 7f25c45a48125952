import type { Page } from 'playwright-core';
import { chatLine, connectionState, say, screenshot } from './support/browser.js';
import { axeCheck } from './support/axe.js';
import { PHONE_390, smallTargets } from './support/geometry.js';
import { SERVER_DOWN_NOISE, useRestartableScenario } from './support/server-down.js';

/** What an end user must never read in a toast: a code, the SDK's names, a close code. */
const SDK_WORDING = /[A-Z]{2,}_[A-Z]|Realtime|RequestError|\b\d{4}\b|timed out/;

/** The user's own line with `text`, once it shows `delivery`. */
async function ownLine(page: Page, text: string, delivery: string): Promise<void> {
  await page
    .locator(`#messages .line.mine[data-delivery="${delivery}"]`, { hasText: text })
    .waitFor();
}

/** How many lines of the conversation on screen show `text`. */
function linesWith(page: Page, text: string): Promise<number> {
  return page.locator('#messages .line', { hasText: text }).count();
}

/** axe finds no contrast problem in the chat, in either scheme, and checked `covered`. */
async function expectChatContrast(page: Page, covered: string[]): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    const { violations, undecided, contrastChecked } = await axeCheck(page, scheme, '#chat');
    expect([...violations, ...undecided]).toEqual([]);
    const missing = covered.filter((html) => !contrastChecked.some((node) => node.includes(html)));
    expect({ scheme, missing }).toEqual({ scheme, missing: [] });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('demo page: a message sent while offline', () => {
  const scenario = useRestartableScenario();

  it('shows as pending while the server is down, then as sent once it is back', async () => {
    await scenario.start();
    const alice = await scenario.tabs.signedIn('alice', PHONE_390);
    const bob = await scenario.tabs.signedIn('bob');
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();

    await scenario.stop([alice, bob]);
    await say(alice.page, 'sent while offline');
    await ownLine(alice.page, 'sent while offline', 'pending');
    const line = alice.page.locator('#messages .line', { hasText: 'sent while offline' });
    expect(await line.locator('.delivery').textContent()).toBe('Sending…');
    await expectChatContrast(alice.page, ['Sending…']);
    await screenshot(alice.page, 'offline-pending-phone.png');

    await scenario.start();
    await connectionState(alice.page, 'open');
    await ownLine(alice.page, 'sent while offline', 'sent');
    expect(await line.locator('.delivery').textContent()).toBe('Sent');
    // The server's id replaced the local one, and its push did not add the message twice.
    expect(await line.getAttribute('data-id')).not.toMatch(/^local-/);
    expect(await linesWith(alice.page, 'sent while offline')).toBe(1);

    expect(scenario.tabs.errors(SERVER_DOWN_NOISE)).toEqual([]);
  });

  it('shows as failed with the reason and a retry when the server stays away', async () => {
    await scenario.start();
    const alice = await scenario.tabs.signedIn('alice', PHONE_390);
    const bob = await scenario.tabs.signedIn('bob');
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();

    await scenario.stop([alice, bob]);
    await say(alice.page, 'this one waits too long');
    await ownLine(alice.page, 'this one waits too long', 'pending');
    // A symbol followed meanwhile fails too: its toast says so in plain words.
    await alice.page.fill('#symbol-input', 'nest');
    await alice.page.click('#symbol-form button');

    // The request's timeout (10 s, counted from the call) runs out in the offline queue.
    await ownLine(alice.page, 'this one waits too long', 'failed');
    const line = alice.page.locator('#messages .line', { hasText: 'this one waits too long' });
    expect(await line.locator('.delivery').textContent()).toBe('Not sent');
    expect(await line.locator('.failure .reason').textContent()).toBe(
      'The server did not answer in time.',
    );
    const toast = alice.page.locator('.notice.error', { hasText: 'Could not follow NEST' });
    await toast.waitFor();
    const toastText = (await toast.textContent()) ?? '';
    expect(toastText).toBe('Could not follow NEST. The server did not answer in time.');
    expect(toastText).not.toMatch(SDK_WORDING);
    await expectChatContrast(alice.page, ['The server did not answer in time.', 'Not sent']);
    expect(await smallTargets(alice.page)).toEqual([]);
    await screenshot(alice.page, 'offline-failed-phone.png');

    await scenario.start();
    await connectionState(alice.page, 'open');
    await connectionState(bob.page, 'open');
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    await line.getByRole('button', { name: 'Retry' }).click();
    await ownLine(alice.page, 'this one waits too long', 'sent');
    await chatLine(bob.page, 'this one waits too long');
    expect(await linesWith(alice.page, 'this one waits too long')).toBe(1);
    expect(await linesWith(bob.page, 'this one waits too long')).toBe(1);

    expect(scenario.tabs.errors(SERVER_DOWN_NOISE)).toEqual([]);
  });
});
