import type { GameView } from '../contract.js';

/** A state to push and the connections to push it to. */
export interface GameUpdate {
  view: GameView;
  recipients: string[];
}
