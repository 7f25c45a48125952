import type { Conversation } from './chat-conversation.js';
import { byId, h, replaceChildren } from './dom.js';
import type { Notify } from './notices.js';

/** Room names the server accepts (demo.md). */
const ROOM = /^[a-z0-9_-]{1,64}$/;

/** A room name as typed (`#General Chat`) made into one the server takes (`general-chat`). */
export function normalizeRoom(input: string): string {
  return input.trim().replace(/^#/, '').toLowerCase().replace(/\s+/g, '-');
}

/** What the room list needs from the chat panel. */
export interface RoomListHost {
  /** Joins a room typed in the join form (a valid name). */
  join(room: string): void;
  /** Shows a conversation whose tab was clicked. */
  select(conversation: Conversation): void;
  notify: Notify;
}

/**
 * The room list: the form that joins a room (`#join-form`), and one tab per room and per
 * direct conversation (`#conversations`), the one on screen marked `aria-current`, the others
 * with their unread count.
 */
export class RoomList {
  private readonly list = byId('conversations', HTMLUListElement);

  /** Listens to the join form until `signal` aborts. */
  constructor(
    private readonly host: RoomListHost,
    signal: AbortSignal,
  ) {
    const joinForm = byId('join-form', HTMLFormElement);
    const joinInput = byId('join-room', HTMLInputElement);
    joinForm.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        const room = normalizeRoom(joinInput.value);
        if (!ROOM.test(room)) {
          this.host.notify('A room name is 1-64 characters of a-z, 0-9, - and _.', 'error');
          return;
        }
        joinInput.value = '';
        this.host.join(room);
      },
      { signal },
    );
  }

  /** Draws the tabs of `conversations`, in order. */
  render(conversations: Iterable<Conversation>, active: Conversation | undefined): void {
    const items = [...conversations].map((conversation) => {
      const current = conversation === active;
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
      button.addEventListener('click', () => this.host.select(conversation));
      return h('li', {}, button);
    });
    replaceChildren(this.list, ...items);
  }
}
