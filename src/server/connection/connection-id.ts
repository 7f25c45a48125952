import { randomBytes } from 'node:crypto';

// A random per-process prefix and a counter: unique across instances, and a short flat string
// (a UUID per connection cost 450 bytes of heap).
const ID_PREFIX = randomBytes(9).toString('base64url');
let counter = 0;

/** A new connection id. */
export function nextConnectionId(): string {
  return `${ID_PREFIX}${(++counter).toString(36)}`;
}
