CREATE TABLE audit_events_old (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at   TIMESTAMP NOT NULL,
    actor_id      BIGINT REFERENCES staff (id),
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    changes       TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    client_id     BIGINT,
    account_id    BIGINT
);
INSERT INTO audit_events_old SELECT id, occurred_at, actor_id, action, resource_type,
    resource_id, changes, request_id, client_id, account_id FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_old RENAME TO audit_events;
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
CREATE INDEX audit_events_client_idx ON audit_events (client_id);
CREATE INDEX audit_events_account_idx ON audit_events (account_id);
