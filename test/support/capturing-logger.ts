import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every call as a `level message params...` line. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  readonly levels: string[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.capture('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.capture('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.capture('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.capture('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.capture('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.capture('fatal', message, params);
  }

  private capture(level: string, message: unknown, params: unknown[]): void {
    const text = [message, ...params].map(stringify).join(' ');
    this.levels.push(level);
    this.lines.push(`${level} ${text}`);
  }
}

function stringify(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return `${part.message}\n${part.stack ?? ''}`;
  try {
    return JSON.stringify(part);
  } catch {
    return String(part);
  }
}
