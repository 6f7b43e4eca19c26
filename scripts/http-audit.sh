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

work=""
pg_database=""
cleanup() {
  stop_server
  [ -n "$work" ] && rm -rf "$work"
  if [ -n "$pg_database" ]; then
    psql "$TALENT_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null || true
  fi
}
trap cleanup EXIT

# run_audit ENGINE DATABASE_URL
run_audit() {
  echo "graphql-http audit against $1"
  work=$(mktemp -d)
  start_server "$work" --database-url "$2"
  TALENT_API_URL="$SERVER_URL/graphql" node "$audit/audit.mjs"
  stop_server
  rm -rf "$work"
  work=""
}

run_audit SQLite "sqlite://$(mktemp -d)/talent.db"

if [ -n "${TALENT_TEST_POSTGRES_URL:-}" ]; then
  pg_database="talent_http_audit_$$"
  psql "$TALENT_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_database" >/dev/null
  run_audit PostgreSQL "${TALENT_TEST_POSTGRES_URL%/*}/$pg_database"
fi
