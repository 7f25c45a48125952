import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TEST_SECRET } from './demo-app.js';

const MAIN = 'dist/demo/main.js';

export interface DemoProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process printed so far. */
  output: string[];
}

/**
 * The demo as `npm start` runs it (the built `dist/demo/main.js`, which `npm test` builds
 * first), on port 0 with the test secret and `env` on top. Resolves once it listens and, when
 * `readyWhen` is given, once its output also contains that text (e.g. `Subscribed to`).
 */
export function startDemoProcess(
  env: Record<string, string> = {},
  readyWhen?: string,
): Promise<DemoProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', NO_COLOR: '1', JWT_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join('');
      const match = /Demo on (http:\/\/localhost:\d+)/.exec(text);
      if (match && (!readyWhen || text.includes(readyWhen))) {
        resolve({ child, baseUrl: match[1]!, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${output.join('')}`)));
  });
}
