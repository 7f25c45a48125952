/**
 * Summaries of V8 CPU profiles (.cpuprofile, the format `node --cpu-prof` writes and Chrome
 * DevTools opens): time by library, and the functions with the most self and total time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFormatted } from './report.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

function category(frame: CallFrame): string {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (name === '(root)') return 'root';
  if (url.includes('/nestjs-realtime/dist/')) return 'nestjs-realtime (dist/server)';
  if (url.includes('/nestjs-realtime-bench/servers/')) return 'bench server code';
  const lib = /\/node_modules\/((?:@[^/]+\/)?[^/.][^/]*)\//.exec(url)?.[1];
  if (lib) {
    if (lib.startsWith('@nestjs/')) return `Nest (${lib})`;
    if (['jsonwebtoken', 'jws', 'jwa', 'safe-buffer', 'semver', 'ms'].includes(lib))
      return 'JWT (jsonwebtoken)';
    return lib;
  }
  if (url.startsWith('node:')) return 'Node core';
  if (url === '') return 'V8 builtins (JSON, ...)';
  return 'other';
}

function where(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url
    .replace(/^file:\/\/.*\/nestjs-realtime\/dist\//, 'dist/')
    .replace(/^file:\/\/.*\/nestjs-realtime-bench\//, 'bench/')
    .replace(/^file:\/\/.*\/node_modules\//, '');
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const busy = total - idle;
  const ms = (profile.endTime - profile.startTime) / 1000;
  const categories = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Depth-first, with the distinct functions on the current path (recursion counted once).
  const walk = (node: ProfileNode, path: Map<string, number>): void => {
    const key = where(node.callFrame);
    path.set(key, (path.get(key) ?? 0) + 1);
    const hits = node.hitCount ?? 0;
    if (hits > 0 && node.callFrame.functionName !== '(idle)') {
      const cat = category(node.callFrame);
      categories.set(cat, (categories.get(cat) ?? 0) + hits);
      self.set(key, (self.get(key) ?? 0) + hits);
      for (const k of path.keys()) inclusive.set(k, (inclusive.get(k) ?? 0) + hits);
    }
    for (const child of node.children ?? []) walk(byId.get(child)!, path);
    const left = path.get(key)! - 1;
    if (left === 0) path.delete(key);
    else path.set(key, left);
  };
  walk(profile.nodes[0]!, new Map());
  const share = (hits: number): string => `${((hits / busy) * 100).toFixed(1)}%`;
  const lines: string[] = [];
  lines.push(`### ${basename(file, '.cpuprofile')}`, '');
  lines.push(
    `${ms.toFixed(0)} ms sampled, busy ${((busy / total) * 100).toFixed(0)}% of it; shares below are of the busy time.`,
    '',
  );
  lines.push('| where the time goes | share |', '| --- | ---: |');
  for (const [cat, hits] of [...categories].sort((a, b) => b[1] - a[1])) {
    if (cat === 'root') continue;
    lines.push(`| ${cat} | ${share(hits)} |`);
  }
  lines.push('', `Top ${top} functions by self time:`, '');
  lines.push('| function | self |', '| --- | ---: |');
  for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| \`${key}\` | ${share(hits)} |`);
  }
  const ours = [...inclusive]
    .filter(([key]) =>
      /\(dist\/server\/|\(@nestjs\/|\(rxjs\/|\(class-(validator|transformer)\//.test(key),
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  lines.push(
    '',
    `Top ${top} Nest / RxJS / class-validator / nestjs-realtime functions by total time (self + callees):`,
    '',
  );
  lines.push('| function | total |', '| --- | ---: |');
  for (const [key, hits] of ours) lines.push(`| \`${key}\` | ${share(hits)} |`);
  lines.push('');
  return lines.join('\n');
}

/** Writes the summary of every profile in `dir` (a CLI too: node profile.js <dir> <out>). */
export async function summarizeProfiles(dir: string, out: string): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const parts = [
    '# CPU profiles of the measured windows',
    '',
    'Written by `npm run bench -- --profile` (V8 sampling profiler, 100 µs interval, started and stopped',
    'around each measured window over the inspector protocol: the same profiler and file format as',
    '`node --cpu-prof`; the raw `.cpuprofile` files are in `node_modules/.cache/nestjs-realtime-bench/profiles/`, open them in Chrome',
    'DevTools). Profiling slows the server down a little: take the numbers from results.md.',
    '',
    ...files.map((f) => summarize(join(dir, f), 20)),
  ];
  await writeFormatted(out, parts.join('\n'));
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  await summarizeProfiles(process.argv[2]!, process.argv[3]!);
}
