import type { DefineContract } from 'nestjs-realtime-client';

/** The contract the server's gateways implement (shared with the backend as a type). */
export type ChatContract = DefineContract<{
  requests: {
    'chat:join': { payload: { room: string }; reply: { room: string; members: string[] } };
    'chat:send': { payload: { room: string; text: string }; reply: { id: string; at: number } };
  };
  events: { 'chat:typing': { room: string } };
  pushes: { 'chat:message': { room: string; from: string; text: string } };
}>;
