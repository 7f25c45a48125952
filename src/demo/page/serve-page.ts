import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The package root: `src/demo/page/` and `dist/demo/page/` are both three levels down. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm run build` puts the web page (`build:page`). */
export const DEFAULT_PUBLIC_DIR = join(PACKAGE_ROOT, 'dist', 'public');

/** Where `npm run build` puts the browser bundle of the client SDK (`build:browser`). */
export const DEFAULT_SDK_DIR = join(PACKAGE_ROOT, 'dist', 'browser');

/**
 * The page may load its own files and talk to its own origin (`'self'` covers `ws:` to the same
 * host and port); no inline script or style, no framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

function setHeaders(res: HeaderResponse, path: string): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Revalidate every time (ETag): a rebuilt page is picked up by a plain reload.
  res.setHeader('Cache-Control', 'no-cache');
  if (path.endsWith('.html')) {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
  }
}

export interface PageDirs {
  /** The built page: `index.html`, `app.js`, `app.css`. */
  publicDir?: string;
  /** The SDK's browser bundle, served at `/sdk/realtime-client.js`. */
  sdkDir?: string;
}

/**
 * Serves the web page: `GET /` is `index.html`, its assets next to it, and the client SDK's
 * browser bundle under `/sdk/` (the page imports it from there). Routes of the app and the
 * WebSocket path are not affected: a file that does not exist falls through to them.
 */
export function servePage(app: NestExpressApplication, dirs: PageDirs = {}): void {
  const publicDir = dirs.publicDir ?? DEFAULT_PUBLIC_DIR;
  const sdkDir = dirs.sdkDir ?? DEFAULT_SDK_DIR;
  if (!existsSync(join(publicDir, 'index.html'))) {
    new Logger('Demo').warn(`The web page is not built (${publicDir}): run npm run build.`);
  }
  app.useStaticAssets(publicDir, { index: 'index.html', setHeaders });
  app.useStaticAssets(sdkDir, { prefix: '/sdk/', index: false, setHeaders });
}
