import type { ChatUser } from '../contract.js';
import type { Conversation } from './chat-conversation.js';
import { byId, h, replaceChildren } from './dom.js';

/** Members listed at most (a room's join reply lists as many). */
const LISTED = 100;

/**
 * The members of the room on screen (`#members`): the user first, then by name, each other one
 * with a button that opens the direct conversation. A direct conversation shows a note instead.
 */
export class MembersPanel {
  private readonly title = byId('members-title', HTMLElement);
  private readonly list = byId('members', HTMLUListElement);

  /** `message` opens the direct conversation with a member. */
  constructor(
    private readonly me: () => ChatUser,
    private readonly message: (user: ChatUser) => void,
  ) {}

  render(conversation: Conversation | undefined): void {
    const me = this.me();
    if (conversation?.kind !== 'room') {
      this.title.textContent = conversation ? 'Direct messages' : 'Members';
      const note = conversation
        ? `Only ${conversation.title} and you see these. They reach every open tab of ${conversation.title}.`
        : 'Members of the room show here.';
      replaceChildren(this.list, h('li', { class: 'empty' }, note));
      return;
    }
    const known = [...conversation.members.values()];
    const members = known
      .sort((a, b) => {
        if (a.id === me.id || b.id === me.id) return a.id === me.id ? -1 : 1;
        return a.name.localeCompare(b.name);
      })
      .slice(0, LISTED);
    // A big room is listed in part (demo.md, "Big rooms"): its size is the server's count.
    const total = conversation.count > LISTED ? conversation.count : known.length;
    this.title.textContent = `Members (${total})`;
    const items = members.map((member) => {
      const mine = member.id === me.id;
      const message =
        !mine &&
        h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Message ${member.name}` },
          'Message',
        );
      if (message) message.addEventListener('click', () => this.message(member));
      return h(
        'li',
        { class: 'member', 'data-user': member.id, title: member.id },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(member.name)),
        h('span', { class: 'member-name' }, member.name),
        mine && h('span', { class: 'you' }, 'you'),
        message,
      );
    });
    const more = total - members.length;
    const rest = more > 0 && h('li', { class: 'empty' }, `and ${more} more`);
    replaceChildren(this.list, ...items, rest);
  }
}

/** The first letter of a name, for its avatar. */
function initial(name: string): string {
  return (Array.from(name.trim())[0] ?? '?').toUpperCase();
}
