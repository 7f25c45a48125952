#!/usr/bin/env bash
# npm run bench [-- --quick | --profile | --only a,b | --scenarios x,y | --reps n | --out dir]
set -euo pipefail
cd "$(dirname "$0")/.."

# 10 000 connections need as many descriptors in the generator and in each server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The servers import the package as users do ('nestjs-realtime'): rebuild dist/ when stale...
if [ ! -f dist/server/index.js ] || [ -n "$(find src -name '*.ts' -newer dist/server/index.js | head -n 1)" ]; then
  echo "== building nestjs-realtime (dist/ is missing or older than src/)"
  npm run build --silent
fi

# ...and run against a snapshot of it, so a concurrent `npm run build` cannot pull dist/ away
# from under a run. The bench compiles next to the snapshot (node_modules/.cache is ignored).
work=node_modules/.cache/nestjs-realtime-bench
rm -rf "$work/node_modules/nestjs-realtime"
mkdir -p "$work/node_modules/nestjs-realtime/dist"
cp -R dist/server dist/protocol "$work/node_modules/nestjs-realtime/dist/"
cp package.json "$work/node_modules/nestjs-realtime/"
echo '{ "type": "module", "private": true }' > "$work/package.json"
node_modules/.bin/tsc -p bench/tsconfig.json

# The generator on core 0; it starts each server on core 1 (bench/harness/servers.ts).
if command -v taskset >/dev/null 2>&1 && [ "$(nproc --all)" -ge 2 ]; then
  exec taskset -c 0 node "$work/harness/main.js" "$@"
fi
exec node "$work/harness/main.js" "$@"
