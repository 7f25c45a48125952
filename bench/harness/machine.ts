/** The machine, versions and commit a run measured on (results.md's last section). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { GENERATOR_CORE, SERVER_CORE } from './servers.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  pinned: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string | undefined;
  commit: string;
  versions: Record<string, string>;
}

const PACKAGES = [
  'ws',
  '@nestjs/core',
  '@nestjs/websockets',
  '@nestjs/platform-ws',
  '@nestjs/platform-socket.io',
  'socket.io',
  'engine.io',
  'class-validator',
  'class-transformer',
  'jsonwebtoken',
  'ioredis',
  'rxjs',
];

function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function collectMachine(root: string, redis: string | undefined, pinned: boolean): Machine {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const file = join(root, 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'missing';
    }
  }
  const sha = git(root, 'rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git(root, 'status', '--porcelain', '--', 'src').length > 0;
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    pinned: pinned
      ? `generator on core ${GENERATOR_CORE}, servers on core ${SERVER_CORE} (taskset)`
      : 'not pinned (taskset or a second core missing)',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    node: process.version,
    redis,
    commit: `${sha}${dirty ? ' + uncommitted changes in src/' : ''}`,
    versions,
  };
}
