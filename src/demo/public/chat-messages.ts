import type { ChatUser } from '../contract.js';
import { typingText, type Conversation, type Line } from './chat-conversation.js';
import { atBottom, byId, clock, h, replaceChildren } from './dom.js';

/**
 * The lines of the conversation on screen (`#messages`: messages, mine on the right, and notes
 * such as "bob joined") and who is typing in it (`#typing`).
 */
export class MessageList {
  private readonly messages = byId('messages', HTMLOListElement);
  private readonly typingLine = byId('typing', HTMLElement);

  constructor(private readonly me: () => ChatUser) {}

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

  /** Shows who is typing in the conversation on screen. */
  showTyping(conversation: Conversation | undefined): void {
    this.typingLine.textContent = typingText(conversation);
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
