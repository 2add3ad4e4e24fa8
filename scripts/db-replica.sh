#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL (127.0.0.1:5432) on 127.0.0.1:5433, for tests
# and for local runs with DATABASE_REPLICA_URLS. Idempotent; see docs/replica.md.
#
#   bash scripts/db-replica.sh [start|stop|status|rebuild|remove]     (default: start)
#
# start    streaming already → no-op; stopped → start it; missing or not streaming → rebuild.
# stop     fast shutdown (the data directory stays; `start` resumes from it).
# status   one line; exit 0 only when the replica streams from the primary.
# rebuild  throw the data directory away and take a fresh pg_basebackup.
# remove   stop and delete the data directory and the log.
set -euo pipefail
shopt -s inherit_errexit

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=${SAGAFLOW_PRIMARY_PORT:-5432}
REPLICA_HOST=127.0.0.1
REPLICA_PORT=${SAGAFLOW_REPLICA_PORT:-5433}
REPLICA_DIR=${SAGAFLOW_REPLICA_DIR:-/var/lib/postgresql/sagaflow-replica}
REPLICA_LOG=${SAGAFLOW_REPLICA_LOG:-/var/log/postgresql/sagaflow-replica.log}
# How long a started replica may take to reach 'streaming' before it is declared broken.
STREAM_TIMEOUT=${SAGAFLOW_REPLICA_TIMEOUT:-60}
HBA_LINE='host replication all 127.0.0.1/32 trust'

log() { printf 'db-replica: %s\n' "$*" >&2; }
die() {
  printf 'db-replica: error: %s\n' "$*" >&2
  exit 1
}

# PostgreSQL refuses to run as root: every server-side command runs as the OS user postgres.
as_postgres() {
  if [[ $(id -un) == postgres ]]; then
    "$@"
  elif ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    die "run as root or as the OS user postgres (the replica's files belong to postgres)"
  fi
}

sql_at() { # port, sql → unaligned tuples, '|' separated
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}
primary_sql() { sql_at "$PRIMARY_PORT" "$1"; }
replica_sql() { sql_at "$REPLICA_PORT" "$1"; }

is_running() { as_postgres "$PG_BIN/pg_ctl" status -D "$REPLICA_DIR" >/dev/null 2>&1; }

# One of: missing | stopped | streaming | not-streaming:<why>
replica_state() {
  if [[ ! -f $REPLICA_DIR/PG_VERSION ]]; then
    echo missing
    return
  fi
  if [[ ! -f $REPLICA_DIR/standby.signal ]]; then # an interrupted base backup, or promoted
    echo 'not-streaming:not a standby (no standby.signal)'
    return
  fi
  if ! is_running; then
    echo stopped
    return
  fi
  local row primary_id recovery status host port system_id
  primary_id=$(primary_sql 'select system_identifier from pg_control_system()' 2>/dev/null) || {
    echo "not-streaming:the primary does not answer on $PRIMARY_HOST:$PRIMARY_PORT"
    return
  }
  row=$(replica_sql "select pg_is_in_recovery(), coalesce(r.status, 'no wal receiver'),
           coalesce(r.sender_host, ''), coalesce(r.sender_port, 0),
           (select system_identifier from pg_control_system())
         from (select 1) one left join pg_stat_wal_receiver r on true" 2>/dev/null) || {
    echo 'not-streaming:not accepting connections'
    return
  }
  IFS='|' read -r recovery status host port system_id <<<"$row"
  if [[ $recovery != t ]]; then
    echo 'not-streaming:promoted (not in recovery)'
  elif [[ $system_id != "$primary_id" ]]; then
    echo 'not-streaming:copy of another cluster (system identifier differs)'
  elif [[ $status != streaming ]]; then
    echo "not-streaming:wal receiver: $status"
  elif [[ $host != "$PRIMARY_HOST" || $port != "$PRIMARY_PORT" ]]; then
    echo "not-streaming:streams from $host:$port"
  else
    echo streaming
  fi
}

report() { # how → the one-line result
  local replayed lag paused
  IFS='|' read -r replayed paused <<<"$(replica_sql \
    'select pg_last_wal_replay_lsn(), pg_get_wal_replay_pause_state()')"
  lag=$(primary_sql "select pg_wal_lsn_diff(pg_current_wal_lsn(), '$replayed')::bigint")
  local note=''
  [[ $paused == 'not paused' ]] || note=", replay $paused"
  echo "replica: streaming from $PRIMARY_HOST:$PRIMARY_PORT on $REPLICA_HOST:$REPLICA_PORT" \
    "($1; replay lag $lag bytes$note)"
}

