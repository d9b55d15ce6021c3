CREATE TABLE roles (
    key         TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    built_in    BOOLEAN NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE role_permissions (
    role_key   TEXT NOT NULL REFERENCES roles (key) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('all', 'assigned')),
    PRIMARY KEY (role_key, permission)
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL REFERENCES roles (key),
    reports_to    BIGINT REFERENCES staff (id),
    active        BOOLEAN NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_email_key ON staff (email);
CREATE INDEX staff_role_idx ON staff (role);
CREATE INDEX staff_reports_to_idx ON staff (reports_to);

CREATE TABLE clients (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT NOT NULL,
    -- The name folded to lower case (Unicode) by the service: what uniqueness and search
    -- compare, identically on both backends.
    name_key              TEXT NOT NULL,
    legal_name            TEXT,
    industry              TEXT,
    website               TEXT,
    status                TEXT NOT NULL CHECK (status IN ('prospect', 'active', 'inactive')),
    health                TEXT NOT NULL CHECK (health IN ('good', 'watch', 'at_risk')),
    health_note           TEXT,
    primary_contact_name  TEXT,
    primary_contact_email TEXT,
    primary_contact_phone TEXT,
    external_ref          TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
-- Names are unique regardless of case: "ACME" and "Acme" are one client to an agency.
CREATE UNIQUE INDEX clients_name_key ON clients (name_key);
CREATE UNIQUE INDEX clients_external_ref_key ON clients (external_ref);
CREATE INDEX clients_name_idx ON clients (name, id);
CREATE INDEX clients_created_at_idx ON clients (created_at, id);
CREATE INDEX clients_updated_at_idx ON clients (updated_at, id);

CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at   TIMESTAMP NOT NULL,
    actor_id      BIGINT REFERENCES staff (id),
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    changes       TEXT NOT NULL,
    request_id    TEXT NOT NULL
);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
