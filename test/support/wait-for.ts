/**
 * Re-checks a condition that no event announces (a counter, a Redis reply), each turn of the
 * event loop; fails naming `what` after 20 s, so a hang says which step it was.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
