#!/usr/bin/env bash
# Runs once, when the official postgres image initialises the primary's empty data directory
# (mounted into /docker-entrypoint-initdb.d by docker-compose.yml): creates the replication role,
# the physical replication slot the replica streams through (so the primary keeps the WAL the
# replica has not received yet) and the pg_hba.conf line that lets the replica connect.
# It may be run or sourced by the image's entrypoint, so it neither exits nor sets -u.
set -e

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  --set user="$REPLICATION_USER" --set password="$REPLICATION_PASSWORD" --set slot="$REPLICATION_SLOT" <<'SQL'
CREATE ROLE :"user" WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot(:'slot');
SQL

# "all" in the database column does not match replication connections: they need their own line.
echo "host replication $REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
