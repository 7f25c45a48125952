import type { BoundHandler } from '../connection/connection-state.js';
import type { PathEntry } from '../gateway/gateway-catalog.js';
import type { RealtimeValidationPipe } from '../pipes/realtime-validation.pipe.js';
import { hasGlobalEnhancers } from './app-enhancers.js';
import { directHandler } from './direct-handler.js';
import type { HandlerTarget } from './handler-target.js';

/**
 * The direct handlers of the app's gateways (see `directHandler()`), decided once per handler;
 * none at all when the app has a global guard, interceptor, pipe or filter.
 */
export class DirectHandlers {
  private readonly made = new Map<HandlerTarget, BoundHandler | undefined>();
  private globals: boolean | undefined;

  constructor(
    private readonly app: object,
    private readonly entryOf: (path: string) => PathEntry | undefined,
    private readonly pipe: RealtimeValidationPipe,
  ) {}

  /** The direct handler of an event (every client's); `undefined`: keep Nest's callback. */
  bind(path: string, event: string): BoundHandler | undefined {
    // Read at the first connection: Nest built its handler chains at init, with these globals.
    this.globals ??= hasGlobalEnhancers(this.app);
    if (this.globals) return undefined;
    const target = this.entryOf(path)?.handlers.get(event);
    if (!target) return undefined;
    if (!this.made.has(target)) this.made.set(target, directHandler(target, this.pipe));
    return this.made.get(target);
  }
}
