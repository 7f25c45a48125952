import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  RealtimeClient,
  UnauthorizedError,
  type RealtimeClientError,
  type StateChange,
} from 'nestjs-realtime-client';
import { CloseCode } from 'nestjs-realtime-client/protocol';
import type { ChatContract } from './contract';

const client = new RealtimeClient<ChatContract>({
  url: `${location.origin.replace(/^http/, 'ws')}/ws`,
  getToken: async () => {
    const res = await fetch('/auth/token');
    if (res.status === 401) throw new UnauthorizedError('Signed out');
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  },
});

function Chat() {
  const [state, setState] = useState(client.state);
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => client.onState((change: StateChange) => setState(change.state)), []);
  useEffect(
    () => client.on('chat:message', (m) => setLines((all) => [...all, `${m.from}: ${m.text}`])),
    [],
  );
  useEffect(() => client.onError((e: RealtimeClientError) => setError(e.code)), []);
  const send = (text: string) => {
    client.request('chat:send', { room: 'general', text }).catch(() => setError('failed'));
    const typing = client.tryEmit('chat:typing', { room: 'general' });
    if (!typing.ok) setError(typing.error.code);
  };
  return (
    <main>
      <p>
        {state} {error} (stop code {CloseCode.NORMAL})
      </p>
      <ul>
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
      <button onClick={() => send('hi')}>Send</button>
    </main>
  );
}

void client.connect().catch(() => undefined);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Chat />
  </StrictMode>,
);
