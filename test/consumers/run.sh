#!/usr/bin/env bash
# Consumer fixtures: small apps (test/consumers/<fixture>/) that install the packed tarball with
# a plain `npm install`, type-check and run a gateway e2e test with the test kit, as a user's
# app would; `frontend-*` fixtures install the client package (packages/client) alone and build
# a page with it. `bash test/consumers/run.sh [fixture ...]`; all of them by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
fixtures=("$@")
[ ${#fixtures[@]} -gt 0 ] || fixtures=(nest10-cjs-jest nest11-cjs-jest nest12-esm-jest nest12-esm-vitest frontend-vite)

[ -f packages/client/dist/client/index.js ] || npm run build --silent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
(cd packages/client && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null)
server_tarball=$(ls "$work"/nestjs-realtime-0*.tgz)
client_tarball=$(ls "$work"/nestjs-realtime-client-*.tgz)

for fixture in "${fixtures[@]}"; do
  start=$(date +%s)
  dir="$work/$fixture"
  cp -R "test/consumers/$fixture" "$dir"
  tarball=$server_tarball
  if [[ $fixture == frontend-* ]]; then
    tarball=$client_tarball
  else
    cp -R test/consumers/app/. "$dir/"
    # The gateway is the README's own, so the guide cannot drift from what works.
    node test/consumers/extract-snippets.mjs README.md "$dir"
  fi
  echo "== consumer $fixture: npm install (the packed tarball and the app's own dependencies)"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=warn "$tarball") 2>&1 | tee "$dir/install.log"
  # A frontend on any supported Node gets no engine warning from the client package.
  if [[ $fixture == frontend-* ]] && grep -q EBADENGINE "$dir/install.log"; then
    echo "consumer $fixture: the install warned about engines" >&2
    exit 1
  fi
  # A valid tree: every peer range met without --legacy-peer-deps.
  (cd "$dir" && npm ls --depth=0 >/dev/null)
  installed=$(date +%s)
  echo "== consumer $fixture: type-check and e2e test"
  (cd "$dir" && npm test --silent)
  echo "== consumer $fixture: ok (install $((installed - start)) s, test $(($(date +%s) - installed)) s)"
done
