#!/usr/bin/env bash
# JSON Resume's own tools against the real binary on both engines: the validator, sample and
# example resumes of @jsonresume/schema and the jsonresume-theme-even theme check every
# developer's export and import CVs written by others (tests/jsonresume/check.mjs). Installs its
# pinned npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --prefix tests/jsonresume --no-audit --no-fund --silent
cargo build --locked --quiet --bin talent-api
bin="$PWD/target/debug/talent-api"
# shellcheck source=lib/server.sh
source scripts/lib/server.sh

# check ENGINE DATABASE_URL: a server with the demo data, an admin token, the checks.
check() {
  echo "JSON Resume's validator, examples and a theme against $1"
  start_server "$work" --database-url "$2"
  local token
  token=$("$bin" --database-url "$2" token create --role admin --name jsonresume-check)
  TALENT_API_URL="$SERVER_URL/graphql" TALENT_ADMIN_TOKEN="$token" node tests/jsonresume/check.mjs
}

on_each_engine talent_jsonresume check
