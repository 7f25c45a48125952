/** A `@SubscribeMessage()` method of a realtime gateway, as the catalog found it at boot. */
export interface HandlerTarget {
  readonly instance: object;
  readonly methodName: string;
  /** The method on the prototype (what Nest binds and reads enhancer metadata from). */
  readonly callback: (...args: unknown[]) => unknown;
  /** False for request-scoped gateways (Nest builds an instance per message). */
  readonly isStatic: boolean;
}
