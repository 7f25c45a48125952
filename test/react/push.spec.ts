/** @jest-environment ./test/react/support/jsdom-server-environment.mjs */
import { jest } from '@jest/globals';
import { render, screen, waitFor } from '@testing-library/react';
import { createElement, useState } from 'react';
import type { DemoContract, DirectMessage } from '../../src/demo/contract.js';
import { CloseCode } from '../../src/protocol/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { user, useDemo } from '../support/client-harness.js';
import { demoClient, demoHooks, installReactHarness, nextPush } from './support/react-harness.js';

/**
 * usePush against the demo over real sockets: pushes are rendered, the handler is swapped on
 * re-render without a new subscription, and after unmount the client no longer calls it.
 */

const { RealtimeProvider, usePush } = demoHooks;

function Inbox({ onPush }: { onPush: (message: DirectMessage) => void }) {
  const [texts, setTexts] = useState<string[]>([]);
  usePush('chat:direct', (message) => {
    onPush(message);
    setTexts((previous) => [...previous, `${message.from.name}: ${message.text}`]);
  });
  return createElement(
    'ul',
    { 'aria-label': 'inbox' },
    texts.map((text) => createElement('li', { key: text }, text)),
  );
}

type Watched = 'chat:direct' | 'chat:joined';

function Watcher({ event, onPush }: { event: Watched; onPush: (data: unknown) => void }) {
  usePush(event, onPush);
  return null;
}

const direct = (text: string): DirectMessage => ({
  id: `m-${text}`,
  from: { id: 'server', name: 'server' },
  text,
  at: 1,
});

installReactHarness();

describe('usePush', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));
  const pushTo = (sub: string) => demo.registry<DemoContract>().toUser(sub);

  it('renders pushes; after unmount the client no longer calls the handler', async () => {
    const sub = user('inbox');
    const client = demoClient(demo, sub);
    await client.connect();
    const onPush = jest.fn<(message: DirectMessage) => void>();
    const view = render(
      createElement(RealtimeProvider, { client }, createElement(Inbox, { onPush })),
    );

    pushTo(sub).emit('chat:direct', direct('hello'));
    await screen.findByText('server: hello');
    expect(onPush).toHaveBeenCalledWith(direct('hello'));

    view.unmount();
    const delivered = nextPush(client, 'chat:direct');
    pushTo(sub).emit('chat:direct', direct('after unmount'));
    await expect(delivered).resolves.toEqual(direct('after unmount'));
    expect(onPush).toHaveBeenCalledTimes(1);
  });

  it('calls the latest handler without resubscribing; a new event resubscribes', async () => {
    const sub = user('watcher');
    const client = demoClient(demo, sub);
    await client.connect();
    const subscribe = jest.spyOn(client, 'on');
    const [first, second] = [jest.fn(), jest.fn()];
    const tree = (event: Watched, onPush: (data: unknown) => void) =>
      createElement(RealtimeProvider, { client }, createElement(Watcher, { event, onPush }));
    const view = render(tree('chat:direct', first));
    view.rerender(tree('chat:direct', second));
    expect(subscribe).toHaveBeenCalledTimes(1);

    pushTo(sub).emit('chat:direct', direct('to the latest'));
    await waitFor(() => expect(second).toHaveBeenCalledWith(direct('to the latest')));
    expect(first).not.toHaveBeenCalled();

    view.rerender(tree('chat:joined', second));
    expect(subscribe).toHaveBeenCalledTimes(2);
    const joined = { room: 'r', user: { id: 'bob', name: 'bob' } };
    const stale = nextPush(client, 'chat:direct');
    pushTo(sub).emit('chat:direct', direct('old event'));
    pushTo(sub).emit('chat:joined', joined);
    await waitFor(() => expect(second).toHaveBeenCalledWith(joined));
    await stale;
    expect(second).toHaveBeenCalledTimes(2);
  });

  it('keeps its subscription across a reconnect', async () => {
    const sub = user('resume');
    const client = demoClient(demo, sub);
    await client.connect();
    const onPush = jest.fn<(message: DirectMessage) => void>();
    render(createElement(RealtimeProvider, { client }, createElement(Inbox, { onPush })));

    const reopened = new Promise<void>((resolve) =>
      client.onState(({ state, previous }) => {
        if (state === 'open' && previous === 'reconnecting') resolve();
      }),
    );
    pushTo(sub).disconnect(CloseCode.SERVICE_RESTART, 'Restarting');
    await reopened;
    pushTo(sub).emit('chat:direct', direct('after reconnect'));
    await screen.findByText('server: after reconnect');
  });
});
