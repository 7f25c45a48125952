import { NO_TARGET, type MessageDelivery } from '../broker/delivery.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { writeMessage } from '../registry/write-message.js';
import { ConnectionSession } from './connection-session.js';

const at = (o: number, e = 'E1', stream = 'room:a') => ({ stream, e, o });

const push = (o: number, e = 'E1', stream = 'room:a'): MessageDelivery => ({
  kind: 'message',
  target: { ...NO_TARGET, rooms: ['a'] },
  frame: JSON.stringify({ o, e, s: stream, event: 'chat:message', data: { o } }),
  volatile: false,
  position: at(o, e, stream),
});

/** A connection with a session, whose writes are recorded. */
function connection(session: ConnectionSession) {
  const written: number[] = [];
  const state = {
    session,
    writer: { write: (frame: Buffer) => written.push(JSON.parse(frame.toString()).o as number) },
  } as unknown as ConnectionState;
  return { state, written };
}

describe('ConnectionSession after a resume', () => {
  it('knows a push up to where the replay went as replayed, until the first one past it', () => {
    const session = new ConnectionSession(undefined);
    session.replayedUpTo([{ stream: 'room:a', e: 'E1', o: 5 }]);
    expect(session.replayed(at(4))).toBe(true);
    expect(session.replayed(at(5))).toBe(true);
    expect(session.replayed(at(5, 'E1', 'room:b'))).toBe(false);
    expect(session.replayed(at(6))).toBe(false);
    // Past the floor once: the channel is in offset order, the floor is gone.
    expect(session.replayed(at(5))).toBe(false);
  });

  it('does not take a push of another epoch for a replayed one', () => {
    const session = new ConnectionSession(undefined);
    session.replayedUpTo([{ stream: 'room:a', e: 'E1', o: 5 }]);
    expect(session.replayed(at(3, 'E2'))).toBe(false);
  });

  it('a late live push the replay had already written is not written again (Redis echo race)', () => {
    const session = new ConnectionSession(undefined);
    const { state, written } = connection(session);
    // The replay went up to 7; pushes 6 and 7 were still on their way on the subscriber.
    session.replayedUpTo([{ stream: 'room:a', e: 'E1', o: 7 }]);
    for (const o of [6, 7, 8, 9]) writeMessage(new Set([state]), push(o));
    expect(written).toEqual([8, 9]);
  });

  it('holds positioned pushes while resuming, and writes every push without a floor', () => {
    const session = new ConnectionSession('offered');
    const { state, written } = connection(session);
    writeMessage(new Set([state]), push(1));
    expect(written).toEqual([]);
    expect(session.release().map((d) => d.position.o)).toEqual([1]);
    writeMessage(new Set([state]), push(2));
    expect(written).toEqual([2]);
  });
});
