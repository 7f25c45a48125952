import { MessageBody } from '@nestjs/websockets';
import {
  ConnectionRegistry,
  CurrentConnection,
  type RealtimeConnection,
  RealtimeException,
  RealtimeGateway,
  type OnConnectionClose,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { demo } from '../demo-handlers.js';
import { GAME_PUSHES, GameSeatDoc, GameViewDoc } from '../contract-docs.js';
import { GameStore } from './game-store.js';
import { MoveDto } from './game.dto.js';
import type { DemoContract, GameSeat, GameView } from '../contract.js';
import type { GameUpdate } from './game.types.js';

/**
 * Tic-tac-toe between two connections (see demo.md). The server is authoritative: players are
 * connection ids and every move is checked by `GameStore`. Pushes are `game:state`; a player
 * who was just paired may see the game's first `game:state` right before its `game:join` reply.
 */
@RealtimeGateway({ path: wsPathFrom(process.env), pushes: GAME_PUSHES })
export class GameGateway implements OnConnectionClose {
  constructor(
    private readonly registry: ConnectionRegistry<DemoContract>,
    private readonly store: GameStore,
  ) {}

  @demo.request('game:join', {
    reply: GameSeatDoc,
    errors: ['CONNECTION_CLOSED'],
    summary: 'Wait for an opponent, or be paired with the waiting player.',
  })
  join(
    @MessageBody() _payload: unknown,
    @CurrentConnection() connection: RealtimeConnection,
  ): GameSeat {
    // A message handled after its connection closed must not seat a ghost in the queue.
    if (this.registry.get(connection.id) !== connection) {
      throw new RealtimeException('CONNECTION_CLOSED', 'The connection is closed');
    }
    const { seat, update } = this.store.join(connection.id);
    if (update) this.push(update);
    return seat;
  }

  @demo.request('game:move', {
    reply: GameViewDoc,
    errors: ['GAME_NOT_FOUND', 'NOT_YOUR_TURN', 'GAME_OVER', 'CELL_TAKEN'],
    summary: 'Mark a cell (0-8, row by row).',
  })
  move(
    @MessageBody() { gameId, cell }: MoveDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): GameView {
    const update = this.store.move(connection.id, gameId, cell);
    this.push(update);
    return update.view;
  }

  /** A player who disconnects forfeits; a waiting one leaves the queue. */
  onConnectionClose(connection: RealtimeConnection): void {
    const update = this.store.leave(connection.id);
    if (update) this.push(update);
  }

  private push({ view, recipients }: GameUpdate): void {
    this.registry.toConnection(...recipients).emit('game:state', view);
  }
}