# The primary must be up and accept replication connections from 127.0.0.1. The Debian cluster's
# `host all all 127.0.0.1/32` does not cover them ("all" excludes the replication pseudo-database).
require_primary() {
  "$PG_BIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" ||
    die "the primary does not answer on $PRIMARY_HOST:$PRIMARY_PORT (start PostgreSQL first)"
}

ensure_primary() {
  require_primary
  local wal_level senders
  IFS='|' read -r wal_level senders <<<"$(primary_sql \
    "select current_setting('wal_level'), current_setting('max_wal_senders')::int")"
  [[ $wal_level == replica || $wal_level == logical ]] ||
    die "the primary has wal_level=$wal_level; streaming needs replica (a restart of the primary)"
  # One sender for the replica, two while pg_basebackup -X stream runs.
  ((senders >= 3)) || die "the primary has max_wal_senders=$senders; need at least 3"

  replication_allowed && return
  local hba
  hba=$(primary_sql 'show hba_file')
  if ! grep -qxF "$HBA_LINE" "$hba"; then
    log "allowing replication connections from 127.0.0.1 in $hba"
    printf '# Added by sagaflow scripts/db-replica.sh (read replica on port %s)\n%s\n' \
      "$REPLICA_PORT" "$HBA_LINE" >>"$hba"
  fi
  primary_sql 'select pg_reload_conf()' >/dev/null
  local _
  for _ in $(seq 1 50); do
    replication_allowed && return
    sleep 0.1
  done
  replication_allowed /dev/stderr || true
  die "the primary still refuses replication connections from 127.0.0.1 (see $hba)"
}

replication_allowed() {
  "$PG_BIN/psql" -X -q -At \
    "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres replication=true" \
    -c IDENTIFY_SYSTEM >/dev/null 2>"${1:-/dev/null}"
}

