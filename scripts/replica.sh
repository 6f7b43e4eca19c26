#!/usr/bin/env bash
# A hot standby of this machine's PostgreSQL cluster (<version>/main, 127.0.0.1:5432), for the
# read-replica tests: cluster `replica` on port 5433 (TALENT_REPLICA_PORT), copied with
# pg_basebackup and kept up to date by streaming replication, applying what it receives
# TALENT_REPLICA_DELAY late (default 300ms, `recovery_min_apply_delay`) so that its lag is real.
#
#   scripts/replica.sh start   create it if missing, start it, wait until it serves reads
#   scripts/replica.sh stop    stop it
#   scripts/replica.sh drop    stop and delete it
#
# Needs root (it edits the primary's pg_hba.conf to let replication connect from 127.0.0.1, and
# runs the cluster's tools as the postgres user), as the Debian packages lay clusters out.
set -euo pipefail

version=$(ls /etc/postgresql | sort -V | tail -1)
port=${TALENT_REPLICA_PORT:-5433}
delay=${TALENT_REPLICA_DELAY:-300ms}
name=replica
primary_hba=/etc/postgresql/$version/main/pg_hba.conf
data=/var/lib/postgresql/$version/$name

as_postgres() { runuser -u postgres -- "$@"; }

wait_ready() {
  for _ in $(seq 1 60); do
    if pg_isready -h 127.0.0.1 -p "$port" -q &&
      [[ $(psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT pg_is_in_recovery()" postgres 2>/dev/null) == t ]]; then
      return 0
    fi
    sleep 0.5
  done
  echo "the replica on port $port did not come up" >&2
  return 1
}

case "${1:-start}" in
  start)
    if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
    # Replication connections match only `replication` lines, never `all`.
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$primary_hba"; then
      echo "host replication all 127.0.0.1/32 trust" >>"$primary_hba"
      pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version $name"; then
      echo "creating the replica cluster $version/$name on port $port"
      pg_createcluster "$version" "$name" -p "$port" >/dev/null
      rm -rf "${data:?}"/*
      as_postgres pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D "$data" -R -X stream -c fast
      # The standby answers on 127.0.0.1 as the primary does.
      cp "$primary_hba" "/etc/postgresql/$version/$name/pg_hba.conf"
      cat >>"/etc/postgresql/$version/$name/postgresql.conf" <<EOF
hot_standby = on
recovery_min_apply_delay = '$delay'
EOF
    fi
    if ! pg_isready -h 127.0.0.1 -p "$port" -q; then
      pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
    fi
    wait_ready
    ;;
  stop)
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop || true
    ;;
  drop)
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop || true
    pg_dropcluster "$version" "$name" || true
    ;;
  *)
    echo "usage: $0 start|stop|drop" >&2
    exit 2
    ;;
esac
