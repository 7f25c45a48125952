import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { EventLog, formatEvent } from './event-log.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';

function capture() {
  const lines: string[] = [];
  const logger: LoggerService = {
    log: (m: string) => lines.push(`log ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string, trace?: string) => lines.push(`error ${m}${trace ? ` | ${trace}` : ''}`),
    debug: (m: string) => lines.push(`debug ${m}`),
  };
  return { lines, logger };
}

describe('EventLog', () => {
  it('writes one logfmt line: plain values bare, others quoted, undefined left out', () => {
    expect(
      formatEvent('upgrade_refused', {
        status: 401,
        code: 'UNAUTHORIZED',
        path: '/ws',
        ip: '::ffff:127.0.0.1',
        reason: 'Invalid "token"',
        user: undefined,
      }),
    ).toBe(
      'upgrade_refused status=401 code=UNAUTHORIZED path=/ws ip=::ffff:127.0.0.1 reason="Invalid \\"token\\""',
    );
    expect(formatEvent('x', { text: 'two\nlines' })).toBe('x text="two\\nlines"');
  });

  it('redacts tokens from every value and from the trace', () => {
    const { lines, logger } = capture();
    new EventLog(logger).write(
      'error',
      'handler_failed',
      { error: `Error: bad ${JWT}`, query: `access_token=${JWT}` },
      `Error: bearer ${JWT}\n    at x`,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(JWT);
    expect(lines[0]).toContain('[REDACTED]');
  });

  it('holds a flood to 20 lines per kind per 10 s, then says how many were left out', () => {
    const { lines, logger } = capture();
    let now = 1_000;
    const log = new EventLog(logger, () => now);
    for (let i = 0; i < 50; i++) log.write('log', 'upgrade_refused', { n: i });
    log.write('warn', 'connection_closed', { code: 4429 });
    expect(lines.filter((l) => l.includes('upgrade_refused'))).toHaveLength(20);
    expect(lines.filter((l) => l.includes('connection_closed'))).toHaveLength(1);
    now += 9_999;
    log.write('log', 'upgrade_refused', { n: 50 });
    expect(lines.filter((l) => l.includes('upgrade_refused'))).toHaveLength(20);
    now += 1;
    log.write('log', 'upgrade_refused', { n: 51 });
    expect(lines.at(-1)).toBe('log upgrade_refused n=51 suppressed=31');
    log.write('log', 'upgrade_refused', { n: 52 });
    expect(lines.at(-1)).toBe('log upgrade_refused n=52');
  });

  it("formats no debug line Nest's Logger would not print, and sees a level change within 1 s", () => {
    const printed: string[] = [];
    class Console extends ConsoleLogger {
      // Prints whatever reaches it: only the EventLog's own check stands between.
      override debug(message: unknown): void {
        printed.push(String(message));
      }
    }
    const app = new Console('App', { logLevels: ['error', 'warn', 'log'] });
    Logger.overrideLogger(app);
    try {
      let now = 0;
      const log = new EventLog(new Logger('Test'), () => now);
      expect(log.printsDebug()).toBe(false);
      log.write('debug', 'connection_closed', { code: 1000 });
      expect(printed).toEqual([]);
      app.setLogLevels(['error', 'warn', 'log', 'debug']);
      now = 999;
      log.write('debug', 'connection_closed', { code: 1001 });
      expect(printed).toEqual([]);
      now = 1000;
      log.write('debug', 'connection_closed', { code: 1002 });
      expect(printed).toEqual(['connection_closed code=1002']);
      expect(log.printsDebug()).toBe(true);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });
});
