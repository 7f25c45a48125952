/** @jest-environment ./test/react/support/jsdom-server-environment.mjs */
import { once } from 'node:events';
import { act, render, screen, waitFor } from '@testing-library/react';
import { createElement, StrictMode } from 'react';
import { CloseCode } from '../../src/protocol/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { disconnect, user, useDemo } from '../support/client-harness.js';
import { demoClient, demoHooks, installReactHarness, textOf } from './support/react-harness.js';

/**
 * RealtimeProvider and useConnectionState against the demo over real sockets: every state
 * change is rendered with its code and reason; `connect` makes the provider own the connection.
 */

const { RealtimeProvider, useConnectionState } = demoHooks;

function Status() {
  const { state, previous, code, reason } = useConnectionState();
  const text = `${previous ?? '-'} -> ${state} (${code ?? '-'}: ${reason ?? '-'})`;
  return createElement('output', { 'aria-label': 'connection' }, text);
}

/** A backoff so long that the client stays `reconnecting` until the test closes it. */
const NO_RETRY = { initialMs: 60_000, maxMs: 60_000, jitter: 0 };

installReactHarness();

describe('RealtimeProvider and useConnectionState', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));

  it('renders each state change with its code and reason', async () => {
    const sub = user('state');
    const client = demoClient(demo, sub, { backoff: NO_RETRY });
    render(createElement(RealtimeProvider, { client }, createElement(Status)));
    expect(textOf('connection')).toBe('- -> closed (-: -)');

    await act(() => client.connect());
    expect(textOf('connection')).toBe('connecting -> open (CONNECTED: Connected)');

    await disconnect(demo, sub, CloseCode.SERVICE_RESTART, 'Restarting');
    await waitFor(() =>
      expect(textOf('connection')).toBe('open -> reconnecting (1012: Restarting)'),
    );

    await act(() => client.close('Bye'));
    expect(textOf('connection')).toBe('reconnecting -> closed (1000: Bye)');
  });

  it('renders the reconnect that follows a drop', async () => {
    const sub = user('reopen');
    const client = demoClient(demo, sub);
    await client.connect();
    render(createElement(RealtimeProvider, { client }, createElement(Status)));
    // The client was open before the provider first rendered: no change seen yet.
    expect(textOf('connection')).toBe('- -> open (-: -)');

    await disconnect(demo, sub, CloseCode.GOING_AWAY, 'Deploying');
    await waitFor(() =>
      expect(textOf('connection')).toBe('reconnecting -> open (CONNECTED: Connected)'),
    );
    expect(demo.registry().connectionsOf(sub)).toHaveLength(1);
  });

  it('without `connect`, leaves the client alone: no connect on mount, no close on unmount', async () => {
    const sub = user('alone');
    const client = demoClient(demo, sub);
    const view = render(createElement(RealtimeProvider, { client }, createElement(Status)));
    expect(client.state).toBe('closed');

    await act(() => client.connect());
    view.unmount();
    expect(client.state).toBe('open');
    expect(demo.registry().connectionsOf(sub)).toHaveLength(1);
  });

  it('with `connect`, connects on mount and closes on unmount, in StrictMode too', async () => {
    const sub = user('owned');
    const client = demoClient(demo, sub);
    const tree = createElement(RealtimeProvider, { client, connect: true }, createElement(Status));
    const view = render(createElement(StrictMode, null, tree));

    await screen.findByText('connecting -> open (CONNECTED: Connected)');
    await waitFor(() => expect(demo.registry().connectionsOf(sub)).toHaveLength(1));
    const [connection] = demo.registry().connectionsOf(sub);
    const closedOnServer = once(connection!.socket, 'close');

    view.unmount();
    expect(client.state).toBe('closed');
    const [code] = (await closedOnServer) as [number];
    expect(code).toBe(CloseCode.NORMAL);
    await waitFor(() => expect(demo.registry().connectionsOf(sub)).toHaveLength(0));
  });

  it('shows a refused connection as `closed` with the refusal code', async () => {
    const client = demoClient(demo, user('refused'), { getToken: () => 'not-a-jwt' });
    render(createElement(RealtimeProvider, { client, connect: true }, createElement(Status)));
    await waitFor(() => expect(textOf('connection')).toMatch(/^\S+ -> closed \(UPGRADE_REFUSED: /));
  });
});
