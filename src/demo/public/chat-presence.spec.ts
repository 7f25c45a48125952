import { newConversation } from './chat-conversation.js';
import { applyJoined, applyLeft, applyPresence, describeUsers } from './chat-presence.js';

const user = (id: string) => ({ id, name: id.toUpperCase() });

describe('the page’s presence of a room', () => {
  it('says who came or went in a few words', () => {
    expect(describeUsers([], 'joined')).toBeUndefined();
    expect(describeUsers([user('a')], 'joined')).toBe('A joined');
    expect(describeUsers([user('a'), user('b')], 'left')).toBe('A and B left');
    expect(describeUsers([user('a'), user('b'), user('c')], 'left')).toBe('A, B and 1 other left');
    expect(describeUsers(['a', 'b', 'c', 'd'].map(user), 'joined')).toBe(
      'A, B and 2 others joined',
    );
  });

  it('applies a big room’s diff to its members and count, leaving the user out of the line', () => {
    const room = newConversation('room', 'big', '#big');
    room.members.set('me', user('me'));
    room.members.set('x', user('x'));
    const line = applyPresence(
      room,
      {
        joined: [user('me'), user('a'), user('b')],
        left: [user('x'), user('unknown')],
        count: 240,
      },
      'me',
    );
    expect([...room.members.keys()].sort()).toEqual(['a', 'b', 'me']);
    expect(room.count).toBe(240);
    expect(line).toBe('A and B joined; X and UNKNOWN left');
    expect(
      applyPresence(room, { joined: [user('me')], left: [], count: 241 }, 'me'),
    ).toBeUndefined();
  });

  it('counts single joins and leaves once each', () => {
    const room = newConversation('room', 'small', '#small');
    expect(applyJoined(room, user('a'))).toBe(true);
    expect(applyJoined(room, user('a'))).toBe(false);
    expect(room.count).toBe(1);
    expect(applyLeft(room, user('b'))).toBe(false);
    expect(applyLeft(room, user('a'))).toBe(true);
    expect(room.count).toBe(0);
  });
});
