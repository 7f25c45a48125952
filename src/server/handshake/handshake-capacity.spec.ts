import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { HandshakeCapacity, type ConnectionCounts } from './handshake-capacity.js';

const limits = {
  connections: 100,
  connectionsPerUser: 2,
  pendingHandshakes: 10,
  retryAfterSec: 5,
} as ResolvedRealtimeOptions['limits'];

const principal = (userId: string) => ({ userId, claims: { sub: userId }, expiresAt: null });

describe('HandshakeCapacity', () => {
  it("checks the per-user cap against the user's count, without listing the connections", () => {
    const counts = new Map([['alice', 2]]);
    const asked: string[] = [];
    const connections: ConnectionCounts = {
      size: 2,
      countOf: (userId) => {
        asked.push(userId);
        return counts.get(userId) ?? 0;
      },
    };
    const capacity = new HandshakeCapacity(limits, connections);

    expect(capacity.checkUser(principal('alice'))?.status).toBe(429);
    expect(capacity.checkUser(principal('bob'))).toBeUndefined();
    counts.set('alice', 1);
    expect(capacity.checkUser(principal('alice'))).toBeUndefined();
    expect(asked).toEqual(['alice', 'bob', 'alice']);
  });
});
