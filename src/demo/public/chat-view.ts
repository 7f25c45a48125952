import type { RealtimeClient } from '../../client/index.js';
import type {
  ChatMessage,
  ChatUser,
  DemoContract,
  DirectMessage,
  RoomJoinReply,
  RoomUser,
} from '../contract.js';
import { atBottom, byId, clock, h, replaceChildren } from './dom.js';
import { describe, type Notify } from './notices.js';

type Client = RealtimeClient<DemoContract>;

/** Room names the server accepts (demo.md). */
const ROOM = /^[a-z0-9_-]{1,64}$/;

/** Lines kept per conversation. */
const MAX_LINES = 200;

/** How long "x is typing" stays after the last `chat:typing` of x. */
const TYPING_SHOW_MS = 4000;

/** Least time between two `chat:typing` events sent while the user types. */
const TYPING_SEND_EVERY_MS = 2000;

/** One line of a conversation: a message, or a note such as "bob joined". */
interface Line {
  id: string;
  from?: ChatUser;
  text: string;
  at: number;
}

/** A room, or the direct messages with one user. */
interface Conversation {
  readonly key: string;
  readonly kind: 'room' | 'dm';
  /** The room, or the other user's id. */
  readonly target: string;
  title: string;
  readonly lines: Line[];
  unread: number;
  /** Room members by id (a direct conversation has none). */
  readonly members: Map<string, ChatUser>;
  /** Who is typing in the room, by user id, with the timer that hides them. */
  readonly typing: Map<string, { user: ChatUser; timer: ReturnType<typeof setTimeout> }>;
}

