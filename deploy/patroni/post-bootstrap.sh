#!/bin/sh
# Run once by Patroni on the first primary: the ledger's database and its user. The user may
# read pg_stat_replication's positions (pg_monitor): without that the ledger cannot see that
# the synchronous standby has applied a commit and signs no checkpoint (it fails closed).
set -e
psql -v ON_ERROR_STOP=1 -d postgres <<SQL
CREATE ROLE ledger LOGIN PASSWORD '${LEDGER_DB_PASSWORD:?set LEDGER_DB_PASSWORD}';
GRANT pg_monitor TO ledger;
CREATE DATABASE claims_ledger OWNER ledger;
SQL
