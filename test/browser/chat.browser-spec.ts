import { usePageScenario } from './support/scenario.js';
import { chatLine, PHONE, say, screenshot } from './support/browser.js';

describe('demo page: chat between two browser contexts', () => {
  const scenario = usePageScenario();

  it('lists members, shows typing, delivers messages both ways and a direct message', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob', PHONE);

    // Members: bob got alice in his join reply, alice got bob as `chat:joined`.
    await bob.page.locator('#members .member', { hasText: 'alice' }).waitFor();
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await alice.page.locator('#members-title', { hasText: 'Members (2)' }).waitFor();
    await alice.page.locator('#messages .line.system', { hasText: 'bob joined' }).waitFor();

    // Typing: shown to the others, gone when the message arrives.
    await alice.page.locator('#message-input').pressSequentially('hel');
    await bob.page.locator('#typing', { hasText: 'alice is typing…' }).waitFor();
    await say(alice.page, 'hello bob');
    await chatLine(bob.page, 'hello bob');
    await bob.page.waitForFunction(() => document.getElementById('typing')?.textContent === '');
    await chatLine(alice.page, 'hello bob');

    await say(bob.page, 'hi alice, from a phone');
    await chatLine(alice.page, 'hi alice, from a phone');

    // User text is shown as text, never parsed as markup.
    const markup = '<img src=x onerror="document.title=1"> <b>not bold</b>';
    await say(alice.page, markup);
    await chatLine(bob.page, '<b>not bold</b>');
    expect(await bob.page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await bob.page.locator('#messages .line', { hasText: markup }).count()).toBe(1);

    // A direct message: bob picks alice in the members list.
    await bob.page.getByRole('button', { name: 'Message alice' }).click();
    await bob.page
      .locator('#conversation-title', { hasText: 'Direct messages with alice' })
      .waitFor();
    await say(bob.page, 'psst, only you can read this');
    await chatLine(bob.page, 'psst, only you can read this');
    const direct = alice.page.locator('.conversation-tab', { hasText: 'bob' });
    await direct.locator('.badge', { hasText: '1' }).waitFor();
    await screenshot(alice.page, 'chat-alice-desktop.png');
    await direct.click();
    await chatLine(alice.page, 'psst, only you can read this');
    await say(alice.page, 'got it');
    await chatLine(bob.page, 'got it');
    await screenshot(bob.page, 'chat-bob-phone.png', true);

    expect(scenario.tabs.errors()).toEqual([]);
  });

  it('joins and leaves rooms, and the members list follows', async () => {
    const alice = await scenario.tabs.signedIn('alice');
    const bob = await scenario.tabs.signedIn('bob');

    // Room names are normalized: "#Random" is the room "random".
    await alice.page.fill('#join-room', '#Random');
    await alice.page.click('#join-form button');
    await alice.page.locator('#conversation-title', { hasText: '#random' }).waitFor();
    await alice.page.locator('#members-title', { hasText: 'Members (1)' }).waitFor();

    await bob.page.fill('#join-room', 'random');
    await bob.page.click('#join-form button');
    await bob.page.locator('#members-title', { hasText: 'Members (2)' }).waitFor();
    await alice.page.locator('#members .member', { hasText: 'bob' }).waitFor();
    await say(bob.page, 'in random now');
    await chatLine(alice.page, 'in random now');

    // Lobby messages stay in the lobby.
    await alice.page.locator('.conversation-tab', { hasText: 'lobby' }).click();
    expect(await alice.page.locator('#messages .line', { hasText: 'in random now' }).count()).toBe(
      0,
    );
    await alice.page.locator('.conversation-tab', { hasText: 'random' }).click();

    await bob.page.click('#leave-room');
    await bob.page.locator('#conversation-title', { hasText: '#lobby' }).waitFor();
    expect(await bob.page.locator('.conversation-tab', { hasText: 'random' }).count()).toBe(0);
    await alice.page.locator('#messages .line.system', { hasText: 'bob left' }).waitFor();
    await alice.page.locator('#members-title', { hasText: 'Members (1)' }).waitFor();
    expect(await alice.page.locator('#members .member', { hasText: 'bob' }).count()).toBe(0);
    await screenshot(alice.page, 'rooms-alice.png');

    expect(scenario.tabs.errors()).toEqual([]);
  });
});
