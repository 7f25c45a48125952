import {
  forfeit,
  isCell,
  LINES,
  newGame,
  otherMark,
  play,
  winnerOf,
  type GameState,
  type Mark,
  type Square,
} from './tic-tac-toe.js';

/** Plays cells alternately from a new game (X first); fails on any refused move. */
function playAll(cells: number[]): GameState {
  let state = newGame();
  for (const cell of cells) {
    const result = play(state, state.turn ?? 'X', cell);
    if (!result.ok) throw new Error(`move ${cell} refused: ${result.error}`);
    state = result.state;
  }
  return state;
}

const board = (rows: string): Square[] =>
  [...rows.replace(/\s/g, '')].map((c) => (c === '.' ? null : (c as Mark)));

describe('tic-tac-toe rules', () => {
  it('starts empty with X to move', () => {
    expect(newGame()).toEqual({
      board: Array(9).fill(null),
      turn: 'X',
      winner: null,
      status: 'playing',
    });
  });

  it('places the mark and passes the turn, without changing the old state', () => {
    const start = newGame();
    const result = play(start, 'X', 4);
    expect(result).toEqual({
      ok: true,
      state: { board: board('... .X. ...'), turn: 'O', winner: null, status: 'playing' },
    });
    expect(start.board[4]).toBeNull();
  });

  it('refuses a move out of turn, on a taken cell, and after the end, in that order', () => {
    const afterX = playAll([0]);
    expect(play(afterX, 'X', 1)).toEqual({ ok: false, error: 'NOT_YOUR_TURN' });
    expect(play(afterX, 'O', 0)).toEqual({ ok: false, error: 'CELL_TAKEN' });
    expect(play(afterX, 'X', 0)).toEqual({ ok: false, error: 'NOT_YOUR_TURN' });
    const won = playAll([0, 3, 1, 4, 2]);
    expect(play(won, 'O', 8)).toEqual({ ok: false, error: 'GAME_OVER' });
    expect(play(won, 'X', 0)).toEqual({ ok: false, error: 'GAME_OVER' });
  });

  it('throws on a cell outside 0-8', () => {
    for (const cell of [-1, 9, 1.5, Number.NaN]) {
      expect(isCell(cell)).toBe(false);
      expect(() => play(newGame(), 'X', cell)).toThrow(RangeError);
    }
    expect([0, 8].every(isCell)).toBe(true);
  });

  it.each(LINES.map((line) => [line]))('detects a win on line %j', (line) => {
    const squares: Square[] = Array(9).fill(null);
    for (const cell of line) squares[cell] = 'O';
    expect(winnerOf(squares)).toBe('O');
  });

  it('finds no winner on an unfinished or drawn board', () => {
    expect(winnerOf(board('XO. ... ...'))).toBeNull();
    expect(winnerOf(board('XOX XOO OXX'))).toBeNull();
  });

  it('ends a game won by X with no turn left', () => {
    expect(playAll([0, 3, 1, 4, 2])).toEqual({
      board: board('XXX OO. ...'),
      turn: null,
      winner: 'X',
      status: 'won',
    });
  });

  it('ends a game won by O', () => {
    expect(playAll([0, 3, 1, 4, 8, 5])).toMatchObject({ winner: 'O', status: 'won' });
  });

  it('counts a win on the last square as a win, not a draw', () => {
    // X O X / O X O / O X X: X completes the diagonal 0-4-8 with the ninth mark.
    expect(playAll([0, 1, 2, 3, 4, 5, 7, 6, 8])).toMatchObject({ winner: 'X', status: 'won' });
  });

  it('ends a full board with no line as a draw', () => {
    expect(playAll([0, 1, 2, 4, 3, 5, 7, 6, 8])).toEqual({
      board: board('XOX XOO OXX'),
      turn: null,
      winner: null,
      status: 'draw',
    });
  });

  it('gives a forfeited game to the other player, and leaves a finished one alone', () => {
    const running = playAll([0]);
    expect(forfeit(running, 'O')).toEqual({
      board: running.board,
      turn: null,
      winner: 'X',
      status: 'abandoned',
    });
    expect(forfeit(running, 'X')).toMatchObject({ winner: 'O', status: 'abandoned' });
    const draw = playAll([0, 1, 2, 4, 3, 5, 7, 6, 8]);
    expect(forfeit(draw, 'X')).toBe(draw);
  });

  it('names the other mark', () => {
    expect(otherMark('X')).toBe('O');
    expect(otherMark('O')).toBe('X');
  });
});
