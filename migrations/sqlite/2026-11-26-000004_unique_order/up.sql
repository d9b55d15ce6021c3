-- Uniqueness is checked by the insert or update itself. When a row breaks two unique
-- indexes at once, the database reports the first it checks, and both backends must
-- report the same one: the name. SQLite checks the most recently created index first,
-- so the name indexes are created again, last.
DROP INDEX clients_name_key;
CREATE UNIQUE INDEX clients_name_key ON clients (name_key);
DROP INDEX accounts_client_name_key;
CREATE UNIQUE INDEX accounts_client_name_key ON accounts (client_id, name_key);
