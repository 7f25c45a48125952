import { contractHandlers } from '../server/index.js';
import type { DemoContract } from './contract.js';

/** `@SubscribeMessage` checked against the demo's contract: `@demo.request('chat:send')`. */
export const demo = contractHandlers<DemoContract>();

// Inject the registry as `ConnectionRegistry<DemoContract>` (not through a type alias: Nest's DI
// reads the constructor's parameter types at run time, and an alias compiles to `Object`).
