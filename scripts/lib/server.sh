# Sourced by the scripts that test the real binary from outside (browser, TypeScript client,
# graphql-http audit).
#
#   start_server DIR [ARGS...]   runs target/debug/talent-api (from the repository root, the
#                                caller's working directory) in DIR (its working directory, so
#                                the default SQLite file lands there) on a free port with ARGS;
#                                waits until it listens; sets SERVER_URL and SERVER_PID.
#   stop_server                  stops it and waits for it.
#
# The rate limiter is off: these scripts send bursts a real client wouldn't.

start_server() {
  local dir=$1
  shift
  local log="$dir/server.log"
  local bin="$PWD/target/debug/talent-api"
  (cd "$dir" && RUST_LOG=info exec "$bin" "$@" --addr 127.0.0.1:0 --rate-limit-per-second 0) 2>"$log" &
  SERVER_PID=$!
  SERVER_URL=""
  for _ in $(seq 1 120); do
    SERVER_URL=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\);.*/\1/p' "$log" | head -n 1)
    [ -n "$SERVER_URL" ] && return 0
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server exited:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "the server did not start listening within 60 s:" >&2
  cat "$log" >&2
  return 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

#   on_each_engine NAME FN       runs `FN ENGINE DATABASE_URL` on a fresh SQLite file, then, when
#                                TALENT_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database
#                                NAME_<pid>; FN gets a working directory in $work. The server is
#                                stopped and the directory and database removed afterwards, also
#                                when FN fails.
cleanup_engines() {
  stop_server
  [ -n "${work:-}" ] && rm -rf "$work"
  if [ -n "${pg_database:-}" ]; then
    psql "$TALENT_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null || true
  fi
}

on_each_engine() {
  local name=$1 fn=$2
  pg_database=""
  trap cleanup_engines EXIT
  work=$(mktemp -d)
  "$fn" SQLite "sqlite://$work/talent.db"
  stop_server
  rm -rf "$work"
  work=""
  if [ -n "${TALENT_TEST_POSTGRES_URL:-}" ]; then
    pg_database="${name}_$$"
    psql "$TALENT_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_database" >/dev/null
    work=$(mktemp -d)
    "$fn" PostgreSQL "${TALENT_TEST_POSTGRES_URL%/*}/$pg_database"
    stop_server
    rm -rf "$work"
    work=""
  fi
}
