import type { RealtimeClient } from '../../client/index.js';
import type {
  ChatMessage,
  ChatUser,
  DemoContract,
  DirectMessage,
  RoomJoinReply,
  RoomPresence,
  RoomUser,
} from '../contract.js';
import { Composer } from './chat-composer.js';
import {
  addTypist,
  appendLine,
  clearTyping,
  Conversations,
  hasLine,
  ownLine,
  removeTypist,
  type Conversation,
  type Line,
} from './chat-conversation.js';
import { MembersPanel } from './chat-members.js';
import { applyJoined, applyLeft, applyPresence } from './chat-presence.js';
import { MessageList } from './chat-messages.js';
import { RoomList } from './chat-room-list.js';
import { byId } from './dom.js';
import { describe, type Notify } from './notices.js';

export { normalizeRoom } from './chat-room-list.js';

type Client = RealtimeClient<DemoContract>;

/** The recovery stream of a chat room: `room:` and its registry room `chat:<room>`. */
const CHAT_STREAM = 'room:chat:';

/** Said in a room whose missed messages could not be recovered after a reconnect. */
export const HISTORY_LOST = 'History unavailable, reloaded';

/**
 * The chat panel: rooms (join, leave, members kept up to date by `chat:joined` and
 * `chat:left`), messages, the typing indicator, and direct messages to a member. It keeps the
 * conversations and the one on screen; the room list, the message list, the members and the
 * composer (chat-*.ts) show them.
 */
export class ChatView {
  private readonly conversations = new Conversations(() => this.renderRoomList());
  private active: Conversation | undefined;
  private readonly stopListening: (() => void)[];
  private readonly dom = new AbortController();

  private readonly title = byId('conversation-title', HTMLElement);
  private readonly leaveButton = byId('leave-room', HTMLButtonElement);
  private readonly roomList: RoomList;
  private readonly messages: MessageList;
  private readonly members: MembersPanel;
  private readonly composer: Composer;

  constructor(
    private readonly client: Client,
    private readonly me: () => ChatUser,
    private readonly notify: Notify,
  ) {
    this.messages = new MessageList(me, (line) => {
      if (this.active) this.composer.retry(this.active, line);
    });
    this.members = new MembersPanel(me, (user) => this.openDirect(user));
    this.stopListening = [
      client.on('chat:message', (message) => this.onMessage(message)),
      client.on('chat:joined', (event) => this.onJoined(event)),
      client.on('chat:left', (event) => this.onLeft(event)),
      client.on('chat:presence', (event) => this.onPresence(event)),
      client.on('chat:typing', (event) => this.onTyping(event)),
      client.on('chat:direct', (message) => this.onDirect(message)),
    ];
    const { signal } = this.dom;
    this.roomList = new RoomList(
      {
        join: (room) => void this.join(room),
        select: (conversation) => this.activate(conversation),
        notify,
      },
      signal,
    );
    this.composer = new Composer(
      client,
      {
        active: () => this.active,
        me,
        add: (conversation, line) => this.addLine(conversation, line),
        delivered: (line) => this.messages.redraw(line),
      },
      signal,
    );
    this.leaveButton.addEventListener('click', () => void this.leaveActive(), { signal });
    this.render();
  }

  /** The rooms this page is in (re-joined after a reconnect). */
  rooms(): string[] {
    return this.conversations.rooms();
  }

  /** Joins a room and shows it. */
  async join(room: string): Promise<void> {
    try {
      const reply = await this.client.request('chat:join', { room });
      this.activate(this.applyJoin(reply));
    } catch (error) {
      this.notify(`Could not join #${room}. ${describe(error)}`, 'error');
    }
  }

  /**
   * After a reconnect: joins every room again and takes the fresh member lists. `note` adds
   * "Reconnected" to each room; a fully recovered reconnect passes false (nothing was missed, and
   * the join only tells the others that this user is back).
   */
  async rejoin(note = true): Promise<void> {
    const replies = await Promise.all(
      this.rooms().map((room) => this.client.request('chat:join', { room })),
    );
    const at = Date.now();
    for (const reply of replies) {
      const conversation = this.applyJoin(reply);
      if (note) this.addLine(conversation, { id: `back-${at}`, text: 'Reconnected', at });
    }
  }

