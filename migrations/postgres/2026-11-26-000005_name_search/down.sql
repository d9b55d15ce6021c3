DROP INDEX IF EXISTS clients_name_key_trgm;
DROP INDEX IF EXISTS accounts_name_key_trgm;
