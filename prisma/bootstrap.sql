-- Bootstrap of the shared metadata registry's PostgreSQL: the `pipeline_metadata` database,
-- the `metadata_service` role (runs the registry's migrations and writes the registry) and the
-- read-only `stage5_reader` role (Stage 5 reads). Idempotent: run it again at will.
-- Run as a superuser, from the repository root:
--   psql -h HOST -U postgres -v metadata_password='...' -v stage5_password='...' -f prisma/bootstrap.sql
-- Optional: -v db=other_name to bootstrap another database name.
\set ON_ERROR_STOP on
\if :{?db}
\else
  \set db pipeline_metadata
\endif

\ir bootstrap/01-roles.sql

SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec

\connect :"db"
\ir bootstrap/02-privileges.sql
