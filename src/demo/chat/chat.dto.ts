import { IsString, Length, Matches } from 'class-validator';
import type { DemoContract } from '../contract.js';

type Payload<E extends keyof DemoContract['requests']> = DemoContract['requests'][E]['payload'];

const ROOM = /^[a-z0-9_-]{1,64}$/;
const ROOM_MESSAGE = 'room must be 1-64 characters of a-z, 0-9, - and _';

export class RoomDto implements Payload<'chat:join'> {
  @IsString()
  @Matches(ROOM, { message: ROOM_MESSAGE })
  room!: string;
}

export class SendDto extends RoomDto implements Payload<'chat:send'> {
  @IsString()
  @Length(1, 2000)
  text!: string;
}

export class DirectDto implements Payload<'chat:direct'> {
  @IsString()
  @Length(1, 128)
  to!: string;

  @IsString()
  @Length(1, 2000)
  text!: string;
}
