import type { ChatUser, RoomPresence } from '../contract.js';
import type { Conversation } from './chat-conversation.js';

/** Who joined or left, in a few words: "Ann joined", "Ann, Bob and 3 others left". */
export function describeUsers(users: readonly ChatUser[], verb: string): string | undefined {
  if (users.length === 0) return undefined;
  const names = users.slice(0, 2).map((u) => u.name);
  const others = users.length - names.length;
  const list =
    others === 0
      ? names.join(' and ')
      : `${names.join(', ')} and ${others} other${others === 1 ? '' : 's'}`;
  return `${list} ${verb}`;
}

/**
 * Applies a `chat:presence` diff (a big room's joins and leaves, demo.md "Big rooms") to a
 * room: its members and count. Returns the line to show, if anyone but `meId` came or went.
 */
export function applyPresence(
  conversation: Conversation,
  { joined, left, count }: Pick<RoomPresence, 'joined' | 'left' | 'count'>,
  meId: string,
): string | undefined {
  for (const user of joined) conversation.members.set(user.id, user);
  for (const user of left) conversation.members.delete(user.id);
  conversation.count = count;
  const parts = [
    describeUsers(
      joined.filter((u) => u.id !== meId),
      'joined',
    ),
    describeUsers(
      left.filter((u) => u.id !== meId),
      'left',
    ),
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** One member joined (`chat:joined`): false when it was known already. */
export function applyJoined(conversation: Conversation, user: ChatUser): boolean {
  if (conversation.members.has(user.id)) return false;
  conversation.members.set(user.id, user);
  conversation.count++;
  return true;
}

/** One member left (`chat:left`): false when it was not known. */
export function applyLeft(conversation: Conversation, user: ChatUser): boolean {
  if (!conversation.members.delete(user.id)) return false;
  conversation.count = Math.max(conversation.members.size, conversation.count - 1);
  return true;
}
