import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** Payload of `game:move`. */
export class MoveDto {
  @IsString()
  @Length(1, 64)
  gameId!: string;

  @IsInt()
  @Min(0)
  @Max(8)
  cell!: number;
}
