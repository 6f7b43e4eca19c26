#!/usr/bin/env bash
# Three instances behind HAProxy (the Debian package, installed if missing) on one PostgreSQL
# database, health-checked on /ready, and a rolling restart under steady load: each instance in
# turn gets SIGTERM (it drains: /ready answers 503 for --drain-ms while it keeps serving, then it
# stops accepting and finishes what is in flight), is started again and waits until HAProxy sees
# it up before the next one goes. Fails unless every request of the load was answered 2xx.
#
#   TALENT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test scripts/lb-test.sh
#   ... scripts/lb-test.sh bench    op 1 and op 2 on the demo data through HAProxy with 1, 2 and 3
#                                   instances (wrk, 16 connections, release build, response cache
#                                   off), figures for bench/NOTES.md
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-restart}
pg=${TALENT_TEST_POSTGRES_URL:?set TALENT_TEST_POSTGRES_URL to a PostgreSQL server}
if ! command -v haproxy >/dev/null; then
  echo "installing haproxy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
# The benchmark measures every request in full, as bench/run does: no response cache.
extra=()
if [[ $mode == bench ]]; then
  # wrk's 16 connections come from one address; the cap of 16 at once is for clients, not for
  # a load generator whose next request can arrive before the last one's slot is given back.
  extra=(--response-cache-bytes 0 --max-concurrent-requests-per-address 64)
  command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk >/dev/null
  cargo build --release --locked --quiet --bin talent-api
  bin="$PWD/target/release/talent-api"
else
  cargo build --locked --quiet --bin talent-api
  bin="$PWD/target/debug/talent-api"
fi

work=$(mktemp -d)
database="talent_lb_$$"
url="${pg%/*}/$database"
ports=(18181 18182 18183)
lb_port=18180
declare -A pids=()

cleanup() {
  for pid in "${pids[@]}" $(cat "$work/haproxy.pid" 2>/dev/null); do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  psql "$pg" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$pg" -qc "CREATE DATABASE $database" >/dev/null

# start INDEX: instance INDEX on its port, waiting until /ready answers 200.
start() {
  local port=${ports[$1]}
  "$bin" --database-url "$url" --log-format json serve --addr "127.0.0.1:$port" \
    --drain-ms "${TALENT_LB_DRAIN_MS:-1500}" --rate-limit-per-second 0 --max-cost 1000000 \
    --trusted-proxy 127.0.0.1 \
    "${extra[@]}" >>"$work/instance-$1.log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 1 300); do
    if curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "instance $1 did not become ready" >&2
  tail -20 "$work/instance-$1.log" >&2
  return 1
}

# haproxy COUNT: HAProxy in front of the first COUNT instances.
haproxy_with() {
  [[ -f $work/haproxy.pid ]] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null && sleep 0.3
  {
    cat <<EOF
global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 2
  option redispatch
  option forwardfor
frontend api
  bind 127.0.0.1:$lb_port
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 200ms fall 1 rise 2
EOF
    for index in $(seq 0 $(($1 - 1))); do
      echo "  server i$index 127.0.0.1:${ports[$index]} check"
    done
  } >"$work/haproxy.cfg"
  haproxy -f "$work/haproxy.cfg" -D -p "$work/haproxy.pid"
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$lb_port/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "HAProxy does not answer" >&2
  return 1
}

# The demo data is loaded by the first instance, into the empty database.
start 0
start 1
start 2

if [[ $mode == bench ]]; then
  python3 - "$lb_port" "$work" <<'EOF'
import json, sys, urllib.request
sys.path.insert(0, "bench")
from bench import DEVELOPER, VACANCIES
port, work = sys.argv[1], sys.argv[2]
def graphql(query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port.replace('18180', '18181')}/graphql", body, {"content-type": "application/json"})
    return json.load(urllib.request.urlopen(request))["data"]
handles = [n["handle"] for n in graphql("{ developers(first: 100) { nodes { handle } } }")["developers"]["nodes"]]
with open(f"{work}/op1.json", "w") as out:
    out.writelines(json.dumps({"query": DEVELOPER, "variables": {"handle": h}}) + "\n" for h in handles)
with open(f"{work}/op2.json", "w") as out:
    out.write(json.dumps({"query": VACANCIES, "variables": {}}) + "\n")
EOF
  echo "| instances | op | req/s | p99 ms | non-2xx |"
  echo "|---:|---|---:|---:|---:|"
  for count in 1 2 3; do
    haproxy_with "$count"
    sleep 1
    for op in 1 2; do
      wrk -t2 -c16 -d2s -s bench/lua/graphql.lua "http://127.0.0.1:$lb_port" -- "$work/op$op.json" >/dev/null
      result=$(wrk -t2 -c16 -d10s --latency -s bench/lua/graphql.lua "http://127.0.0.1:$lb_port" -- "$work/op$op.json" |
        sed -n 's/^RESULT //p')
      python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("| %s | %s | %s | %.1f | %s |" % (sys.argv[2], sys.argv[3], format(round(r["rps"]), ","), r["p99_ms"], r["errors"]))' \
        "$result" "$count" "$op"
    done
  done
  exit 0
fi

haproxy_with 3

# Steady, bounded load: 4 clients, each sending op 1 one request at a time, 20 ms apart, until
# $work/stop appears; every answer's status is counted.
python3 - "$lb_port" "$work" >"$work/load.json" <<'EOF' &
import json, os, sys, threading, time, http.client
port, work = int(sys.argv[1]), sys.argv[2]
query = "query($first: Int) { developers(first: $first) { nodes { handle skills { level skill { slug } } } } }"
body = json.dumps({"query": query, "variables": {"first": 5}})
counts, failures, lock = {}, [], threading.Lock()
def client():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not os.path.exists(f"{work}/stop"):
        try:
            connection.request("POST", "/graphql", body, {"content-type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            status = response.status
            if status == 200 and b'"errors"' in payload:
                status = "200 with errors"
        except Exception as error:
            status = f"error: {type(error).__name__}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with lock:
            counts[str(status)] = counts.get(str(status), 0) + 1
        time.sleep(0.02)
threads = [threading.Thread(target=client) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(counts))
EOF
load=$!
sleep 2
for index in 0 1 2; do
  echo "rolling restart: instance $index"
  kill -TERM "${pids[$index]}"
  wait "${pids[$index]}" || true
  start "$index"
  # Up in HAProxy again (rise 2 checks of 200 ms) before the next one goes.
  sleep 1
done
sleep 2
touch "$work/stop"
wait "$load"
counts=$(cat "$work/load.json")
echo "answers during the rolling restart: $counts"
python3 - "$counts" <<'EOF'
import json, sys
counts = json.loads(sys.argv[1])
total = sum(counts.values())
bad = {status: n for status, n in counts.items() if status != "200"}
if bad or total < 200:
    sys.exit(f"FAIL: {total} requests, not 2xx: {bad}")
print(f"ok: {total} requests, all 200")
EOF
