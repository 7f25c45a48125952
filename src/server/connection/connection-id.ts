import { randomBytes } from 'node:crypto';

const ID = /^([\w-]{12})[0-9a-z]+$/;

/**
 * The connection ids of one registry: a random prefix (its origin) and a counter. Unique across
 * instances, and a short flat string (a UUID per connection cost 450 bytes of heap). The origin
 * also tells which instance holds a connection, so a send to another instance's connection goes
 * to that instance alone.
 */
export class ConnectionIds {
  readonly origin = randomBytes(9).toString('base64url');
  private counter = 0;

  /** A new connection id. */
  next(): string {
    return `${this.origin}${(++this.counter).toString(36)}`;
  }
}

/** The origin of a connection id; `undefined` for an id this module did not make. */
export function originOf(connectionId: string): string | undefined {
  return ID.exec(connectionId)?.[1];
}
