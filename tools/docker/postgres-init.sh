#!/bin/sh
# Runs once, on a fresh PostgreSQL volume (docker-entrypoint-initdb.d): the registry's bootstrap
# (database pipeline_metadata, roles metadata_service and stage5_reader) from prisma/, then the
# stages' own databases.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v metadata_password="$METADATA_SERVICE_PASSWORD" \
  -v stage5_password="$STAGE5_READER_PASSWORD" \
  -f /bootstrap/bootstrap.sql
for db in stage2_nlp stage5_graph; do
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE $db"
done
