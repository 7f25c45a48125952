import type { GameView } from '../contract.js';
import { hasLine, newConversation, ownLine, type Line } from './chat-conversation.js';
import { normalizeRoom } from './chat-view.js';
import { describeChange } from './connection-view.js';
import { gameStatus, winningCells } from './game-view.js';
import { sparklinePoints } from './ticker-view.js';

describe('the page’s pure helpers', () => {
  it('normalizes typed room names to ones the server takes', () => {
    expect(normalizeRoom('  #General Chat ')).toBe('general-chat');
    expect(normalizeRoom('random')).toBe('random');
  });

  it('describes state changes with the close code, its meaning and the reason', () => {
    const change = { state: 'reconnecting', previous: 'open' } as const;
    expect(describeChange({ ...change, code: 1001, reason: 'Server shutting down' })).toBe(
      '1001 server going away: Server shutting down',
    );
    expect(describeChange({ ...change, code: 1006, reason: 'Closed with 1006' })).toBe(
      '1006 connection lost',
    );
    expect(describeChange({ ...change, state: 'closed', code: 'AUTH_FAILED', reason: 'no' })).toBe(
      'AUTH_FAILED: no',
    );
  });

  it('draws a sparkline that fills from the left, then squeezes', () => {
    expect(sparklinePoints([])).toBe('');
    expect(sparklinePoints([5])).toBe('0.0,16.0');
    const points = sparklinePoints([1, 3, 2]).split(' ');
    expect(points).toHaveLength(3);
    // The lowest price at the bottom (y = 30), the highest at the top (y = 2).
    expect(points[0]).toBe('0.0,30.0');
    expect(points[1]?.endsWith(',2.0')).toBe(true);
    const many = sparklinePoints(Array.from({ length: 60 }, (_, i) => i)).split(' ');
    expect(many.at(-1)).toBe('120.0,2.0');
  });

  it('finds the winning line and says who won, from each side', () => {
    const board: GameView['board'] = ['X', 'X', 'X', 'O', 'O', null, null, null, null];
    expect(winningCells(board)).toEqual([0, 1, 2]);
    expect(winningCells(Array(9).fill(null))).toEqual([]);
    const view: GameView = { gameId: 'g', board, turn: null, winner: 'X', status: 'won' };
    expect(gameStatus('over', { gameId: 'g', mark: 'X' }, view)).toMatch(/^You win!/);
    expect(gameStatus('over', { gameId: 'g', mark: 'O' }, view)).toBe('X wins. You lose.');
    const abandoned: GameView = { ...view, status: 'abandoned', winner: 'O' };
    expect(gameStatus('over', { gameId: 'g', mark: 'O' }, abandoned)).toBe(
      'Your opponent left: you win by forfeit.',
    );
    const playing: GameView = { ...view, status: 'playing', turn: 'O', winner: null };
    expect(gameStatus('playing', { gameId: 'g', mark: 'O' }, playing)).toBe(
      'You are O. Your turn.',
    );
  });

  it('settles the user’s own pending line by the server’s id, or else by its text', () => {
    const room = newConversation('room', 'lobby', '#lobby');
    const me = { id: 'u1', name: 'alice' };
    const first: Line = { id: 'local-1', from: me, text: 'hi', at: 1, delivery: 'pending' };
    const second: Line = { id: 'local-2', from: me, text: 'hi', at: 2, delivery: 'pending' };
    const sent: Line = { id: 'm-9', from: me, text: 'old', at: 0, delivery: 'sent' };
    room.lines.push(sent, first, second);
    // The push came before the reply: the oldest pending line with that text.
    expect(ownLine(room, 'm-10', 'hi')).toBe(first);
    // The reply came first and gave the line its id.
    expect(ownLine(room, 'm-9', 'old')).toBe(sent);
    // Not from this page (another tab of the same user): no line of its own.
    expect(ownLine(room, 'm-11', 'hello')).toBeUndefined();
  });

  it('knows a message it shows already by its id (a push seen twice is shown once)', () => {
    const room = newConversation('room', 'lobby', '#lobby');
    room.lines.push({ id: 'm-1', from: { id: 'u2', name: 'bob' }, text: 'hi', at: 1 });
    expect(hasLine(room, 'm-1')).toBe(true);
    expect(hasLine(room, 'm-2')).toBe(false);
  });
});
