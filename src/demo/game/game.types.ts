import type { GameStatus, Mark, Square } from './tic-tac-toe.js';

/** Reply of `game:join`: the game and the mark of the player. */
export interface JoinReply {
  gameId: string;
  mark: Mark;
}

/** The `game:state` push, also the reply of `game:move`. */
export interface GameView {
  gameId: string;
  board: Square[];
  turn: Mark | null;
  winner: Mark | null;
  status: GameStatus;
}

/** A state to push and the connections to push it to. */
export interface GameUpdate {
  view: GameView;
  recipients: string[];
}
