// Builds the demo's web page into dist/public: the page script bundled for browsers (without
// the client SDK, which it imports from the SDK's own browser bundle at /sdk/), its stylesheet
// (app.css, whose @imports of styles/*.css esbuild inlines in order into the one app.css),
// index.html and the icon. Run by `npm run build` after `build:browser`.
import { existsSync, statSync } from 'node:fs';
import { build } from 'esbuild';

const SOURCE = 'src/demo/public';
const OUT = 'dist/public';
const SDK_BUNDLE = 'dist/browser/realtime-client.js';
/** Where the demo serves `dist/browser/` (see src/demo/page/serve-page.ts). */
const SDK_URL = '/sdk/realtime-client.js';

if (!existsSync(SDK_BUNDLE)) {
  console.error(`${SDK_BUNDLE} is missing: run npm run build:browser first.`);
  process.exit(1);
}

/** `import ... from '../../client/index.js'` becomes an import of the SDK's browser bundle. */
const sdkFromBrowserBundle = {
  name: 'sdk-from-browser-bundle',
  setup(builder) {
    builder.onResolve({ filter: /(^|\/)client\/index\.js$/ }, () => ({
      path: SDK_URL,
      external: true,
    }));
  },
};

await build({
  entryPoints: [
    `${SOURCE}/app.ts`,
    `${SOURCE}/app.css`,
    `${SOURCE}/index.html`,
    `${SOURCE}/favicon.svg`,
  ],
  outdir: OUT,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  loader: { '.html': 'copy', '.svg': 'copy' },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [sdkFromBrowserBundle],
});

const size = (file) => `${statSync(`${OUT}/${file}`).size} B`;
console.log(`${OUT}: app.js ${size('app.js')}, app.css ${size('app.css')} (SDK from ${SDK_URL})`);
