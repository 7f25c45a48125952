import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The system's Chromium (Debian: `apt-get install -y chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Where the screenshots go (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

/** Longest wait of one step (a locator, a function) before the test fails with its message. */
const STEP_TIMEOUT_MS = 15_000;

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 812 };

/** Launches headless Chromium; fails with the install command when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One browser context (a separate user: its own storage) with one tab on the demo page. */
export interface DemoTab {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
}

/** Opens and tracks tabs, each in its own context; `closeAll()` tears them all down. */
export class Tabs {
  private readonly contexts = new Set<BrowserContext>();
  private readonly tabs: DemoTab[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: () => string,
  ) {}

  /** Opens the page in a new context, not signed in yet. */
  async open(name: string, viewport = DESKTOP): Promise<DemoTab> {
    const context = await this.browser.newContext({ viewport });
    this.contexts.add(context);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    const tab: DemoTab = { name, context, page, errors: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') tab.errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => tab.errors.push(`pageerror: ${error.message}`));
    // Everything comes from the demo itself: no CDN, no third party.
    const origin = new URL(this.baseUrl()).origin;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== origin) {
        tab.errors.push(`foreign request: ${request.url()}`);
      }
    });
    this.tabs.push(tab);
    await page.goto(this.baseUrl());
    return tab;
  }

  /** Opens the page and signs in as `name`; resolves once connected and in the first room. */
  async signedIn(name: string, viewport = DESKTOP): Promise<DemoTab> {
    const tab = await this.open(name, viewport);
    await signIn(tab);
    return tab;
  }

  /** Closes one tab's context (its socket closes as a closed tab's would). */
  async close(tab: DemoTab): Promise<void> {
    this.contexts.delete(tab.context);
    await tab.context.close();
  }

  /** Every console error of every tab, except those matching `allowed`. */
  errors(allowed: readonly RegExp[] = []): string[] {
    return this.tabs.flatMap((tab) =>
      tab.errors
        .filter((error) => !allowed.some((pattern) => pattern.test(error)))
        .map((error) => `${tab.name}: ${error}`),
    );
  }

  /** Closes every context that is still open. */
  async closeAll(): Promise<void> {
    const contexts = [...this.contexts];
    this.contexts.clear();
    this.tabs.length = 0;
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/** Signs in with the tab's name: waits for the form, then for `open` and the lobby. */
export async function signIn(tab: DemoTab): Promise<void> {
  const { page, name } = tab;
  await page.locator('#login-button:enabled').waitFor();
  await page.fill('#login-name', name);
  await page.click('#login-button');
  await connectionState(page, 'open');
  await page.locator('#members .member', { hasText: name }).waitFor();
}

/** Waits until the connection badge shows `state`. */
export async function connectionState(page: Page, state: string): Promise<void> {
  await page.locator(`#connection[data-state="${state}"]`).waitFor();
}

/** Waits until a chat line with `text` is on screen. */
export async function chatLine(page: Page, text: string): Promise<void> {
  await page.locator('#messages .line', { hasText: text }).waitFor();
}

/** Types and sends a chat message in the open conversation. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#message-input', text);
  await page.click('#send-button');
}

/**
 * Frames the page again, or lets the document grow to its whole height: the page
 * scrolls inside `.page`, above the notices (layout.css), which a full-page shot does not see.
 */
function setFramed(page: Page, framed: boolean): Promise<void> {
  return page.evaluate((on) => {
    const styles = [document.body.style, document.querySelector<HTMLElement>('.page')?.style];
    for (const style of styles) {
      if (on) style?.removeProperty('overflow');
      else style?.setProperty('overflow', 'visible');
    }
    if (on) document.body.style.removeProperty('height');
    else document.body.style.setProperty('height', 'auto');
  }, framed);
}

/** Saves a screenshot of the page to test-artifacts/`file`; returns its path. */
export async function screenshot(page: Page, file: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, file);
  if (fullPage) await setFramed(page, false);
  try {
    await page.screenshot({ path, fullPage, animations: 'disabled' });
  } finally {
    if (fullPage) await setFramed(page, true);
  }
  return path;
}
