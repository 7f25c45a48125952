import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { RealtimeClient, UnauthorizedError } from 'nestjs-realtime-client';
import { CloseCode } from 'nestjs-realtime-client/protocol';
import { createRealtimeHooks } from 'nestjs-realtime-client/react';
import type { ChatContract } from './contract';

const client = new RealtimeClient<ChatContract>({
  url: `${location.origin.replace(/^http/, 'ws')}/ws`,
  getToken: async () => {
    const res = await fetch('/auth/token');
    if (res.status === 401) throw new UnauthorizedError('Signed out'); // stops the client
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`); // retried
    return ((await res.json()) as { token: string }).token;
  },
});

const { RealtimeProvider, useConnectionState, usePush, useRequest, useRealtimeClient } =
  createRealtimeHooks<ChatContract>();

function Room({ room }: { room: string }) {
  const { state, code, reason } = useConnectionState();
  const [lines, setLines] = useState<string[]>([]);
  usePush('chat:message', (m) => {
    if (m.room === room) setLines((all) => [...all, `${m.from}: ${m.text}`]);
  });
  const join = useRequest('chat:join');
  const post = useRequest('chat:send');
  const realtime = useRealtimeClient();
  const { send: joinRoom } = join;
  useEffect(() => {
    if (state === 'open') void joinRoom({ room });
  }, [state, room, joinRoom]);

  if (state !== 'open') {
    const stopped = code === CloseCode.NORMAL ? 'signed out' : `${code}: ${reason}`;
    return <p>{state === 'closed' ? stopped : state}</p>;
  }
  return (
    <main>
      <p>{join.data?.members.length ?? 0} online</p>
      <ul>
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
      <button
        disabled={post.pending}
        onClick={() => {
          void post.send({ room, text: 'hi' });
          const typing = realtime.tryEmit('chat:typing', { room });
          if (!typing.ok) console.warn(typing.error.code);
        }}
      >
        Send
      </button>
      {post.error && <p role="alert">{post.error.code}</p>}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RealtimeProvider client={client} connect>
      <Room room="general" />
    </RealtimeProvider>
  </StrictMode>,
);
