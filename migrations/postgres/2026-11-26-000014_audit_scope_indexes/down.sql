DROP INDEX audit_events_account_idx;
DROP INDEX audit_events_client_idx;
CREATE INDEX audit_events_client_idx ON audit_events (client_id);
CREATE INDEX audit_events_account_idx ON audit_events (account_id);
