import type { ChatUser } from '../contract.js';

/** Lines kept per conversation. */
const MAX_LINES = 200;

/**
 * Where one of the user's messages is: `pending` (in the client's offline queue, or waiting
 * for the server's reply), `sent` (the server took it), `failed` (it did not, see `failure`).
 */
export type Delivery = 'pending' | 'sent' | 'failed';

/** One line of a conversation: a message, or a note such as "bob joined". */
export interface Line {
  /** The server's id of a message; a local one (`local-3`) until the server took it. */
  id: string;
  from?: ChatUser;
  text: string;
  at: number;
  /** Messages this page sent: how far they got. */
  delivery?: Delivery;
  /** Why a `failed` message was not sent, for the user. */
  failure?: string;
}

/** The line that the user's own message `id` with `text` settles, if this page sent it. */
export function ownLine(conversation: Conversation, id: string, text: string): Line | undefined {
  // The push of a room message may come before the reply that gives this page its id: then it
  // settles the oldest pending line with its text (the server handles one socket in order).
  return (
    conversation.lines.find((line) => line.id === id) ??
    conversation.lines.find((line) => line.delivery === 'pending' && line.text === text)
  );
}

/** Whether the conversation shows the message `id` already (a push seen twice is shown once). */
export function hasLine(conversation: Conversation, id: string): boolean {
  return conversation.lines.some((line) => line.id === id);
}

/** A room, or the direct messages with one user. */
export interface Conversation {
  readonly key: string;
  readonly kind: 'room' | 'dm';
  /** The room, or the other user's id. */
  readonly target: string;
  title: string;
  readonly lines: Line[];
  unread: number;
  /** Room members by id (a direct conversation has none); a big room's first 100 and changes. */
  readonly members: Map<string, ChatUser>;
  /** How many members the room has on the server (the join reply's `count`, kept up to date). */
  count: number;
  /** Who is typing in the room, by user id, with the timer that hides them. */
  readonly typing: Map<string, { user: ChatUser; timer: ReturnType<typeof setTimeout> }>;
}

/** The key of a conversation: `room:<room>` or `dm:<user id>`. */
export function conversationKey(kind: Conversation['kind'], target: string): string {
  return `${kind}:${target}`;
}

/** A conversation with no lines, members or typists yet. */
export function newConversation(
  kind: Conversation['kind'],
  target: string,
  title: string,
): Conversation {
  return {
    key: conversationKey(kind, target),
    kind,
    target,
    title,
    lines: [],
    unread: 0,
    members: new Map(),
    count: 0,
    typing: new Map(),
  };
}

/** Appends a line and keeps the last `MAX_LINES`; returns how many old lines it dropped. */
export function appendLine(conversation: Conversation, line: Line): number {
  conversation.lines.push(line);
  return conversation.lines.splice(0, conversation.lines.length - MAX_LINES).length;
}

/** How long "x is typing" stays after the last `chat:typing` of x. */
const TYPING_SHOW_MS = 4000;

/** `user` is typing: shown until `TYPING_SHOW_MS` after their last `chat:typing`, then `expired`. */
export function addTypist(conversation: Conversation, user: ChatUser, expired: () => void): void {
  clearTimeout(conversation.typing.get(user.id)?.timer);
  const timer = setTimeout(expired, TYPING_SHOW_MS);
  conversation.typing.set(user.id, { user, timer });
}

/** A user is no longer typing; returns false when they were not. */
export function removeTypist(conversation: Conversation, userId: string): boolean {
  const entry = conversation.typing.get(userId);
  if (!entry) return false;
  clearTimeout(entry.timer);
  conversation.typing.delete(userId);
  return true;
}

/** Nobody is typing in the conversation any more: their timers stop. */
export function clearTyping(conversation: Conversation): void {
  for (const { timer } of conversation.typing.values()) clearTimeout(timer);
  conversation.typing.clear();
}

/** "alice is typing…" for who is typing in the conversation, or nothing. */
export function typingText(conversation: Conversation | undefined): string {
  const typing = [...(conversation?.typing.values() ?? [])].map(({ user }) => user.name);
  if (typing.length === 1) return `${typing[0]} is typing…`;
  if (typing.length === 2) return `${typing[0]} and ${typing[1]} are typing…`;
  if (typing.length > 2) return `${typing.length} people are typing…`;
  return '';
}

/** The conversations of the page, in the order they were opened. */
export class Conversations {
  private readonly byKey = new Map<string, Conversation>();

  /** `opened` runs when a conversation is new (it needs a tab). */
  constructor(private readonly opened: () => void) {}

  /** Every conversation, in order. */
  values(): Iterable<Conversation> {
    return this.byKey.values();
  }

  /** The rooms of the room conversations. */
  rooms(): string[] {
    return [...this.byKey.values()].filter((c) => c.kind === 'room').map((c) => c.target);
  }

  /** The conversation with a room or a user, opened when there is none yet. */
  open(kind: Conversation['kind'], target: string, title: string): Conversation {
    let conversation = this.byKey.get(conversationKey(kind, target));
    if (!conversation) {
      conversation = newConversation(kind, target, title);
      this.byKey.set(conversation.key, conversation);
      this.opened();
    }
    return conversation;
  }

  /** The conversation of a room the page is in. */
  room(room: string): Conversation | undefined {
    return this.byKey.get(conversationKey('room', room));
  }

  /** Forgets a conversation and who was typing in it. */
  close(conversation: Conversation): void {
    clearTyping(conversation);
    this.byKey.delete(conversation.key);
  }

  /** Forgets every conversation. */
  clear(): void {
    for (const conversation of this.byKey.values()) clearTyping(conversation);
    this.byKey.clear();
  }
}