# The replica's own configuration, rewritten before each start. Debian keeps postgresql.conf in
# /etc, so pg_basebackup copies none; settings a hot standby must not set below the primary's
# are read from the primary, so raising them there never leaves the replica unable to start.
write_config() {
  local copied
  copied=$(primary_sql "select format('%s = %L', name, setting) from pg_settings
    where name in ('max_connections', 'max_worker_processes', 'max_wal_senders',
                   'max_prepared_transactions', 'max_locks_per_transaction',
                   'TimeZone', 'DateStyle', 'IntervalStyle', 'lc_messages', 'lc_monetary',
                   'lc_numeric', 'lc_time', 'default_text_search_config', 'log_timezone')
    order by name")
  as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# Written by scripts/db-replica.sh on every start: edit the script, not this file.
port = $REPLICA_PORT
listen_addresses = '$REPLICA_HOST'
unix_socket_directories = '/var/run/postgresql'
cluster_name = 'sagaflow-replica'
hba_file = '$REPLICA_DIR/pg_hba.conf'
ident_file = '$REPLICA_DIR/pg_ident.conf'
log_line_prefix = '%m [%p] %q%u@%d '

hot_standby = on
# The primary keeps rows the replica's queries still see, so VACUUM replay does not cancel them.
hot_standby_feedback = on
# Replay waits at most 30s for a conflicting replica query (lock or buffer pin in the same
# database), then cancels it. Not -1: one leaked transaction on the replica would stall replay
# for every test on the box, and each would time out waiting for catch-up far from the culprit.
# DROP DATABASE replay ignores this setting: it disconnects the sessions of that database only,
# so other tests dropping their databases never cancel ours.
max_standby_streaming_delay = 30s
# Feedback (and pg_stat_replication on the primary) every second instead of every ten.
wal_receiver_status_interval = 1s

# Copied from the primary (a hot standby needs at least its values).
$copied
EOF
  as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
# Written by scripts/db-replica.sh: the same trust policy as the local primary.
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres tee "$REPLICA_DIR/pg_ident.conf" </dev/null >/dev/null
}

# Starts the server; fails when it does not reach 'streaming' within STREAM_TIMEOUT.
start_server() {
  local answers=0
  "$PG_BIN/pg_isready" -q -h "$REPLICA_HOST" -p "$REPLICA_PORT" || answers=$?
  if ((answers != 2)); then # 0 accepting, 1 rejecting (starting up), 2 no answer
    die "something else answers on $REPLICA_HOST:$REPLICA_PORT (not the replica in $REPLICA_DIR)"
  fi
  write_config
  as_postgres touch "$REPLICA_LOG"
  local offset deadline
  offset=$(stat -c %s "$REPLICA_LOG")
  # The postmaster outlives this script: it must not inherit the lock of with_lock (held forever)
  # nor a caller's pipe (a CI log pipe or a test's execFile would then wait for EOF forever).
  (
    close_inherited_fds
    as_postgres "$PG_BIN/pg_ctl" start -w -t "$STREAM_TIMEOUT" -D "$REPLICA_DIR" \
      -l "$REPLICA_LOG" </dev/null >/dev/null 2>&1
  ) || return 1
  deadline=$((SECONDS + STREAM_TIMEOUT))
  while ((SECONDS < deadline)); do
    [[ $(replica_state) == streaming ]] && return 0
    # Without a slot the primary may have recycled the WAL the replica needs: no retry helps.
    if tail -c +$((offset + 1)) "$REPLICA_LOG" |
      grep -qE 'has already been removed|system identifier differs|is behind the recovery point'; then
      log "the primary no longer has the WAL this replica needs"
      return 1
    fi
    sleep 0.2
  done
  return 1
}

close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

stop_server() {
  is_running || return 0
  as_postgres "$PG_BIN/pg_ctl" stop -m fast -w -t 60 -D "$REPLICA_DIR" >/dev/null
}

delete_data_dir() {
  [[ $REPLICA_DIR == /*/* && $REPLICA_DIR != *..* ]] || die "refusing to delete '$REPLICA_DIR'"
  rm -rf -- "$REPLICA_DIR"
}

rebuild() {
  ensure_primary
  stop_server
  delete_data_dir
  log "taking a base backup of $PRIMARY_HOST:$PRIMARY_PORT into $REPLICA_DIR"
  # No replication slot (see docs/replica.md): pg_basebackup uses a temporary one only while it
  # copies. --checkpoint=fast: a spread checkpoint could keep us waiting for minutes.
  as_postgres "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -w \
    -D "$REPLICA_DIR" -X stream -R --checkpoint=fast --label=sagaflow-replica
  # Keep only what -R wrote: an ALTER SYSTEM setting of the primary (say, port) must not win
  # over the replica's own postgresql.conf.
  as_postgres sed -i -E '/^\s*(#|$|primary_conninfo|primary_slot_name)/!d' \
    "$REPLICA_DIR/postgresql.auto.conf"
  if ! start_server; then
    tail -n 20 "$REPLICA_LOG" >&2 || true
    die "the rebuilt replica did not reach 'streaming' (log: $REPLICA_LOG)"
  fi
}

with_lock() {
  # Parallel test workers may all call `start`: one acts, the others then find it streaming.
  # Owned by postgres and opened for reading, so root and postgres can both take it.
  [[ -e $REPLICA_DIR.lock ]] || as_postgres touch "$REPLICA_DIR.lock"
  exec 9<"$REPLICA_DIR.lock"
  flock -w 300 9 || die "another db-replica.sh holds $REPLICA_DIR.lock"
}

# Waits up to $1 seconds for 'streaming' (a walreceiver reconnecting after a primary restart).
await_streaming() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    [[ $(replica_state) == streaming ]] && return 0
    sleep 0.5
  done
  return 1
}

cmd_start() {
  with_lock
  require_primary
  local state
  state=$(replica_state)
  # A walreceiver between two connection attempts is not broken; a promoted server is.
  if [[ $state == 'not-streaming:wal receiver'* ]] && await_streaming 10; then
    state=streaming
  fi
  case $state in
    streaming)
      report 'already running'
      return
      ;;
    stopped)
      ensure_primary
      log "starting the replica in $REPLICA_DIR"
      if start_server; then
        report started
        return
      fi
      log "it does not stream after a restart: rebuilding"
      ;;
    not-streaming:*)
      log "not streaming (${state#not-streaming:}): rebuilding"
      ;;
    missing)
      log "no replica in $REPLICA_DIR: building one"
      ;;
  esac
  rebuild
  report rebuilt
}

cmd_status() {
  local state
  state=$(replica_state)
  case $state in
    streaming) report running ;;
    missing) echo "replica: none in $REPLICA_DIR" ;;
    stopped) echo "replica: stopped ($REPLICA_DIR)" ;;
    *) echo "replica: not streaming: ${state#not-streaming:} ($REPLICA_DIR)" ;;
  esac
  [[ $state == streaming ]]
}

case ${1:-start} in
  start) cmd_start ;;
  stop)
    with_lock
    if is_running; then
      stop_server
      echo "replica: stopped ($REPLICA_DIR kept; 'start' resumes it)"
    else
      echo 'replica: not running'
    fi
    ;;
  status) cmd_status ;;
  rebuild)
    with_lock
    rebuild
    report rebuilt
    ;;
  remove)
    with_lock
    stop_server
    delete_data_dir
    rm -f -- "$REPLICA_LOG"
    echo "replica: removed $REPLICA_DIR (the primary's pg_hba.conf replication line stays)"
    ;;
  *) die "usage: $0 [start|stop|status|rebuild|remove]" ;;
esac
