import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Issue 12: the client package (packages/client, built by `npm run build`, which `npm test`
 * runs first) stands alone: no dependency, nothing imported from the server or Nest, the same
 * version as the server package, and source maps that carry their sources.
 */

const DIST = 'packages/client/dist';

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('the client package', () => {
  it('is built', () => {
    expect(existsSync(join(DIST, 'client', 'index.js'))).toBe(true);
    expect(existsSync(join(DIST, 'cjs', 'client', 'index.js'))).toBe(true);
    expect(existsSync(join(DIST, 'browser', 'realtime-client.js'))).toBe(true);
  });

  it('has no dependency and the server package version', () => {
    const client = json('packages/client/package.json');
    expect(client['dependencies']).toBeUndefined();
    expect(client['version']).toBe(json('package.json')['version']);
  });

  it('imports nothing but its own files (and ws or react, optional peers, in Node)', () => {
    const foreign: string[] = [];
    for (const file of filesUnder(DIST)) {
      if (!/\.(js|d\.ts)$/.test(file)) continue;
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from |require\(|import\()['"]([^'"]+)['"]/g)) {
        if (specifier!.startsWith('.') || ['ws', 'react'].includes(specifier!)) continue;
        foreign.push(`${file}: ${specifier}`);
      }
    }
    expect(foreign).toEqual([]);
  });

  it('ships source maps with their sources inlined, so they resolve without src/', () => {
    const maps = [...filesUnder(DIST)].filter((file) => file.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(20);
    const missing = maps.filter((file) => {
      const map = json(file) as { sources: string[]; sourcesContent?: (string | null)[] };
      const contents = map.sourcesContent ?? [];
      return (
        map.sources.length === 0 ||
        contents.length !== map.sources.length ||
        contents.some((c) => !c)
      );
    });
    expect(missing).toEqual([]);
  });
});
