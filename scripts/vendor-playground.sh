#!/usr/bin/env bash
# Refreshes the GraphiQL playground assets in assets/playground from pinned npm releases.
# The files are committed and compiled into the binary, so the playground works offline and
# under a strict Content-Security-Policy; run this only to move to new versions (and update
# the versions below and in assets/playground/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHIQL=3.8.3 REACT=18.3.1 GRAPHQL_WS=5.16.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" "graphql-ws@$GRAPHQL_WS" >/dev/null)
for package in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT" "graphql-ws-$GRAPHQL_WS"; do
  mkdir -p "$work/$package" && tar xzf "$work/$package.tgz" -C "$work/$package"
done
out=assets/playground
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$out/"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$out/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/"
cp "$work/graphql-ws-$GRAPHQL_WS/package/umd/graphql-ws.min.js" "$out/"
for package in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT" "graphql-ws-$GRAPHQL_WS"; do
  echo "== $package =="; cat "$work/$package"/package/LICENSE*; echo
done > "$out/THIRD-PARTY-LICENSES.txt"
(cd "$out" && sha256sum ./*.js ./*.css)
