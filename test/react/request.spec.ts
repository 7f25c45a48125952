/** @jest-environment ./test/react/support/jsdom-server-environment.mjs */
import { fireEvent, render, screen } from '@testing-library/react';
import { createElement, type ReactElement } from 'react';
import { RequestError } from '../../src/client/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { user, useDemo } from '../support/client-harness.js';
import { demoClient, demoHooks, installReactHarness, textOf } from './support/react-harness.js';

/**
 * useRequest against the demo over real sockets: `pending` while in flight, then the typed
 * reply or the server's error code.
 */

const { RealtimeProvider, useRequest } = demoHooks;

function JoinRoom({ room }: { room: string }) {
  const { send, data, error, pending } = useRequest('chat:join');
  const members = data?.members.map((member) => member.name).join(', ');
  const text = pending ? 'pending' : (members ?? error?.code ?? 'idle');
  return createElement(
    'div',
    null,
    createElement('button', { onClick: () => send({ room }) }, 'join'),
    createElement('output', { 'aria-label': 'join' }, text),
  );
}

function SendMessage({ room, text }: { room: string; text: string }) {
  const { send, data, error } = useRequest('chat:send');
  const fields = error?.details
    ?.map((detail) => detail.field)
    .sort()
    .join(', ');
  const shown = data ? `sent ${data.id}` : error ? `${error.code} [${fields ?? ''}]` : 'idle';
  return createElement(
    'div',
    null,
    createElement('button', { onClick: () => send({ room, text }) }, 'send'),
    createElement('output', { 'aria-label': 'send' }, shown),
  );
}

installReactHarness();

describe('useRequest', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));

  async function mount(sub: string, ...children: ReactElement[]) {
    const client = demoClient(demo, sub);
    await client.connect();
    render(createElement(RealtimeProvider, { client }, ...children));
    return client;
  }

  it('renders `pending` while in flight, then the typed reply', async () => {
    const sub = user('joiner');
    const room = user('room');
    await mount(sub, createElement(JoinRoom, { key: 'join', room }));
    expect(textOf('join')).toBe('idle');

    fireEvent.click(screen.getByText('join'));
    expect(textOf('join')).toBe('pending');
    await screen.findByText(sub);
  });

  it('renders the server error code of a refused request', async () => {
    const sub = user('outsider');
    await mount(sub, createElement(SendMessage, { key: 'send', room: user('room'), text: 'hi' }));

    fireEvent.click(screen.getByText('send'));
    await screen.findByText('FORBIDDEN []');
  });

  it('renders a validation error with its fields', async () => {
    await mount(
      user('invalid'),
      createElement(SendMessage, { key: 'send', room: 'Not A Room!', text: '' }),
    );

    fireEvent.click(screen.getByText('send'));
    await screen.findByText('VALIDATION_FAILED [room, text]');
  });

  it('sends, and renders the reply, once the room is joined', async () => {
    const [sub, room] = [user('member'), user('room')];
    const client = await mount(
      sub,
      createElement(JoinRoom, { key: 'join', room }),
      createElement(SendMessage, { key: 'send', room, text: 'hello' }),
    );
    fireEvent.click(screen.getByText('join'));
    await screen.findByText(sub);

    const pushed = new Promise<string>((resolve) =>
      client.on('chat:message', (m) => resolve(m.id)),
    );
    fireEvent.click(screen.getByText('send'));
    const id = await pushed;
    await screen.findByText(`sent ${id}`);
  });

  it('returns the request promise: it rejects with the RequestError the hook renders', async () => {
    let sendRef: ((payload: { room: string; text: string }) => Promise<unknown>) | undefined;
    function Capture() {
      const { send, error } = useRequest('chat:send');
      sendRef = send;
      return createElement('output', { 'aria-label': 'code' }, error?.code ?? 'none');
    }
    await mount(user('caller'), createElement(Capture, { key: 'capture' }));

    const rejection = await sendRef!({ room: user('room'), text: 'hi' }).catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(RequestError);
    expect(rejection).toMatchObject({ code: 'FORBIDDEN', event: 'chat:send', fromServer: true });
    await screen.findByText('FORBIDDEN');
  });
});
