import { usePageScenario } from './support/scenario.js';
import { TestSocket } from '../support/ws-client.js';
import { chatLine, connectionState, say, screenshot } from './support/browser.js';

describe('demo page: connection state', () => {
  const scenario = usePageScenario();

  /** Revokes every connection of `userId` (close 4500) as the demo's admin. */
  async function revoke(userId: string): Promise<void> {
    const res = await fetch(`${scenario.server.baseUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', role: 'admin' }),
    });
    const { token } = (await res.json()) as { token: string };
    const admin = await TestSocket.connect(scenario.server.baseUrl, { token });
    try {
      const reply = await admin.request('admin:revoke', { userId, reason: 'Kicked by the test' });
      expect(reply['data']).toEqual({ revoked: 1 });
    } finally {
      await admin.close();
    }
  }

  it('shows a stop close code with its reason, and reconnects on demand', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob');
    const title = await alice.page.locator('#me-name').getAttribute('title');
    const aliceId = title?.replace('user id ', '') ?? '';

    await revoke(aliceId);
    await connectionState(alice.page, 'closed');
    await alice.page
      .locator('#connection-reason', { hasText: '4500 access revoked: Kicked by the test' })
      .waitFor();
    await bob.page.locator('#messages .line.system', { hasText: 'alice left' }).waitFor();
    await screenshot(alice.page, 'connection-closed.png');

    await alice.page.click('#reconnect');
    await connectionState(alice.page, 'open');
    expect(await alice.page.locator('#reconnect').isHidden()).toBe(true);
    // Back in the lobby, as the same user (the token still works).
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    expect(await alice.page.locator('#me-name').getAttribute('title')).toBe(title);
    await say(alice.page, 'I am back');
    await chatLine(bob.page, 'I am back');

    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('signs out and in again under another name', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob');
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();

    await alice.page.click('#sign-out');
    await alice.page.locator('#login').waitFor();
    await connectionState(alice.page, 'signed-out');
    expect(await alice.page.locator('#app').isHidden()).toBe(true);
    await bob.page.locator('#messages .line.system', { hasText: 'alice left' }).waitFor();
    // The form remembers the last name.
    expect(await alice.page.inputValue('#login-name')).toBe('alice');

    await alice.page.fill('#login-name', 'carol');
    await alice.page.click('#login-button');
    await connectionState(alice.page, 'open');
    await alice.page.locator('#me-name', { hasText: 'carol' }).waitFor();
    await bob.page.locator('#members .member', { hasText: 'carol' }).waitFor();
    await say(bob.page, 'hi carol');
    await chatLine(alice.page, 'hi carol');
    // The old session's views are gone: one lobby tab, one set of symbols.
    expect(await alice.page.locator('.conversation-tab').count()).toBe(1);
    expect(await alice.page.locator('#symbols .symbol').count()).toBe(5);
    expect(await alice.page.locator('#messages .line', { hasText: 'hi carol' }).count()).toBe(1);

    expect(scenario.tabs.errors()).toEqual([]);
  });
});
