/** Keys that scroll what has the focus, or the page when nothing has it. */
const SCROLL_KEYS = new Set(['PageDown', 'PageUp', 'Home', 'End', 'ArrowDown', 'ArrowUp', ' ']);

/**
 * The page scrolls inside `scroller` (`.page`, tabindex -1), above the notices (layout.css),
 * instead of in the document: a browser sends scroll keys to the document when nothing has the
 * focus, so they would do nothing. A scroll key pressed then first moves the focus to the
 * scroller (a click on text does the same, through its tabindex), and scrolls it.
 */
export function keepKeyboardScrolling(scroller: HTMLElement): void {
  document.addEventListener(
    'keydown',
    (event) => {
      const unfocused = !document.activeElement || document.activeElement === document.body;
      if (unfocused && SCROLL_KEYS.has(event.key)) scroller.focus({ preventScroll: true });
    },
    { capture: true },
  );
}
