import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The published types need no optional peer: an app without the `redis` option does not install
 * ioredis, and with `skipLibCheck: false` TypeScript reads every declaration file the package's
 * entry points reach. Follows the relative imports of dist/**\/index.d.ts (built by
 * `npm run build`, which `npm test` runs first) and lists what each reached file imports.
 */

const ENTRIES = ['dist/server/index.d.ts', 'dist/cjs/server/index.d.ts', 'dist/testing/index.d.ts'];
const OPTIONAL_PEERS = ['ioredis', 'prom-client', '@asyncapi/parser', 'react'];
const IMPORT = /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every declaration file reachable from `entry`, with the bare specifiers it imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const bare: string[] = [];
    seen.set(file, bare);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const target = join(dirname(file), spec.replace(/\.js$/, '.d.ts'));
      const index = join(dirname(file), spec, 'index.d.ts');
      if (existsSync(target)) queue.push(target);
      else if (existsSync(index)) queue.push(index);
    }
  }
  return seen;
}

describe('the published types', () => {
  it.each(ENTRIES.filter((entry) => existsSync(entry)))(
    '%s reaches no optional peer package',
    (entry) => {
      const offending: string[] = [];
      const files = reachable(entry);
      for (const [file, imports] of files) {
        for (const spec of imports) {
          if (OPTIONAL_PEERS.some((peer) => spec === peer || spec.startsWith(`${peer}/`))) {
            offending.push(`${file} imports ${spec}`);
          }
        }
      }
      expect(files.size).toBeGreaterThan(20);
      expect(offending).toEqual([]);
    },
  );
});
