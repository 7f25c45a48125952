import { TestEnvironment } from 'jest-environment-jsdom';
import * as timers from 'node:timers';
import { TextDecoder, TextEncoder } from 'node:util';

/**
 * jsdom for React and Testing Library, fit to run the Nest server in the same realm:
 * - Node's export conditions: the `browser` export of `ws` is a stub that throws;
 * - Node's timers: the server `unref()`s its timers, and jsdom's return numbers;
 * - `TextEncoder`/`TextDecoder`, which browsers have and jsdom lacks (the SDK needs them).
 */
export default class JsdomServerEnvironment extends TestEnvironment {
  customExportConditions = ['node', 'node-addons'];

  constructor(config, context) {
    super(config, context);
    const { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate } =
      timers;
    Object.assign(this.global, {
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate,
      clearImmediate,
      TextEncoder,
      TextDecoder,
    });
  }
}