/** A room name as typed (`#General Chat`) made into one the server takes (`general-chat`). */
export function normalizeRoom(input: string): string {
  return input.trim().replace(/^#/, '').toLowerCase().replace(/\s+/g, '-');
}

/**
 * The chat panel: rooms (join, leave, members kept up to date by `chat:joined` and
 * `chat:left`), messages, the typing indicator, and direct messages to a member.
 */
export class ChatView {
  private readonly conversations = new Map<string, Conversation>();
  private active: Conversation | undefined;
  private lastTypingSent = 0;
  private readonly stopListening: (() => void)[];
  private readonly dom = new AbortController();

  private readonly list = byId('conversations', HTMLUListElement);
  private readonly title = byId('conversation-title', HTMLElement);
  private readonly leaveButton = byId('leave-room', HTMLButtonElement);
  private readonly messages = byId('messages', HTMLOListElement);
  private readonly typingLine = byId('typing', HTMLElement);
  private readonly composer = byId('send-form', HTMLFormElement);
  private readonly input = byId('message-input', HTMLInputElement);
  private readonly sendButton = byId('send-button', HTMLButtonElement);
  private readonly membersTitle = byId('members-title', HTMLElement);
  private readonly members = byId('members', HTMLUListElement);

  constructor(
    private readonly client: Client,
    private readonly me: () => ChatUser,
    private readonly notify: Notify,
  ) {
    this.stopListening = [
      client.on('chat:message', (message) => this.onMessage(message)),
      client.on('chat:joined', (event) => this.onJoined(event)),
      client.on('chat:left', (event) => this.onLeft(event)),
      client.on('chat:typing', (event) => this.onTyping(event)),
      client.on('chat:direct', (message) => this.onDirect(message)),
    ];
    const { signal } = this.dom;
    const joinForm = byId('join-form', HTMLFormElement);
    const joinInput = byId('join-room', HTMLInputElement);
    joinForm.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        const room = normalizeRoom(joinInput.value);
        if (!ROOM.test(room)) {
          this.notify('A room name is 1-64 characters of a-z, 0-9, - and _.', 'error');
          return;
        }
        joinInput.value = '';
        void this.join(room);
      },
      { signal },
    );
    this.composer.addEventListener('submit', (event) => void this.send(event), { signal });
    this.input.addEventListener('input', () => this.typed(), { signal });
    this.leaveButton.addEventListener('click', () => void this.leaveActive(), { signal });
    this.render();
  }

  /** The rooms this page is in (re-joined after a reconnect). */
  rooms(): string[] {
    return [...this.conversations.values()].filter((c) => c.kind === 'room').map((c) => c.target);
  }

  /** Joins a room and shows it. */
  async join(room: string): Promise<void> {
    try {
      const reply = await this.client.request('chat:join', { room });
      this.activate(this.applyJoin(reply));
    } catch (error) {
      this.notify(`Could not join #${room}: ${describe(error)}`, 'error');
    }
  }

  /** After a reconnect: joins every room again and takes the fresh member lists. */
  async rejoin(): Promise<void> {
    const replies = await Promise.all(
      this.rooms().map((room) => this.client.request('chat:join', { room })),
    );
    const at = Date.now();
    for (const reply of replies) {
      this.addLine(this.applyJoin(reply), { id: `back-${at}`, text: 'Reconnected', at });
    }
  }

  /** The connection dropped: nobody is typing any more. */
  connectionLost(): void {
    for (const conversation of this.conversations.values()) this.clearTyping(conversation);
    this.renderTyping();
  }

  /** The signed-in user changed (a new token after a restart): "you" moves. */
  userChanged(): void {
    this.renderMembers();
  }

  /** Stops listening to the client and the page. */
  dispose(): void {
    for (const stop of this.stopListening) stop();
    this.dom.abort();
    for (const conversation of this.conversations.values()) this.clearTyping(conversation);
    this.conversations.clear();
    this.active = undefined;
    this.render();
  }

  private applyJoin({ room, members }: RoomJoinReply): Conversation {
    const conversation = this.conversation('room', room, `#${room}`);
    conversation.members.clear();
    for (const member of members) conversation.members.set(member.id, member);
    if (conversation === this.active) this.renderMembers();
    return conversation;
  }

  private conversation(kind: 'room' | 'dm', target: string, title: string): Conversation {
    const key = `${kind}:${target}`;
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = {
        key,
        kind,
        target,
        title,
        lines: [],
        unread: 0,
        members: new Map(),
        typing: new Map(),
      };
      this.conversations.set(key, conversation);
      this.renderConversations();
    }
    return conversation;
  }

  private room(room: string): Conversation | undefined {
    return this.conversations.get(`room:${room}`);
  }

  private onMessage({ id, room, from, text, at }: ChatMessage): void {
    const conversation = this.room(room);
    if (!conversation) return;
    this.stopTyping(conversation, from.id);
    this.addLine(conversation, { id, from, text, at });
  }

  private onDirect({ id, from, text, at }: DirectMessage): void {
    const conversation = this.conversation('dm', from.id, from.name);
    conversation.title = from.name;
    this.addLine(conversation, { id, from, text, at });
  }

  private onJoined({ room, user }: RoomUser): void {
    const conversation = this.room(room);
    if (!conversation || conversation.members.has(user.id)) return;
    conversation.members.set(user.id, user);
    this.addLine(conversation, {
      id: `joined-${Date.now()}`,
      text: `${user.name} joined`,
      at: Date.now(),
    });
    if (conversation === this.active) this.renderMembers();
  }

  private onLeft({ room, user }: RoomUser): void {
    const conversation = this.room(room);
    if (!conversation || !conversation.members.delete(user.id)) return;
    this.stopTyping(conversation, user.id);
    this.addLine(conversation, {
      id: `left-${Date.now()}`,
      text: `${user.name} left`,
      at: Date.now(),
    });
    if (conversation === this.active) this.renderMembers();
  }

  private onTyping({ room, user }: RoomUser): void {
    const conversation = this.room(room);
    if (!conversation || user.id === this.me().id) return;
    clearTimeout(conversation.typing.get(user.id)?.timer);
    const timer = setTimeout(() => this.stopTyping(conversation, user.id), TYPING_SHOW_MS);
    conversation.typing.set(user.id, { user, timer });
    if (conversation === this.active) this.renderTyping();
  }

  private stopTyping(conversation: Conversation, userId: string): void {
    const entry = conversation.typing.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    conversation.typing.delete(userId);
    if (conversation === this.active) this.renderTyping();
  }

  private clearTyping(conversation: Conversation): void {
    for (const { timer } of conversation.typing.values()) clearTimeout(timer);
    conversation.typing.clear();
  }

  private addLine(conversation: Conversation, line: Line): void {
    conversation.lines.push(line);
    const dropped = conversation.lines.splice(0, conversation.lines.length - MAX_LINES);
    if (conversation !== this.active) {
      if (line.from) conversation.unread++;
      this.renderConversations();
      return;
    }
    const follow = atBottom(this.messages);
    for (let i = 0; i < dropped.length; i++) this.messages.firstElementChild?.remove();
    this.messages.appendChild(this.lineElement(line));
    if (follow || line.from?.id === this.me().id)
      this.messages.scrollTop = this.messages.scrollHeight;
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const conversation = this.active;
    const text = this.input.value.trim();
    if (!conversation || !text) return;
    this.input.value = '';
    this.lastTypingSent = 0;
    try {
      if (conversation.kind === 'room') {
        // The message comes back as a `chat:message` push, like everyone else's.
        await this.client.request('chat:send', { room: conversation.target, text });
      } else {
        const to = conversation.target;
        const { id, at } = await this.client.request('chat:direct', { to, text });
        this.addLine(conversation, { id, from: this.me(), text, at });
      }
    } catch (error) {
      if (!this.input.value) this.input.value = text;
      this.notify(`Not sent: ${describe(error)}`, 'error');
    }
  }

  /** The user typed in the composer: tell the room, at most every few seconds. */
  private typed(): void {
    const conversation = this.active;
    if (conversation?.kind !== 'room' || this.client.state !== 'open') return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS || !this.input.value) return;
    this.lastTypingSent = now;
    this.client.emit('chat:typing', { room: conversation.target });
  }

  private async leaveActive(): Promise<void> {
    const conversation = this.active;
    if (!conversation) return;
    if (conversation.kind === 'room') {
      try {
        await this.client.request('chat:leave', { room: conversation.target });
      } catch (error) {
        this.notify(`Could not leave ${conversation.title}: ${describe(error)}`, 'error');
        return;
      }
    }
    this.clearTyping(conversation);
    this.conversations.delete(conversation.key);
    this.active = undefined;
    const next = [...this.conversations.values()][0];
    if (next) this.activate(next);
    else this.render();
  }

  /** Opens the direct conversation with a user. */
  private openDirect(user: ChatUser): void {
    this.activate(this.conversation('dm', user.id, user.name));
    this.input.focus();
  }

  private activate(conversation: Conversation): void {
    this.active = conversation;
    conversation.unread = 0;
    this.lastTypingSent = 0;
    this.render();
  }

  private render(): void {
    this.renderConversations();
    const conversation = this.active;
    this.title.textContent = conversation
      ? conversation.kind === 'room'
        ? conversation.title
        : `Direct messages with ${conversation.title}`
      : 'Join a room to chat';
    this.leaveButton.hidden = !conversation;
    this.leaveButton.textContent = conversation?.kind === 'dm' ? 'Close' : 'Leave';
    this.input.disabled = this.sendButton.disabled = !conversation;
    this.input.placeholder = conversation ? `Message ${conversation.title}` : 'Join a room first';
    replaceChildren(this.messages, ...(conversation?.lines ?? []).map((l) => this.lineElement(l)));
    this.messages.scrollTop = this.messages.scrollHeight;
    this.renderTyping();
    this.renderMembers();
  }

  private renderConversations(): void {
    const items = [...this.conversations.values()].map((conversation) => {
      const current = conversation === this.active;
      const button = h(
        'button',
        {
          type: 'button',
          class: `conversation-tab ${conversation.kind}`,
          'aria-current': current ? 'true' : null,
          'data-key': conversation.key,
        },
        h(
          'span',
          { class: 'tab-title' },
          conversation.kind === 'dm' ? '@ ' : '',
          conversation.title,
        ),
        conversation.unread > 0 &&
          h(
            'span',
            { class: 'badge', 'aria-label': `${conversation.unread} unread` },
            conversation.unread,
          ),
      );
      button.addEventListener('click', () => this.activate(conversation));
      return h('li', {}, button);
    });
    replaceChildren(this.list, ...items);
  }

  private renderTyping(): void {
    const typing = [...(this.active?.typing.values() ?? [])].map(({ user }) => user.name);
    let text = '';
    if (typing.length === 1) text = `${typing[0]} is typing…`;
    else if (typing.length === 2) text = `${typing[0]} and ${typing[1]} are typing…`;
    else if (typing.length > 2) text = `${typing.length} people are typing…`;
    this.typingLine.textContent = text;
  }

  private renderMembers(): void {
    const conversation = this.active;
    const me = this.me();
    if (conversation?.kind !== 'room') {
      this.membersTitle.textContent = conversation ? 'Direct messages' : 'Members';
      const note = conversation
        ? `Only ${conversation.title} and you see these. They reach every open tab of ${conversation.title}.`
        : 'Members of the room show here.';
      replaceChildren(this.members, h('li', { class: 'empty' }, note));
      return;
    }
    const members = [...conversation.members.values()].sort((a, b) => {
      if (a.id === me.id || b.id === me.id) return a.id === me.id ? -1 : 1;
      return a.name.localeCompare(b.name);
    });
    this.membersTitle.textContent = `Members (${members.length})`;
    const items = members.map((member) => {
      const mine = member.id === me.id;
      const message =
        !mine &&
        h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Message ${member.name}` },
          'Message',
        );
      if (message) message.addEventListener('click', () => this.openDirect(member));
      return h(
        'li',
        { class: 'member', 'data-user': member.id, title: member.id },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(member.name)),
        h('span', { class: 'member-name' }, member.name),
        mine && h('span', { class: 'you' }, 'you'),
        message,
      );
    });
    replaceChildren(this.members, ...items);
  }

  private lineElement(line: Line): HTMLLIElement {
    const time = h('time', { datetime: new Date(line.at).toISOString() }, clock(line.at));
    if (!line.from) return h('li', { class: 'line system' }, line.text, ' · ', time);
    const mine = line.from.id === this.me().id;
    return h(
      'li',
      { class: mine ? 'line mine' : 'line', 'data-id': line.id },
      h('span', { class: 'meta' }, h('span', { class: 'author' }, line.from.name), time),
      h('span', { class: 'text' }, line.text),
    );
  }
}

/** The first letter of a name, for its avatar. */
function initial(name: string): string {
  return (Array.from(name.trim())[0] ?? '?').toUpperCase();
}
