import type { RealtimeClient } from '../../client/index.js';
import type { ChatUser, DemoContract } from '../contract.js';
import type { Conversation, Line } from './chat-conversation.js';
import { byId } from './dom.js';
import { describe } from './notices.js';

type Client = RealtimeClient<DemoContract>;

/** Least time between two `chat:typing` events sent while the user types. */
const TYPING_SEND_EVERY_MS = 2000;

/** What the composer needs from the chat panel. */
export interface ComposerHost {
  /** The conversation on screen, which the composer writes to. */
  active(): Conversation | undefined;
  me(): ChatUser;
  /** Adds a message of the user's, `pending`, to its conversation. */
  add(conversation: Conversation, line: Line): void;
  /** A message of the user's was sent or failed: it is drawn again. */
  delivered(line: Line): void;
}

/**
 * The composer (`#send-form`): sends what the user wrote to the conversation on screen (`chat:send`
 * to a room, `chat:direct` to a user) and tells the room that the user is typing. A message
 * shows at once as pending (offline, it waits in the client's queue), then as sent when the
 * server replies, or as failed, with the reason and a retry.
 */
export class Composer {
  private readonly form = byId('send-form', HTMLFormElement);
  private readonly input = byId('message-input', HTMLInputElement);
  private readonly sendButton = byId('send-button', HTMLButtonElement);
  private lastTypingSent = 0;
  /** Numbers the local ids of messages until the server gives theirs. */
  private sending = 0;

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

  /** Sends a failed message of `conversation` again. */
  retry(conversation: Conversation, line: Line): void {
    if (line.delivery !== 'failed') return;
    line.delivery = 'pending';
    line.failure = undefined;
    this.host.delivered(line);
    void this.deliver(conversation, line);
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const conversation = this.host.active();
    const text = this.input.value.trim();
    if (!conversation || !text) return;
    this.input.value = '';
    this.lastTypingSent = 0;
    const id = `local-${++this.sending}`;
    const line: Line = { id, from: this.host.me(), text, at: Date.now(), delivery: 'pending' };
    this.host.add(conversation, line);
    await this.deliver(conversation, line);
  }

  /** Sends a pending message; it becomes sent (with the server's id and time) or failed. */
  private async deliver(conversation: Conversation, line: Line): Promise<void> {
    const { text } = line;
    try {
      // A room message also comes back as a `chat:message` push (ChatView settles the line).
      const { id, at } =
        conversation.kind === 'room'
          ? await this.client.request('chat:send', { room: conversation.target, text })
          : await this.client.request('chat:direct', { to: conversation.target, text });
      Object.assign(line, { id, at, delivery: 'sent' });
    } catch (error) {
      // Its push came, then the connection dropped before the reply: it was sent all the same.
      if (line.delivery === 'sent') return;
      Object.assign(line, { delivery: 'failed', failure: describe(error) });
    }
    this.host.delivered(line);
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
