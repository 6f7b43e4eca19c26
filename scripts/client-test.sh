#!/usr/bin/env bash
# The TypeScript client, generated from the committed schema.graphql, against the real binary:
# installs its pinned npm packages, runs GraphQL Code Generator (typed documents and the manifest
# of their hashes, src/gql/persisted-documents.json), type-checks with tsc, then runs its
# graphql-transport-ws checks (graphql-ws's client and its message validation, raw frames) against
# a server on a fresh SQLite database, and its live checks (fetch for queries and mutations,
# graphql-ws for a subscription) against the same database served in trusted-documents mode, the
# client sending hashes only; on a fresh PostgreSQL database too when TALENT_TEST_POSTGRES_URL is
# set. A schema change that breaks generated clients fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
client=clients/typescript

npm ci --prefix "$client" --no-audit --no-fund --silent
(cd "$client" && npm run --silent codegen && npm run --silent typecheck && npm run --silent build)

cargo build --locked --quiet --bin talent-api
bin="$PWD/target/debug/talent-api"
# shellcheck source=lib/server.sh
source scripts/lib/server.sh

# run_live ENGINE DATABASE_URL: a server with the demo data, an employer token, the live checks.
run_live() {
  echo "graphql-transport-ws with the graphql-ws package against $1"
  start_server "$work" --database-url "$2"
  TALENT_API_URL="$SERVER_URL/graphql" node "$client/dist/protocol.js"
  stop_server
  echo "TypeScript client, hashes only, against $1 running its trusted documents"
  # On PostgreSQL with scripts/replica.sh's standby (TALENT_TEST_REPLICA_URL), queries are read
  # from the replica, 300 ms behind: the client's consistency tokens keep its own writes visible.
  local replica=() consistent=0
  if [[ $1 == PostgreSQL && -n ${TALENT_TEST_REPLICA_URL:-} ]]; then
    replica=(--database-read-url "${TALENT_TEST_REPLICA_URL%/*}/${2##*/}")
    consistent=1
    echo "(reading from the replica ${replica[1]})"
  fi
  start_server "$work" --database-url "$2" --trusted-documents "$PWD/$client/src/gql/persisted-documents.json" "${replica[@]}"
  local token developer_token
  token=$("$bin" --database-url "$2" token create --role employer --employer quillstack --name typescript-client)
  developer_token=$("$bin" --database-url "$2" token create --role developer --developer aiden-kelly --name typescript-client)
  TALENT_API_URL="$SERVER_URL/graphql" TALENT_EMPLOYER_TOKEN="$token" TALENT_PERSISTED=1 \
    TALENT_DEVELOPER_TOKEN="$developer_token" TALENT_DEVELOPER_HANDLE=aiden-kelly \
    TALENT_EXPECT_CONSISTENCY=$consistent node "$client/dist/live.js"
}

on_each_engine talent_ts_client run_live
