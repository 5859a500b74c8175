-- The stages' own databases, each owned by a login role of its own: Stage 2's store (stage2_nlp,
-- role stage2_app) and Stage 5's graph (stage5_graph, role stage5_app). Least privilege: each role
-- migrates and writes its own database only and cannot even connect to the other's (nor to the
-- registry, whose roles come from prisma/bootstrap.sql). Idempotent: run it again at will.
-- Run as a superuser:
--   psql -h HOST -U postgres -v stage2_app_password='...' -v stage5_app_password='...' -f tools/docker/stage-databases.sql
-- Optional: -v stage2_db=... -v stage5_db=... for other database names (the end-to-end tests).
\set ON_ERROR_STOP on
\if :{?stage2_app_password}
\else
  \set stage2_app_password changeme_stage2_app_password
\endif
\if :{?stage5_app_password}
\else
  \set stage5_app_password changeme_stage5_app_password
\endif
\if :{?stage2_db}
\else
  \set stage2_db stage2_nlp
\endif
\if :{?stage5_db}
\else
  \set stage5_db stage5_graph
\endif

SELECT 'CREATE ROLE stage2_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stage2_app')\gexec
SELECT 'CREATE ROLE stage5_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stage5_app')\gexec
ALTER ROLE stage2_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'stage2_app_password';
ALTER ROLE stage5_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'stage5_app_password';

SELECT format('CREATE DATABASE %I OWNER stage2_app', :'stage2_db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'stage2_db')\gexec
SELECT format('CREATE DATABASE %I OWNER stage5_app', :'stage5_db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'stage5_db')\gexec
-- A database made before this script (by hand, or by an older init) changes hands too.
ALTER DATABASE :"stage2_db" OWNER TO stage2_app;
ALTER DATABASE :"stage5_db" OWNER TO stage5_app;
-- PostgreSQL lets every role connect to a new database; only its owner (and superusers) may here.
REVOKE ALL ON DATABASE :"stage2_db" FROM PUBLIC;
REVOKE ALL ON DATABASE :"stage5_db" FROM PUBLIC;
