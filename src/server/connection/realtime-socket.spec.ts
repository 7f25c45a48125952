import type { RawData } from 'ws';
import type { ConnectionState } from './connection-state.js';
import { stateOf } from './connection-map.js';
import { RealtimeSocket, type SocketEvents } from './realtime-socket.js';

/** A server-side socket as ws makes it (no address), not connected to anything. */
const socket = (): RealtimeSocket => new RealtimeSocket(null as unknown as string, undefined, {});

function watched() {
  const heard: string[] = [];
  const events: SocketEvents = {
    message: (state, raw, isBinary) => heard.push(`message ${state.id} ${String(raw)} ${isBinary}`),
    close: (state, code, reason) => heard.push(`close ${state.id} ${code} ${String(reason)}`),
    error: (state, error) => heard.push(`error ${state.id} ${error.message}`),
  };
  const state = { id: 'c1', alive: false } as ConnectionState;
  const ws = socket();
  ws.watch(state, events);
  return { ws, state, heard };
}

describe('RealtimeSocket', () => {
  it('hands message, close and error to the module, before the listeners anyone else added', () => {
    const { ws, heard } = watched();
    ws.on('message', (raw: RawData) => heard.push(`listener message ${String(raw)}`));
    ws.on('close', (code: number) => heard.push(`listener close ${code}`));
    ws.on('error', (error: Error) => heard.push(`listener error ${error.message}`));
    expect(ws.emit('message', Buffer.from('hi'), false)).toBe(true);
    ws.emit('error', new Error('bad frame'));
    ws.emit('close', 1000, Buffer.from('bye'));
    expect(heard).toEqual([
      'message c1 hi false',
      'listener message hi',
      'error c1 bad frame',
      'listener error bad frame',
      'close c1 1000 bye',
      'listener close 1000',
    ]);
  });

  it('an error nobody else listens to does not throw once the module hears it', () => {
    const { ws, heard } = watched();
    expect(ws.emit('error', new Error('bad frame'))).toBe(true);
    expect(heard).toEqual(['error c1 bad frame']);
    // Before it is watched, EventEmitter's rule stands: an unheard error throws.
    expect(() => socket().emit('error', new Error('unheard'))).toThrow('unheard');
  });

  it('a pong marks the connection alive and still reaches listeners; other events go on unchanged', () => {
    const { ws, state, heard } = watched();
    ws.on('pong', () => heard.push('listener pong'));
    ws.on('ping', (data: Buffer) => heard.push(`listener ping ${String(data)}`));
    ws.on('custom', (...args: unknown[]) => heard.push(`listener custom ${args.join(',')}`));
    ws.emit('pong', Buffer.alloc(0));
    expect(state.alive).toBe(true);
    ws.emit('ping', Buffer.from('p'));
    ws.emit('custom', 1, 2, 3);
    expect(ws.emit('unheard')).toBe(false);
    expect(heard).toEqual(['listener pong', 'listener ping p', 'listener custom 1,2,3']);
  });

  it('is linked to its state, which request.user reads', () => {
    const { ws, state } = watched();
    expect(stateOf(ws)).toBe(state);
    expect(stateOf(socket())).toBeUndefined();
  });
});
