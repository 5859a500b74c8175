#!/bin/sh
# Runs once, on a fresh PostgreSQL volume (docker-entrypoint-initdb.d): the registry's bootstrap
# (database pipeline_metadata, roles metadata_service and stage5_reader) from prisma/, then the
# stages' own databases, each owned by its own role (tools/docker/stage-databases.sql).
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v metadata_password="$METADATA_SERVICE_PASSWORD" \
  -v stage5_password="$STAGE5_READER_PASSWORD" \
  -f /bootstrap/bootstrap.sql
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v stage2_app_password="$STAGE2_APP_PASSWORD" \
  -v stage5_app_password="$STAGE5_APP_PASSWORD" \
  -f /bootstrap-stages/stage-databases.sql
