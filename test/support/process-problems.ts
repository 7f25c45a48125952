import { EventEmitter } from 'node:events';

/**
 * Jest runs each test file with a copy of `process`: listeners added to it never see the
 * process-wide `unhandledRejection`. A function created in the outer realm returns the real one.
 */
const realProcess = (EventEmitter.constructor as FunctionConstructor)(
  'return process',
)() as NodeJS.Process;

/** Records unhandled rejections and uncaught exceptions of the whole process until `stop()`. */
export function watchProcessProblems(): { seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => void seen.push(reason);
  realProcess.on('unhandledRejection', listener);
  realProcess.on('uncaughtException', listener);
  return {
    seen,
    stop: () => {
      realProcess.off('unhandledRejection', listener);
      realProcess.off('uncaughtException', listener);
    },
  };
}
