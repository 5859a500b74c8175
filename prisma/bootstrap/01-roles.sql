-- Roles of the metadata registry (cluster-wide). psql script: included by ../bootstrap.sql.
-- Passwords come from psql variables (-v metadata_password=... -v stage5_password=...);
-- the defaults are the design's .env placeholders, to be replaced outside development.
\if :{?metadata_password}
\else
  \set metadata_password changeme_metadata_password
\endif
\if :{?stage5_password}
\else
  \set stage5_password changeme_stage5_password
\endif

SELECT 'CREATE ROLE metadata_service' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'metadata_service')\gexec
SELECT 'CREATE ROLE stage5_reader' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stage5_reader')\gexec

ALTER ROLE metadata_service WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'metadata_password';
ALTER ROLE stage5_reader WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'stage5_password';
-- Belt and braces: even a wrongly granted write fails inside a read-only transaction.
ALTER ROLE stage5_reader SET default_transaction_read_only = on;
