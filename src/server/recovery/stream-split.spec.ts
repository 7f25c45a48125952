import { NO_TARGET, type DeliveryTarget } from '../broker/delivery.js';
import { leavesOut, splitByStream } from './stream-split.js';

const rule = { size: 10, ttlMs: 1000 };
const all = () => rule;

describe('splitByStream', () => {
  it('everyone is one stream, whatever else is named', () => {
    const target: DeliveryTarget = { ...NO_TARGET, all: true, rooms: ['a'], except: ['c1'] };
    expect(splitByStream(target, all)).toEqual({
      shares: [{ stream: 'all', target, rule }],
      rest: undefined,
    });
  });

  it('rooms then users, each leaving out the streams before it; connections go unpositioned', () => {
    const target: DeliveryTarget = {
      ...NO_TARGET,
      rooms: ['a', 'b', 'a'],
      users: ['u'],
      connections: ['c9'],
      except: ['c1'],
      exceptUsers: ['x'],
    };
    const { shares, rest } = splitByStream(target, all);
    expect(shares.map((s) => [s.stream, s.target.exceptRooms, s.target.exceptUsers])).toEqual([
      ['room:a', [], ['x']],
      ['room:b', ['a'], ['x']],
      ['user:u', ['a', 'b'], ['x']],
    ]);
    expect(shares.every((s) => s.target.except.includes('c1'))).toBe(true);
    expect(rest).toMatchObject({
      connections: ['c9'],
      rooms: [],
      users: [],
      exceptRooms: ['a', 'b'],
      exceptUsers: ['x', 'u'],
    });
  });

  it('streams without history (recover: false) go unpositioned, after the others', () => {
    const ruleOf = (stream: string) => (stream === 'room:typing' ? undefined : rule);
    const target: DeliveryTarget = { ...NO_TARGET, rooms: ['typing', 'chat'] };
    const { shares, rest } = splitByStream(target, ruleOf);
    expect(shares.map((s) => s.stream)).toEqual(['room:chat']);
    expect(rest).toMatchObject({ rooms: ['typing'], exceptRooms: ['chat'] });
    expect(splitByStream({ ...NO_TARGET, all: true }, () => undefined).shares).toEqual([]);
  });

  it('a replay leaves out what the push left out: the old connection, the user, its rooms', () => {
    const session = { connectionId: 'c1', userId: 'u', rooms: ['a'] };
    expect(leavesOut({ ...NO_TARGET, except: ['c1'] }, session)).toBe(true);
    expect(leavesOut({ ...NO_TARGET, exceptUsers: ['u'] }, session)).toBe(true);
    expect(leavesOut({ ...NO_TARGET, exceptRooms: ['a'] }, session)).toBe(true);
    expect(leavesOut({ ...NO_TARGET, except: ['c2'], exceptRooms: ['b'] }, session)).toBe(false);
  });
});
