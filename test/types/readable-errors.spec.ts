import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Issue 12: a misspelled event name is reported against the list of valid names, not against
 * the whole expanded contract. Compiles a probe with the project's compiler options and reads
 * the diagnostics' text.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const probe = join(root, 'test', 'types', '__probe__.ts');
const source = `
import { RealtimeClient } from '../../src/client/index.js';
import type { DemoContract } from '../../src/demo/contract.js';
declare const client: RealtimeClient<DemoContract>;
void client.request('chat:sen', { room: 'a', text: 'b' });
client.on('chat:mesage', () => undefined);
client.emit('chat:typin', { room: 'a' });
`;

function diagnosticsOf(code: string): string[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const readFile = host.readFile.bind(host);
  host.readFile = (path) => (path === probe ? code : readFile(path));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (path) => path === probe || fileExists(path);
  const program = ts.createProgram([probe], { ...options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === probe)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

it('names the valid events when an event name is misspelled', () => {
  const messages = diagnosticsOf(source);
  expect(messages).toHaveLength(3);
  const [request, push, emit] = messages;
  expect(request).toContain(`'"chat:sen"' is not assignable to parameter of type '`);
  expect(request).toContain('"chat:send"');
  expect(request).toContain('"ticker:subscribe"');
  expect(push).toContain('"chat:message"');
  expect(emit).toContain(`'"chat:typing"'`);
  for (const message of messages) {
    expect(message).not.toContain('requests:');
    expect(message).not.toContain('RequestName<');
  }
}, 60_000);
