-- Privileges inside the registry's database. Plain SQL (no psql commands), run while connected
-- to that database; idempotent.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO metadata_service', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO stage5_reader', current_database());
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- metadata_service runs the migrations (`nx run metadata-registry:migrate`), so it creates and owns the tables.
GRANT USAGE, CREATE ON SCHEMA public TO metadata_service;
GRANT USAGE ON SCHEMA public TO stage5_reader;

-- Tables metadata_service creates from now on: readable, and only readable, by stage5_reader.
ALTER DEFAULT PRIVILEGES FOR ROLE metadata_service IN SCHEMA public GRANT SELECT ON TABLES TO stage5_reader;

-- Tables that already exist (e.g. migrated by another role): same split.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO metadata_service;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM stage5_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO stage5_reader;

-- Every role may create large objects by default, which table privileges do not cover: a reader
-- could fill the database's disk through pg_largeobject. No role here uses them.
REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), lo_import(text), lo_import(text, oid) FROM PUBLIC;
