import type { Page } from 'playwright-core';

/** A phone 390 CSS px wide (an iPhone 12 to 15). */
export const PHONE_390 = { width: 390, height: 844 };

/** Least width and height of a control on a touch screen (WCAG 2.5.5). */
export const MIN_TARGET_PX = 44;

/**
 * Every visible control (button, input, select, textarea, link) smaller than `min` px either
 * way, as `#id or text: W x H`; an empty list means none.
 */
export function smallTargets(page: Page, min = MIN_TARGET_PX): Promise<string[]> {
  return page.evaluate((least) => {
    const controls = document.querySelectorAll<HTMLElement>(
      'button, input, select, textarea, a[href]',
    );
    return [...controls].flatMap((control) => {
      const { width, height } = control.getBoundingClientRect();
      if (!control.checkVisibility() || control.closest('.sr-only')) return [];
      if (width >= least && height >= least) return [];
      const name = control.id ? `#${control.id}` : (control.getAttribute('aria-label') ?? '');
      const label = name || control.textContent?.trim() || control.tagName;
      return [`${label}: ${Math.round(width)} x ${Math.round(height)}`];
    });
  }, min);
}

/**
 * Where toasts and the game's buttons meet on screen: one line per notice and button whose
 * rectangles intersect (a button counts by the part of it that the scrolling page shows), or
 * whose centre the browser hits on something else. Also fails when no notice shows.
 */
export function toastsOverGame(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Box = { left: number; top: number; right: number; bottom: number };
    const clip = (a: Box, b: Box): Box => ({
      left: Math.max(a.left, b.left),
      top: Math.max(a.top, b.top),
      right: Math.min(a.right, b.right),
      bottom: Math.min(a.bottom, b.bottom),
    });
    const empty = (box: Box) => box.right <= box.left || box.bottom <= box.top;
    const viewport = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
    const notices = [...document.querySelectorAll<HTMLElement>('#notices .notice')];
    const shown = notices.map((n) => clip(n.getBoundingClientRect(), viewport));
    if (shown.length === 0 || shown.some(empty)) return ['a notice is not on screen'];
    const scroller = document.querySelector('.page')?.getBoundingClientRect() ?? viewport;
    const problems: string[] = [];
    for (const button of document.querySelectorAll<HTMLElement>('#game button')) {
      if (!button.checkVisibility()) continue;
      const visible = clip(clip(button.getBoundingClientRect(), scroller), viewport);
      if (empty(visible)) continue;
      const name = button.getAttribute('aria-label') ?? button.textContent;
      const x = (visible.left + visible.right) / 2;
      const y = (visible.top + visible.bottom) / 2;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !button.contains(hit))
        problems.push(`${name}: its centre hits ${hit?.className}`);
      shown.forEach((notice, i) => {
        if (!empty(clip(notice, visible))) problems.push(`${name} meets notice ${i + 1}`);
      });
    }
    return problems;
  });
}
