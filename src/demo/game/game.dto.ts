import type { DemoContract } from '../contract.js';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** Payload of `game:move`. */
type MovePayload = DemoContract['requests']['game:move']['payload'];

export class MoveDto implements MovePayload {
  @IsString()
  @Length(1, 64)
  gameId!: string;

  @IsInt()
  @Min(0)
  @Max(8)
  cell!: number;
}
