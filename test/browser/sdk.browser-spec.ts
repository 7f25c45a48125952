import type { Page } from 'playwright-core';
import { usePageScenario } from './support/scenario.js';

/**
 * Issue 12, in a real browser, where a refused upgrade is only a close 1006: the SDK's browser
 * bundle (served by the demo at /sdk/) reports a clear UNREACHABLE error after a bounded number
 * of failed opens and settles connect(), and retries a getToken() that fails.
 */

interface Outcome {
  connected: boolean;
  error?: { code: string; message: string };
  states: string[];
  errors: string[];
}

describe('the client SDK in Chromium', () => {
  const scenario = usePageScenario();

  /** A blank page of the demo's origin (allowed to open WebSockets), with the SDK loaded. */
  async function sdkPage(): Promise<Page> {
    const page = await scenario.browser.newPage();
    await page.goto(`${scenario.server.baseUrl}/page-config.json`);
    return page;
  }

  /** Runs `connect()` in the page with these options; `getToken` fails `failures` times. */
  async function connectIn(
    page: Page,
    options: { path: string; token?: string; failures?: number; maxFailedOpens?: number },
  ): Promise<Outcome> {
    return page.evaluate(async ({ path, token, failures, maxFailedOpens }) => {
      const sdk = (await import(
        '/sdk/realtime-client.js' as string
      )) as typeof import('../../src/client/index.js');
      let calls = 0;
      const client = new sdk.RealtimeClient({
        url: `${location.origin.replace(/^http/, 'ws')}${path}`,
        getToken: token
          ? () => {
              if (++calls <= (failures ?? 0)) throw new Error('token endpoint answered 502');
              return token;
            }
          : undefined,
        maxFailedOpens,
        backoff: { initialMs: 20, maxMs: 50 },
      });
      const outcome: Outcome = { connected: false, states: [], errors: [] };
      client.onState((change) => outcome.states.push(`${change.state}:${change.code}`));
      client.onError((error) => outcome.errors.push(error.code));
      try {
        await client.connect();
        outcome.connected = true;
      } catch (error) {
        const { code, message } = error as { code: string; message: string };
        outcome.error = { code, message };
      }
      await client.close();
      return outcome;
    }, options);
  }

  async function devToken(name: string): Promise<string> {
    const res = await fetch(`${scenario.server.baseUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return ((await res.json()) as { token: string }).token;
  }

  it('a wrong path: connect() rejects with UNREACHABLE after maxFailedOpens closes 1006', async () => {
    const page = await sdkPage();
    const outcome = await connectIn(page, { path: '/nope', maxFailedOpens: 3 });
    expect(outcome.connected).toBe(false);
    expect(outcome.error?.code).toBe('UNREACHABLE');
    expect(outcome.error?.message).toContain('3 connection attempts in a row failed');
    expect(outcome.errors).toEqual(['UNREACHABLE']);
    expect(outcome.states.filter((s) => s === 'reconnecting:1006')).toHaveLength(1);
  });

  it('a refused token (401, a 1006 to the browser): the same bounded UNREACHABLE', async () => {
    const page = await sdkPage();
    const forged = `${(await devToken('mallory')).slice(0, -4)}AAAA`;
    const outcome = await connectIn(page, { path: '/ws', token: forged, maxFailedOpens: 2 });
    expect(outcome.error?.code).toBe('UNREACHABLE');
    expect(outcome.errors).toEqual(['UNREACHABLE']);
  });

  it('a getToken() that fails twice, then succeeds: connected', async () => {
    const page = await sdkPage();
    const token = await devToken('patient');
    const outcome = await connectIn(page, { path: '/ws', token, failures: 2 });
    expect(outcome.connected).toBe(true);
    expect(outcome.errors).toEqual(['TOKEN_FAILED', 'TOKEN_FAILED']);
    expect(outcome.states).toEqual([
      'connecting:CONNECT_CALLED',
      'reconnecting:TOKEN_FAILED',
      'open:CONNECTED',
      'closed:1000',
    ]);
  });
});
