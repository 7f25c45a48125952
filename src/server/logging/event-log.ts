import { Logger, type LoggerService } from '@nestjs/common';
import { redact } from '../errors/redact.js';

/** The fields of one log line; `undefined` ones are left out. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export type EventLevel = 'log' | 'warn' | 'error' | 'debug';

/** Lines of one kind per window before the rest are only counted. */
const BURST = 20;
const WINDOW_MS = 10_000;
const PLAIN = /^[\w.:/@-]+$/;

function valueOf(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const text = redact(value);
  return PLAIN.test(text) ? text : JSON.stringify(text);
}

/**
 * One line in logfmt: the event name, then `key=value` pairs (values with spaces or quotes are
 * JSON strings), tokens redacted from every value. E.g.
 * `upgrade_refused status=401 code=UNAUTHORIZED path=/ws ip=10.0.0.7 reason="Invalid token"`.
 */
export function formatEvent(event: string, fields: LogFields): string {
  let line = event;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) line += ` ${key}=${valueOf(value)}`;
  }
  return line;
}

/** Whether Nest's `Logger` would print a debug line; other loggers decide for themselves. */
function debugEnabled(logger: LoggerService): boolean {
  if (!(logger instanceof Logger)) return true;
  // Nest 10's Logger has it too; checked in case an older one does not.
  return typeof Logger.isLevelEnabled !== 'function' || Logger.isLevelEnabled('debug');
}

interface Window {
  start: number;
  lines: number;
  suppressed: number;
}

/**
 * Notable events of the realtime layer, one structured line each, through Nest's logger (so the
 * app's logger, its levels and its format apply). A kind that floods (a scan with bad tokens, a
 * mass disconnect) is held to {@link BURST} lines per 10 s; the next line of that kind after the
 * window says how many were left out (`suppressed=N`). The metrics count every one.
 */
export class EventLog {
  private readonly windows = new Map<string, Window>();
  private debugEnabled = true;
  private debugAskedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: LoggerService,
    private readonly now: () => number = Date.now,
  ) {}

  write(level: EventLevel, event: string, fields: LogFields, trace?: string): void {
    const now = this.now();
    // A debug line nobody prints is not formatted (one is written per close).
    if (level === 'debug' && !this.printsDebug(now)) return;
    let window = this.windows.get(event);
    if (!window || now - window.start >= WINDOW_MS) {
      const suppressed = window?.suppressed ?? 0;
      window = { start: now, lines: 0, suppressed: 0 };
      this.windows.set(event, window);
      if (suppressed > 0) fields = { ...fields, suppressed };
    }
    if (window.lines >= BURST) {
      window.suppressed++;
      return;
    }
    window.lines++;
    const line = formatEvent(event, fields);
    if (level === 'error') this.logger.error(line, ...(trace ? [redact(trace)] : []));
    else if (level === 'debug') this.logger.debug?.(line);
    else this.logger[level](line);
  }

  /**
   * Whether debug lines are printed, asked at most once a second (Nest's check sorts the app's
   * levels each time): a level changed at run time applies within a second.
   */
  printsDebug(now = this.now()): boolean {
    if (now - this.debugAskedAt >= 1000 || now < this.debugAskedAt) {
      this.debugAskedAt = now;
      this.debugEnabled = debugEnabled(this.logger);
    }
    return this.debugEnabled;
  }
}
