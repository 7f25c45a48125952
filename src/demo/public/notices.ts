import { RealtimeClientError } from '../../client/index.js';
import { h } from './dom.js';

/** How long a notice stays on screen. */
const NOTICE_MS = 6000;

/** Most notices on screen at once; older ones go first. */
const MAX_NOTICES = 4;

export type NoticeKind = 'info' | 'error';

/** Shows a short message in the notice area (an `aria-live` region) for a few seconds. */
export type Notify = (text: string, kind?: NoticeKind) => void;

/** The notifier of the notice area `region`. */
export function noticesIn(region: HTMLElement): Notify {
  return (text, kind = 'info') => {
    const notice = h(
      'p',
      { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null },
      text,
    );
    region.appendChild(notice);
    while (region.children.length > MAX_NOTICES) region.firstElementChild?.remove();
    setTimeout(() => notice.remove(), NOTICE_MS);
  };
}

/** A readable one-liner of a failure: `CODE: message` for the SDK's errors. */
export function describe(error: unknown): string {
  if (error instanceof RealtimeClientError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
