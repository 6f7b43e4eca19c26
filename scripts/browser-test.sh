#!/usr/bin/env bash
# The playground in a real browser: starts the real binary on a fresh SQLite database with the
# demo data, opens the playground in headless Chromium (Debian's package, driven by
# playwright-core), runs the first example query and checks that results appear. Installs what
# it needs on a fresh machine. The screenshot lands in target/playground.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium for the browser test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
npm ci --prefix tests/browser --no-audit --no-fund --silent

cargo build --locked --quiet --bin talent-api
work=$(mktemp -d)
log="$work/server.log"
(cd "$work" && RUST_LOG=info exec "$OLDPWD/target/debug/talent-api" --addr 127.0.0.1:0 --rate-limit-per-second 0) 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

url=""
for _ in $(seq 1 120); do
  url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\);.*/\1/p' "$log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
[ -n "$url" ] || { echo "the server did not start"; cat "$log"; exit 1; }

PLAYGROUND_URL="$url/" SCREENSHOT="$PWD/target/playground.png" node tests/browser/playground.mjs
