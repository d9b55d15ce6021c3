DROP INDEX audit_events_account_idx;
DROP INDEX audit_events_client_idx;
ALTER TABLE audit_events DROP COLUMN account_id;
ALTER TABLE audit_events DROP COLUMN client_id;
DROP TABLE account_team;
DROP TABLE accounts;
