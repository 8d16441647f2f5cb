#!/usr/bin/env bash
# A scratch PostgreSQL primary and a streaming replica of it, for tests/test_replica_cluster.py
# and `make replica-demo`.  Debian's cluster tools (postgresql-common) do the work:
#
#   tests/replica/cluster.sh up              create both on free ports, print their URLs
#   tests/replica/cluster.sh down            stop and remove both (safe to run twice)
#   tests/replica/cluster.sh status          pg_lsclusters for the two, and the replication state
#   tests/replica/cluster.sh stop-primary | start-primary | stop-replica | start-replica
#   tests/replica/cluster.sh promote         the replica becomes a primary (failover)
#
# Needs root (or sudo): the clusters run as the postgres OS user, and pg_createcluster and
# pg_ctlcluster switch to it.  Nothing else on the machine is touched: the clusters have
# names of their own (ARCHIVE_REPLICA_NAME, default "archive_repl"), listen on 127.0.0.1
# only, on ports found free when `up` runs, with trust authentication (scratch data only).
# `up` writes the URLs to var/replica-cluster.env; the replica test reads that file, named
# by ARCHIVE_REPLICA_CLUSTER.
set -Eeuo pipefail

cd "$(dirname "$0")/../.."
NAME=${ARCHIVE_REPLICA_NAME:-archive_repl}
PRIMARY="${NAME}_primary"
REPLICA="${NAME}_replica"
STATE=${ARCHIVE_REPLICA_CLUSTER:-$PWD/var/replica-cluster.env}
VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -n1)}
DATABASE=archive

say() { printf '+ %s\n' "$*" >&2; }
run() { say "$*"; "$@"; }

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "cluster.sh needs root (the clusters run as the postgres user): run it with sudo." >&2
    exit 1
  fi
else
  SUDO=()
fi
as_postgres() { say "(as postgres) $*"; "${SUDO[@]}" su postgres -s /bin/sh -c "$*"; }
pg() { run "${SUDO[@]}" "$@"; }

