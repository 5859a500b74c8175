#!/bin/sh
# Runs once, on a fresh volume of the stages' PostgreSQL (docker-entrypoint-initdb.d): the stages'
# own databases, each owned by its own role (tools/docker/stage-databases.sql).
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v stage2_app_password="$STAGE2_APP_PASSWORD" \
  -v stage5_app_password="$STAGE5_APP_PASSWORD" \
  -f /bootstrap-stages/stage-databases.sql
