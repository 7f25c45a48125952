// What the frontend got: only the client package, with no dependency of its own, and a page
// built from it. Fails with the names of any server package that reached node_modules.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const SERVER_PACKAGES = [
  '@nestjs',
  'nestjs-realtime',
  'class-validator',
  'class-transformer',
  'jsonwebtoken',
  'reflect-metadata',
  'rxjs',
  'ws',
  'ioredis',
];
const leaked = SERVER_PACKAGES.filter((name) => existsSync(`node_modules/${name}`));
if (leaked.length > 0) {
  console.error(`server packages in a frontend's node_modules: ${leaked.join(', ')}`);
  process.exit(1);
}
const client = JSON.parse(readFileSync('node_modules/nestjs-realtime-client/package.json', 'utf8'));
if (Object.keys(client.dependencies ?? {}).length > 0) {
  console.error(`nestjs-realtime-client has dependencies: ${Object.keys(client.dependencies)}`);
  process.exit(1);
}
const assets = readdirSync('dist/assets').filter((file) => file.endsWith('.js'));
const bundle = assets.map((file) => readFileSync(`dist/assets/${file}`, 'utf8')).join('\n');
if (!bundle.includes('realtime.v1')) {
  console.error('the built page does not contain the client (no realtime.v1 in dist/assets)');
  process.exit(1);
}
console.log(`frontend: ${readdirSync('node_modules').length} packages, none from the server`);
