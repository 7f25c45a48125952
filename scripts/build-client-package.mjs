// Builds packages/client (npm: nestjs-realtime-client), the client alone for frontends: the
// client, protocol and React entries of dist/ (ESM and CommonJS, with their .d.ts and source
// maps) and the browser bundle, copied with the same relative layout, so the package has no
// dependency at all. Run by `npm run build` after the other builds; refuses to build when the
// two packages' versions differ (they are released together).
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const OUT = 'packages/client/dist';
const ENTRIES = ['client', 'protocol', 'react'];

const server = JSON.parse(readFileSync('package.json', 'utf8'));
const client = JSON.parse(readFileSync('packages/client/package.json', 'utf8'));
if (server.version !== client.version) {
  console.error(
    `packages/client/package.json is at ${client.version} but package.json at ${server.version}: ` +
      'the client and the server are released at the same version.',
  );
  process.exit(1);
}

rmSync(OUT, { recursive: true, force: true });
for (const entry of ENTRIES) {
  for (const [from, to] of [
    [`dist/${entry}`, `${OUT}/${entry}`],
    [`dist/cjs/${entry}`, `${OUT}/cjs/${entry}`],
  ]) {
    if (!existsSync(from)) {
      console.error(`${from} is missing: run the main build first.`);
      process.exit(1);
    }
    cpSync(from, to, { recursive: true });
  }
}
cpSync('dist/browser', `${OUT}/browser`, { recursive: true });
writeFileSync(`${OUT}/cjs/package.json`, JSON.stringify({ type: 'commonjs' }) + '\n');
