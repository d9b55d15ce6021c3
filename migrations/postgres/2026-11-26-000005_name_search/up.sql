-- `?q=` (name contains) on clients and accounts: trigram indexes make a substring search
-- cost what it finds rather than what the table holds. pg_trgm ships with PostgreSQL and
-- is a trusted extension; where the database user may still not create it, search keeps
-- working without the indexes (by scanning), and the service starts all the same.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
    RAISE NOTICE 'pg_trgm is not available: name search will scan';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX clients_name_key_trgm ON clients USING gin (name_key gin_trgm_ops);
        CREATE INDEX accounts_name_key_trgm ON accounts USING gin (name_key gin_trgm_ops);
    END IF;
END
$$;
