// Copies the README blocks marked `<!-- consumer-app: <file> ... -->` into a consumer app, so
// that the README's own code is what CI compiles and runs: node extract-snippets.mjs README.md DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [readme, target] = process.argv.slice(2);
const MARKER = /<!-- consumer-app: (\S+)[^>]*-->\s*```ts\n([\s\S]*?)```/g;
let count = 0;
for (const [, file, code] of readFileSync(readme, 'utf8').matchAll(MARKER)) {
  const path = join(target, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `// Extracted from the README by extract-snippets.mjs.\n${code}`);
  count++;
}
if (count === 0) {
  console.error(`no <!-- consumer-app: ... --> block found in ${readme}`);
  process.exit(1);
}
console.log(`${count} README block(s) copied into ${target}`);
