// Writes the demo's AsyncAPI 3.0 document to docs/asyncapi.json (`npm run asyncapi`, after a
// `tsc` build into dist/). The file is committed so that a change of the realtime API shows in
// review; test/asyncapi/asyncapi-checked-in.spec.ts fails while it is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import { format, resolveConfig } from 'prettier';

const { demoAsyncApi } = await import('../dist/demo/asyncapi.js');
const document = await demoAsyncApi();
const out = fileURLToPath(new URL('../docs/asyncapi.json', import.meta.url));
// Formatted as `npm run lint` (prettier --check) wants it.
const options = { ...(await resolveConfig(out)), filepath: out };
writeFileSync(out, await format(JSON.stringify(document), options));
console.log(`docs/asyncapi.json: ${Object.keys(document.operations).length} operations`);
