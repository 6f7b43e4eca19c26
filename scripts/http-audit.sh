#!/usr/bin/env bash
# The graphql-http audit suite (GraphQL over HTTP, pinned in tests/http-audit) against the real
# binary, on a fresh SQLite database and, when TALENT_TEST_POSTGRES_URL is set, on a fresh
# PostgreSQL one: every audit must be ok (a warning fails the run, as an error does).
set -euo pipefail
cd "$(dirname "$0")/.."
audit=tests/http-audit

npm ci --prefix "$audit" --no-audit --no-fund --silent
cargo build --locked --quiet --bin talent-api
# shellcheck source=lib/server.sh
source scripts/lib/server.sh

# run_audit ENGINE DATABASE_URL
run_audit() {
  echo "graphql-http audit against $1"
  start_server "$work" --database-url "$2"
  TALENT_API_URL="$SERVER_URL/graphql" node "$audit/audit.mjs"
}

on_each_engine talent_http_audit run_audit
