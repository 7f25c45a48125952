import { IsString, Length, Matches } from 'class-validator';

const ROOM = /^[a-z0-9_-]{1,64}$/;
const ROOM_MESSAGE = 'room must be 1-64 characters of a-z, 0-9, - and _';

export class RoomDto {
  @IsString()
  @Matches(ROOM, { message: ROOM_MESSAGE })
  room!: string;
}

export class SendDto extends RoomDto {
  @IsString()
  @Length(1, 2000)
  text!: string;
}

export class DirectDto {
  @IsString()
  @Length(1, 128)
  to!: string;

  @IsString()
  @Length(1, 2000)
  text!: string;
}