exists() { pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$VERSION/$1"; }
port_of() { pg_lsclusters -h | awk -v v="$VERSION" -v n="$1" '$1==v && $2==n {print $3}'; }
datadir_of() { pg_lsclusters -h | awk -v v="$VERSION" -v n="$1" '$1==v && $2==n {print $6}'; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_ready() {  # port, seconds
  for _ in $(seq 1 "$2"); do
    pg_isready -q -h 127.0.0.1 -p "$1" && return 0
    sleep 1
  done
  echo "PostgreSQL on port $1 is not ready after $2 s" >&2
  return 1
}

sql() {  # port, statement
  psql -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -c "$2"
}

# Settings both clusters share: loopback only, small memory (a shared machine), statistics of
# statements (the test reads which server ran which query), no fsync (scratch data).
configure() {  # cluster name
  local conf="/etc/postgresql/$VERSION/$1/conf.d/archive-replica-test.conf"
  say "write $conf"
  "${SUDO[@]}" tee "$conf" >/dev/null <<'EOF'
listen_addresses = '127.0.0.1'
shared_buffers = '32MB'
max_connections = 40
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = 'all'
wal_level = 'replica'
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
fsync = off
log_min_messages = 'warning'
EOF
}

write_hba() {  # cluster name
  local hba="/etc/postgresql/$VERSION/$1/pg_hba.conf"
  say "write $hba (trust on the loopback, replication included)"
  "${SUDO[@]}" tee "$hba" >/dev/null <<EOF
# Scratch cluster made by tests/replica/cluster.sh: loopback only, trust.
local   all          all                    peer
host    all          all          127.0.0.1/32  trust
host    replication  all          127.0.0.1/32  trust
EOF
}

up() {
  if exists "$PRIMARY" || exists "$REPLICA"; then
    echo "Clusters $PRIMARY/$REPLICA exist already: run '$0 down' first." >&2
    exit 1
  fi
  # A half-made pair is removed, so that the next `up` starts clean.
  trap 'echo "up failed: removing what it made" >&2; down' ERR
  local pport rport
  pport=$(free_port)
  rport=$(free_port)
  while [ "$rport" = "$pport" ]; do rport=$(free_port); done

  pg pg_createcluster --port "$pport" "$VERSION" "$PRIMARY" >/dev/null
  configure "$PRIMARY"
  write_hba "$PRIMARY"
  pg pg_ctlcluster "$VERSION" "$PRIMARY" start
  wait_ready "$pport" 30
  run sql "$pport" "CREATE DATABASE $DATABASE"
  run sql "$pport" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" "$DATABASE"

  # The replica: a cluster made the Debian way (its configuration in /etc), whose data
  # folder is then replaced by a base backup of the primary; -R writes standby.signal and
  # primary_conninfo, so it starts as a streaming standby.
  pg pg_createcluster --port "$rport" "$VERSION" "$REPLICA" >/dev/null
  configure "$REPLICA"
  write_hba "$REPLICA"
  local rdata
  rdata=$(datadir_of "$REPLICA")
  # Emptied, not removed: its parent folder belongs to root, the folder to postgres.
  pg find "$rdata" -mindepth 1 -delete
  as_postgres "pg_basebackup -h 127.0.0.1 -p $pport -U postgres -D '$rdata' -R -X stream -c fast"
  pg pg_ctlcluster "$VERSION" "$REPLICA" start
  wait_ready "$rport" 30
  for _ in $(seq 1 30); do
    [ "$(sql "$rport" "SELECT pg_is_in_recovery()")" = t ] &&
      [ "$(sql "$pport" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ] &&
      break
    sleep 1
  done
  [ "$(sql "$pport" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ] || {
    echo "The replica is not streaming from the primary" >&2; exit 1; }

  mkdir -p "$(dirname "$STATE")"
  cat >"$STATE" <<EOF
# Written by tests/replica/cluster.sh up; removed by down.
PG_VERSION=$VERSION
PRIMARY_CLUSTER=$PRIMARY
REPLICA_CLUSTER=$REPLICA
PRIMARY_PORT=$pport
REPLICA_PORT=$rport
PRIMARY_URL=postgres://postgres@127.0.0.1:$pport/$DATABASE
REPLICA_URL=postgres://postgres@127.0.0.1:$rport/$DATABASE
EOF
  trap - ERR
  echo "primary: postgres://postgres@127.0.0.1:$pport/$DATABASE"
  echo "replica: postgres://postgres@127.0.0.1:$rport/$DATABASE (streaming)"
  echo "state:   $STATE (export ARCHIVE_REPLICA_CLUSTER=$STATE)"
}

down() {
  for cluster in "$REPLICA" "$PRIMARY"; do
    if exists "$cluster"; then
      pg pg_dropcluster --stop "$VERSION" "$cluster"
    fi
  done
  rm -f "$STATE"
}

status() {
  pg_lsclusters | awk -v p="$PRIMARY" -v r="$REPLICA" 'NR==1 || $2==p || $2==r'
  if exists "$PRIMARY" && pg_isready -q -h 127.0.0.1 -p "$(port_of "$PRIMARY")"; then
    sql "$(port_of "$PRIMARY")" \
      "SELECT 'streaming to '||application_name||': '||state||', replay lag '||coalesce(replay_lag::text, '0') FROM pg_stat_replication"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  stop-primary) pg pg_ctlcluster "$VERSION" "$PRIMARY" stop -m fast ;;
  start-primary) pg pg_ctlcluster "$VERSION" "$PRIMARY" start; wait_ready "$(port_of "$PRIMARY")" 30 ;;
  stop-replica) pg pg_ctlcluster "$VERSION" "$REPLICA" stop -m fast ;;
  start-replica) pg pg_ctlcluster "$VERSION" "$REPLICA" start; wait_ready "$(port_of "$REPLICA")" 30 ;;
  promote) pg pg_ctlcluster "$VERSION" "$REPLICA" promote ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
