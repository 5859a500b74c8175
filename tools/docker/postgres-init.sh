#!/bin/sh
# Runs once, on a fresh volume of the registry's PostgreSQL (docker-entrypoint-initdb.d): the
# registry's bootstrap (database pipeline_metadata, roles metadata_service and stage5_reader) from prisma/.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v metadata_password="$METADATA_SERVICE_PASSWORD" \
  -v stage5_password="$STAGE5_READER_PASSWORD" \
  -f /bootstrap/bootstrap.sql
