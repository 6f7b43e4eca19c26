#!/usr/bin/env bash
# The release check: lists the changes between schema.graphql as it is now and as it was at BASE
# (a tag, branch or commit; by default the latest release tag, or main when there is none), with
# GraphQL Inspector. Exits 1 when any change would break existing clients (a removed field, a
# narrowed type, a new required argument, ...), 0 when all are safe.
#
#   scripts/schema-diff.sh            # against the latest tag, or main
#   scripts/schema-diff.sh v0.3.0     # against a given release
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:-$(git describe --tags --abbrev=0 2>/dev/null || echo main)}
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  echo "no such tag, branch or commit: $base" >&2
  exit 2
fi

npm ci --prefix scripts/schema-diff --no-audit --no-fund --silent

old=$(mktemp --suffix=.graphql)
trap 'rm -f "$old"' EXIT
if ! git show "$base:schema.graphql" >"$old" 2>/dev/null; then
  echo "$base has no schema.graphql" >&2
  exit 2
fi

echo "schema.graphql: $base -> working tree"
scripts/schema-diff/node_modules/.bin/graphql-inspector diff "$old" schema.graphql
