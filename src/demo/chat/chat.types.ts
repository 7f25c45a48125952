/** A user as the chat shows it. */
export interface ChatUser {
  id: string;
  name: string;
}

export interface ChatMessage {
  id: string;
  room: string;
  from: ChatUser;
  text: string;
  at: number;
}

export interface DirectMessage {
  id: string;
  from: ChatUser;
  text: string;
  at: number;
}

export interface JoinReply {
  room: string;
  members: ChatUser[];
}

export interface SentReply {
  id: string;
  at: number;
}
