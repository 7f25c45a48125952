import type { RealtimeClient } from '../../client/index.js';
import type { ChatUser, DemoContract } from '../contract.js';
import type { Conversation, Line } from './chat-conversation.js';
import { byId } from './dom.js';
import { describe, type Notify } from './notices.js';

type Client = RealtimeClient<DemoContract>;

/** Least time between two `chat:typing` events sent while the user types. */
const TYPING_SEND_EVERY_MS = 2000;

/** What the composer needs from the chat panel. */
export interface ComposerHost {
  /** The conversation on screen, which the composer writes to. */
  active(): Conversation | undefined;
  me(): ChatUser;
  /** A direct message was sent: the server does not echo it, so it is added here. */
  sent(conversation: Conversation, line: Line): void;
  notify: Notify;
}

/**
 * The composer (`#send-form`): sends what the user wrote to the conversation on screen (`chat:send`
 * to a room, `chat:direct` to a user) and tells the room that the user is typing.
 */
export class Composer {
  private readonly form = byId('send-form', HTMLFormElement);
  private readonly input = byId('message-input', HTMLInputElement);
  private readonly sendButton = byId('send-button', HTMLButtonElement);
  private lastTypingSent = 0;

  /** Listens to the form until `signal` aborts. */
  constructor(
    private readonly client: Client,
    private readonly host: ComposerHost,
    signal: AbortSignal,
  ) {
    this.form.addEventListener('submit', (event) => void this.send(event), { signal });
    this.input.addEventListener('input', () => this.typed(), { signal });
  }

  /** Enabled to write to `conversation`, disabled without one. */
  show(conversation: Conversation | undefined): void {
    this.input.disabled = this.sendButton.disabled = !conversation;
    this.input.placeholder = conversation ? `Message ${conversation.title}` : 'Join a room first';
  }

  /** Another conversation is on screen: its room hears of the next keystroke at once. */
  restartTyping(): void {
    this.lastTypingSent = 0;
  }

  focus(): void {
    this.input.focus();
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const conversation = this.host.active();
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
        this.host.sent(conversation, { id, from: this.host.me(), text, at });
      }
    } catch (error) {
      if (!this.input.value) this.input.value = text;
      this.host.notify(`Not sent. ${describe(error)}`, 'error');
    }
  }

  /** The user typed in the composer: tell the room, at most every few seconds. */
  private typed(): void {
    const conversation = this.host.active();
    if (conversation?.kind !== 'room' || this.client.state !== 'open') return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS || !this.input.value) return;
    this.lastTypingSent = now;
    this.client.emit('chat:typing', { room: conversation.target });
  }
}
