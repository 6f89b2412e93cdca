#!/bin/sh
# Run once by the postgres image when it creates the primary's data folder: a streaming replica
# (docker-compose.yml, service postgres-replica) may connect for replication as the ledger's
# user, with its password. The image's own rule ("host all all all") does not cover replication.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
