// House rules that a linter does not know (CONTRIBUTING.md), checked by `npm run lint`:
// 1. no source or test file over MAX_LINES lines;
// 2. no wire code literal outside src/protocol/: the close codes the server sends and the
//    protocol's error-code strings come from CloseCode / ErrorCode / HandshakeErrorCode.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINES = 300;
const ROOTS = ['src', 'test'];
const EXTENSIONS = /\.(ts|mjs|css|html)$/;
const CODE_LITERAL =
  /\b(1008|1009|1011|4401|4408|4429|4500)\b|'(BAD_MESSAGE|UNKNOWN_EVENT|VALIDATION_FAILED|UNAUTHORIZED|FORBIDDEN|RATE_LIMITED|INTERNAL|BAD_REQUEST|NOT_FOUND|CONFLICT|ERROR|METHOD_NOT_ALLOWED|TOO_MANY_CONNECTIONS|UNAVAILABLE)'/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (EXTENSIONS.test(entry.name)) yield path;
  }
}

/** The code of a line without its comment (good enough for this codebase's style). */
function codeOf(line) {
  const trimmed = line.trim();
  if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) return '';
  const comment = line.indexOf(' // ');
  return comment < 0 ? line : line.slice(0, comment);
}

const problems = [];
for (const root of ROOTS) {
  for (const path of files(root)) {
    const lines = readFileSync(path, 'utf8').split('\n');
    if (lines.length > MAX_LINES) {
      problems.push(`${path}: ${lines.length} lines (at most ${MAX_LINES}); split it by concern`);
    }
    const isCode = path.startsWith('src/') && path.endsWith('.ts') && !path.endsWith('.spec.ts');
    if (!isCode || path.startsWith(join('src', 'protocol'))) continue;
    lines.forEach((line, i) => {
      const match = CODE_LITERAL.exec(codeOf(line));
      if (match) {
        problems.push(`${path}:${i + 1}: wire code ${match[0]}; use the constant of src/protocol/`);
      }
    });
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`House rules: ${ROOTS.join(', ')} checked.`);
