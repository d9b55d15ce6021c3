-- Uniqueness is checked by the insert or update itself. When a row breaks two unique
-- indexes at once, the database reports the first it checks, and both backends must
-- report the same one: the name. PostgreSQL checks indexes in the order they were
-- created, so the external_ref indexes are created again, after the name indexes.
DROP INDEX clients_external_ref_key;
CREATE UNIQUE INDEX clients_external_ref_key ON clients (external_ref);
DROP INDEX accounts_external_ref_key;
CREATE UNIQUE INDEX accounts_external_ref_key ON accounts (external_ref);
