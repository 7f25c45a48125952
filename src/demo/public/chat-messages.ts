import type { ChatUser } from '../contract.js';
import { typingText, type Conversation, type Line } from './chat-conversation.js';
import { atBottom, byId, clock, h, replaceChildren } from './dom.js';

/** What a message of the user's says of its delivery, after its time. */
const DELIVERY_TEXT = { pending: 'Sending…', sent: 'Sent', failed: 'Not sent' } as const;

/**
 * The lines of the conversation on screen (`#messages`: messages, mine on the right, and notes
 * such as "bob joined") and who is typing in it (`#typing`). The user's own messages say whether
 * they are sending, sent or not sent, the last with a Retry button.
 */
export class MessageList {
  private readonly messages = byId('messages', HTMLOListElement);
  private readonly typingLine = byId('typing', HTMLElement);
  private readonly elements = new WeakMap<Line, HTMLLIElement>();

  /** `retry` sends a failed message of the conversation on screen again. */
  constructor(
    private readonly me: () => ChatUser,
    private readonly retry: (line: Line) => void,
  ) {}

  /** Shows every line of a conversation (none without one), scrolled to the last. */
  show(conversation: Conversation | undefined): void {
    replaceChildren(this.messages, ...(conversation?.lines ?? []).map((l) => this.lineElement(l)));
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  /**
   * Adds a line of the conversation on screen after removing its `dropped` oldest lines; scrolls
   * to it when the list was at the bottom or the line is the user's own.
   */
  append(line: Line, dropped: number): void {
    const follow = atBottom(this.messages);
    for (let i = 0; i < dropped; i++) this.messages.firstElementChild?.remove();
    this.messages.appendChild(this.lineElement(line));
    if (follow || line.from?.id === this.me().id)
      this.messages.scrollTop = this.messages.scrollHeight;
  }

  /** Draws a line again (its delivery changed), if it is on screen. */
  redraw(line: Line): void {
    const element = this.elements.get(line);
    if (element?.isConnected) element.replaceWith(this.lineElement(line));
  }

  /** Shows who is typing in the conversation on screen. */
  showTyping(conversation: Conversation | undefined): void {
    this.typingLine.textContent = typingText(conversation);
  }

  private lineElement(line: Line): HTMLLIElement {
    const time = h('time', { datetime: new Date(line.at).toISOString() }, clock(line.at));
    if (!line.from) return h('li', { class: 'line system' }, line.text, ' · ', time);
    const mine = line.from.id === this.me().id;
    const { delivery } = line;
    const element = h(
      'li',
      { class: mine ? 'line mine' : 'line', 'data-id': line.id, 'data-delivery': delivery },
      h(
        'span',
        { class: 'meta' },
        h('span', { class: 'author' }, line.from.name),
        time,
        delivery && h('span', { class: 'delivery' }, DELIVERY_TEXT[delivery]),
      ),
      h('span', { class: 'text' }, line.text),
      delivery === 'failed' && this.failure(line),
    );
    this.elements.set(line, element);
    return element;
  }

  private failure(line: Line): HTMLElement {
    const retry = h('button', { type: 'button', class: 'small retry' }, 'Retry');
    retry.addEventListener('click', () => this.retry(line));
    return h('span', { class: 'failure' }, h('span', { class: 'reason' }, line.failure), retry);
  }
}