  /**
   * A reconnect did not recover the `lost` streams (`RecoveryInfo.lost`): what was said meanwhile
   * in those rooms is gone. Each says so, and one notice (read out) names them.
   */
  historyLost(lost: readonly string[]): void {
    const rooms = lost
      .filter((stream) => stream.startsWith(CHAT_STREAM))
      .map((stream) => stream.slice(CHAT_STREAM.length))
      .filter((room) => this.conversations.room(room));
    if (rooms.length === 0) return;
    const at = Date.now();
    for (const room of rooms) {
      this.addLine(this.conversations.room(room)!, { id: `lost-${at}`, text: HISTORY_LOST, at });
    }
    this.notify(`${rooms.map((room) => `#${room}`).join(', ')}: ${HISTORY_LOST.toLowerCase()}.`);
  }

  /** The connection dropped: nobody is typing any more. */
  connectionLost(): void {
    for (const conversation of this.conversations.values()) clearTyping(conversation);
    this.messages.showTyping(this.active);
  }

  /** The signed-in user changed (a new token after a restart): "you" moves. */
  userChanged(): void {
    this.members.render(this.active);
  }

  /** Stops listening to the client and the page. */
  dispose(): void {
    for (const stop of this.stopListening) stop();
    this.dom.abort();
    this.conversations.clear();
    this.active = undefined;
    this.render();
  }

  private applyJoin({ room, members, count }: RoomJoinReply): Conversation {
    const conversation = this.conversations.open('room', room, `#${room}`);
    conversation.members.clear();
    for (const member of members) conversation.members.set(member.id, member);
    conversation.count = count;
    if (conversation === this.active) this.members.render(conversation);
    return conversation;
  }

  private onMessage({ id, room, from, text, at }: ChatMessage): void {
    const conversation = this.conversations.room(room);
    if (!conversation) return;
    this.stopTyping(conversation, from.id);
    if (from.id !== this.me().id && hasLine(conversation, id)) return;
    const own = from.id === this.me().id ? ownLine(conversation, id, text) : undefined;
    if (!own) return this.addLine(conversation, { id, from, text, at });
    // The user's own message, which this page shows already: now it is sent.
    Object.assign(own, { id, at, delivery: 'sent' });
    this.messages.redraw(own);
  }

  private onDirect({ id, from, text, at }: DirectMessage): void {
    const conversation = this.conversations.open('dm', from.id, from.name);
    conversation.title = from.name;
    if (hasLine(conversation, id)) return;
    this.addLine(conversation, { id, from, text, at });
  }

  private onJoined({ room, user }: RoomUser): void {
    const conversation = this.conversations.room(room);
    if (!conversation || !applyJoined(conversation, user)) return;
    this.addLine(conversation, {
      id: `joined-${Date.now()}`,
      text: `${user.name} joined`,
      at: Date.now(),
    });
    if (conversation === this.active) this.members.render(conversation);
  }

  private onLeft({ room, user }: RoomUser): void {
    const conversation = this.conversations.room(room);
    if (!conversation || !applyLeft(conversation, user)) return;
    this.stopTyping(conversation, user.id);
    this.addLine(conversation, {
      id: `left-${Date.now()}`,
      text: `${user.name} left`,
      at: Date.now(),
    });
    if (conversation === this.active) this.members.render(conversation);
  }

  private onPresence({ room, ...diff }: RoomPresence): void {
    const conversation = this.conversations.room(room);
    if (!conversation) return;
    for (const user of diff.left) this.stopTyping(conversation, user.id);
    const text = applyPresence(conversation, diff, this.me().id);
    if (text) this.addLine(conversation, { id: `presence-${Date.now()}`, text, at: Date.now() });
    if (conversation === this.active) this.members.render(conversation);
  }

  private onTyping({ room, user }: RoomUser): void {
    const conversation = this.conversations.room(room);
    if (!conversation || user.id === this.me().id) return;
    addTypist(conversation, user, () => this.stopTyping(conversation, user.id));
    if (conversation === this.active) this.messages.showTyping(conversation);
  }

  private stopTyping(conversation: Conversation, userId: string): void {
    if (!removeTypist(conversation, userId) || conversation !== this.active) return;
    this.messages.showTyping(conversation);
  }

  private addLine(conversation: Conversation, line: Line): void {
    const dropped = appendLine(conversation, line);
    if (conversation !== this.active) {
      if (line.from) conversation.unread++;
      this.renderRoomList();
      return;
    }
    this.messages.append(line, dropped);
  }

  private async leaveActive(): Promise<void> {
    const conversation = this.active;
    if (!conversation) return;
    if (conversation.kind === 'room') {
      try {
        await this.client.request('chat:leave', { room: conversation.target });
      } catch (error) {
        this.notify(`Could not leave ${conversation.title}. ${describe(error)}`, 'error');
        return;
      }
    }
    this.conversations.close(conversation);
    this.active = undefined;
    const next = [...this.conversations.values()][0];
    if (next) this.activate(next);
    else this.render();
  }

  /** Opens the direct conversation with a user. */
  private openDirect(user: ChatUser): void {
    this.activate(this.conversations.open('dm', user.id, user.name));
    this.composer.focus();
  }

  private activate(conversation: Conversation): void {
    this.active = conversation;
    conversation.unread = 0;
    this.composer.restartTyping();
    this.render();
  }

  private render(): void {
    this.renderRoomList();
    const conversation = this.active;
    this.title.textContent = conversation
      ? conversation.kind === 'room'
        ? conversation.title
        : `Direct messages with ${conversation.title}`
      : 'Join a room to chat';
    this.leaveButton.hidden = !conversation;
    this.leaveButton.textContent = conversation?.kind === 'dm' ? 'Close' : 'Leave';
    this.composer.show(conversation);
    this.messages.show(conversation);
    this.messages.showTyping(conversation);
    this.members.render(conversation);
  }

  private renderRoomList(): void {
    this.roomList.render(this.conversations.values(), this.active);
  }
}
