#!/usr/bin/env bash
# Entrypoint of the postgres-replica service (docker-compose.yml). On first start, with an empty
# data directory, it clones the primary with pg_basebackup; --write-recovery-conf writes
# standby.signal and primary_conninfo (with the slot), so PostgreSQL starts as a hot standby that
# streams WAL from the primary. Then it hands over to the official image's entrypoint, which finds
# an initialised directory, skips initdb and runs postgres as the postgres user.
set -Eeuo pipefail

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
primary_port="${PRIMARY_PORT:-5432}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # No PG_VERSION means no cluster: whatever is there is left over from an interrupted clone.
  mkdir -p "$PGDATA"
  find "$PGDATA" -mindepth 1 -delete
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  until gosu postgres pg_isready -q -h "$PRIMARY_HOST" -p "$primary_port"; do
    echo "replica: waiting for $PRIMARY_HOST:$primary_port"
    sleep 1
  done
  echo "replica: cloning $PRIMARY_HOST:$primary_port with pg_basebackup"
  gosu postgres pg_basebackup \
    --pgdata="$PGDATA" \
    --wal-method=stream \
    --write-recovery-conf \
    --slot="$REPLICATION_SLOT" \
    --checkpoint=fast \
    --dbname="host=$PRIMARY_HOST port=$primary_port user=$REPLICATION_USER password=$REPLICATION_PASSWORD application_name=sagaflow_replica"
fi

exec docker-entrypoint.sh "$@"
