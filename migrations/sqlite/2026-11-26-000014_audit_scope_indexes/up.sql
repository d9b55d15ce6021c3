-- The scoped feed reads an account's events by `account_id`, and a client's own events
-- (those of no account) by `client_id`: each index now holds just the events it is read
-- for, so an event is written into one of them at most, not both (and a client's event,
-- the bulk of an import, into one fewer index).
DROP INDEX audit_events_account_idx;
DROP INDEX audit_events_client_idx;
CREATE INDEX audit_events_account_idx ON audit_events (account_id)
    WHERE account_id IS NOT NULL;
CREATE INDEX audit_events_client_idx ON audit_events (client_id)
    WHERE account_id IS NULL AND client_id IS NOT NULL;
