/** The game rules, pure: no I/O, no clock, no randomness. */

import type { GameStatus, Mark, Square } from '../contract.js';

export type { GameStatus, Mark, Square };

/** The state of one game. `turn` is null once the game is over. */
export interface GameState {
  readonly board: readonly Square[];
  readonly turn: Mark | null;
  readonly winner: Mark | null;
  readonly status: GameStatus;
}

/** Why a move is refused (also the error codes sent to the client). */
export type MoveError = 'GAME_OVER' | 'NOT_YOUR_TURN' | 'CELL_TAKEN';

/** The outcome of a move: the new state, or why it was refused. */
export type MoveResult =
  | { readonly ok: true; readonly state: GameState }
  | { readonly ok: false; readonly error: MoveError };

/** Number of squares; cells are numbered 0-8, row by row. */
export const CELLS = 9;

/** Every line of three: rows, columns, diagonals. */
export const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
];

/** An empty board with X to move. */
export function newGame(): GameState {
  return { board: Array<Square>(CELLS).fill(null), turn: 'X', winner: null, status: 'playing' };
}

/** The opponent's mark. */
export function otherMark(mark: Mark): Mark {
  return mark === 'X' ? 'O' : 'X';
}

/** The mark that owns a full line, or null. */
export function winnerOf(board: readonly Square[]): Mark | null {
  for (const [a, b, c] of LINES) {
    const mark = board[a];
    if (mark && mark === board[b] && mark === board[c]) return mark;
  }
  return null;
}

/** Whether `cell` is an integer from 0 to 8. */
export function isCell(cell: number): boolean {
  return Number.isInteger(cell) && cell >= 0 && cell < CELLS;
}

/**
 * `mark` plays `cell`. Checks, in order: the game is still on, it is `mark`'s turn, the cell is
 * free. Throws a RangeError for a cell outside 0-8 (payload validation keeps those out).
 */
export function play(state: GameState, mark: Mark, cell: number): MoveResult {
  if (!isCell(cell)) throw new RangeError(`cell must be an integer from 0 to 8, got ${cell}`);
  if (state.status !== 'playing') return { ok: false, error: 'GAME_OVER' };
  if (state.turn !== mark) return { ok: false, error: 'NOT_YOUR_TURN' };
  if (state.board[cell] !== null) return { ok: false, error: 'CELL_TAKEN' };
  const board = state.board.map((square, i) => (i === cell ? mark : square));
  const winner = winnerOf(board);
  if (winner) return { ok: true, state: { board, turn: null, winner, status: 'won' } };
  if (board.every((square) => square !== null)) {
    return { ok: true, state: { board, turn: null, winner: null, status: 'draw' } };
  }
  return { ok: true, state: { board, turn: otherMark(mark), winner: null, status: 'playing' } };
}

/** `loser` left a running game: the other player wins by forfeit. A finished game is unchanged. */
export function forfeit(state: GameState, loser: Mark): GameState {
  if (state.status !== 'playing') return state;
  return { board: state.board, turn: null, winner: otherMark(loser), status: 'abandoned' };
}
