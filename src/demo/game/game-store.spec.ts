import { RealtimeException } from '../../server/index.js';
import { GameStore } from './game-store.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof RealtimeException) return error.code;
    throw error;
  }
  return undefined;
}

/** Two players paired in a fresh store. */
function paired() {
  const store = new GameStore();
  const { seat } = store.join('x');
  store.join('o');
  return { store, gameId: seat.gameId };
}

describe('GameStore', () => {
  it('makes the first player wait as X and pairs the second as O', () => {
    const store = new GameStore();
    const first = store.join('a');
    expect(first.seat.mark).toBe('X');
    expect(first.update).toBeUndefined();
    const second = store.join('b');
    expect(second.seat).toEqual({ gameId: first.seat.gameId, mark: 'O' });
    expect(second.update).toEqual({
      view: {
        gameId: first.seat.gameId,
        board: Array(9).fill(null),
        turn: 'X',
        winner: null,
        status: 'playing',
      },
      recipients: ['a', 'b'],
    });
  });

  it('keeps the seat of a connection that joins again while waiting or playing', () => {
    const store = new GameStore();
    const first = store.join('a');
    expect(store.join('a')).toEqual({ seat: first.seat });
    expect(store.counts()).toEqual({ games: 1, seated: 1, waiting: true });
    store.join('b');
    const again = store.join('b');
    expect(again.seat).toEqual({ gameId: first.seat.gameId, mark: 'O' });
    expect(again.update?.recipients).toEqual(['b']);
    expect(store.counts()).toEqual({ games: 1, seated: 2, waiting: false });
  });

  it('checks moves and reports the state to both players', () => {
    const { store, gameId } = paired();
    expect(codeOf(() => store.move('o', gameId, 0))).toBe('NOT_YOUR_TURN');
    const update = store.move('x', gameId, 0);
    expect(update.view.board[0]).toBe('X');
    expect(update.recipients).toEqual(['x', 'o']);
    expect(codeOf(() => store.move('o', gameId, 0))).toBe('CELL_TAKEN');
    expect(codeOf(() => store.move('x', 'nope', 1))).toBe('GAME_NOT_FOUND');
    expect(codeOf(() => store.move('stranger', gameId, 1))).toBe('GAME_NOT_FOUND');
  });

  it('refuses a move before an opponent arrived', () => {
    const store = new GameStore();
    const { seat } = store.join('a');
    expect(codeOf(() => store.move('a', seat.gameId, 0))).toBe('NOT_YOUR_TURN');
  });

  it('forfeits the game of a player who leaves, and tells the other one', () => {
    const { store, gameId } = paired();
    store.move('x', gameId, 4);
    expect(store.leave('x')).toEqual({
      view: expect.objectContaining({ gameId, status: 'abandoned', winner: 'O', turn: null }),
      recipients: ['o'],
    });
    expect(codeOf(() => store.move('o', gameId, 0))).toBe('GAME_OVER');
    // Nobody sits at it once the other player leaves too: the game is forgotten.
    expect(store.leave('o')).toBeUndefined();
    expect(store.counts()).toEqual({ games: 0, seated: 0, waiting: false });
  });

  it('takes a waiting player who leaves out of the queue', () => {
    const store = new GameStore();
    const gone = store.join('a');
    expect(store.leave('a')).toBeUndefined();
    expect(store.counts()).toEqual({ games: 0, seated: 0, waiting: false });
    const next = store.join('b');
    expect(next.seat.mark).toBe('X');
    expect(next.seat.gameId).not.toBe(gone.seat.gameId);
  });

  it('starts a new game for a player whose game is over, and forgets the old one', () => {
    const { store, gameId } = paired();
    store.leave('o');
    const next = store.join('x');
    expect(next.seat.gameId).not.toBe(gameId);
    expect(store.counts()).toEqual({ games: 1, seated: 1, waiting: true });
    expect(codeOf(() => store.move('x', gameId, 0))).toBe('GAME_NOT_FOUND');
  });
});
