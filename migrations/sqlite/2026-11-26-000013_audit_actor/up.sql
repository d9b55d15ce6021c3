-- An audit trail outlives what it names, and its actor is always the caller whose row
-- the same request has just read (staff are deactivated, never deleted): the foreign key
-- only cost a lookup on `staff` for every event written. SQLite drops a constraint by
-- rebuilding the table.
CREATE TABLE audit_events_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at   TIMESTAMP NOT NULL,
    actor_id      BIGINT,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    changes       TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    client_id     BIGINT,
    account_id    BIGINT
);
INSERT INTO audit_events_new (id, occurred_at, actor_id, action, resource_type, resource_id,
    changes, request_id, client_id, account_id)
SELECT id, occurred_at, actor_id, action, resource_type, resource_id, changes, request_id,
    client_id, account_id
FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
CREATE INDEX audit_events_client_idx ON audit_events (client_id);
CREATE INDEX audit_events_account_idx ON audit_events (account_id);
