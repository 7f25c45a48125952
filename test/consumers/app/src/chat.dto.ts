import { IsString, Length, Matches } from 'class-validator';

export class RoomDto {
  @Matches(/^[a-z0-9_-]{1,64}$/)
  room!: string;
}

export class SendDto extends RoomDto {
  @IsString()
  @Length(1, 2000)
  text!: string;
}
