#!/usr/bin/env bash
# The playground and the job pages in a real browser: starts the real binary on a fresh SQLite
# database with the demo data, opens the playground in headless Chromium (Debian's package, driven
# by playwright-core), runs the first example query and checks that results appear; then opens
# the first job pages the sitemap lists and parses the JobPosting JSON-LD each carries. Installs
# what it needs on a fresh machine. The screenshot lands in target/playground.png.
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
# shellcheck source=lib/server.sh
source scripts/lib/server.sh
trap 'stop_server; rm -rf "$work"' EXIT
start_server "$work"

PLAYGROUND_URL="$SERVER_URL/" SCREENSHOT="$PWD/target/playground.png" node tests/browser/playground.mjs
JOBS_URL="$SERVER_URL" node tests/browser/jobs.mjs
