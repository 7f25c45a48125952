import { Module } from '@nestjs/common';
import { GameStore } from './game-store.js';
import { GameGateway } from './game.gateway.js';

/** Tic-tac-toe between two players: `game:join`, `game:move`, `game:state`. */
@Module({ providers: [GameGateway, GameStore], exports: [GameStore] })
export class GameModule {}
