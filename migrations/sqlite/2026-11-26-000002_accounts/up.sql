CREATE TABLE accounts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id                BIGINT NOT NULL REFERENCES clients (id),
    name                     TEXT NOT NULL,
    -- Lower-cased by the service; names are unique per client regardless of case.
    name_key                 TEXT NOT NULL,
    status                   TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed')),
    manager_id               BIGINT REFERENCES staff (id),
    budget_amount_minor      BIGINT,
    budget_currency          TEXT,
    threshold_amount_minor   BIGINT,
    threshold_currency       TEXT,
    external_ref             TEXT,
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL)),
    CHECK ((threshold_amount_minor IS NULL) = (threshold_currency IS NULL))
);
CREATE UNIQUE INDEX accounts_client_name_key ON accounts (client_id, name_key);
CREATE UNIQUE INDEX accounts_external_ref_key ON accounts (external_ref);
CREATE INDEX accounts_manager_idx ON accounts (manager_id);
CREATE INDEX accounts_name_idx ON accounts (name, id);
CREATE INDEX accounts_created_at_idx ON accounts (created_at, id);
CREATE INDEX accounts_updated_at_idx ON accounts (updated_at, id);

-- Who works on an account. Membership is part of the account: it goes with it.
CREATE TABLE account_team (
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    staff_id        BIGINT NOT NULL REFERENCES staff (id),
    role_on_account TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, staff_id)
);
CREATE INDEX account_team_staff_idx ON account_team (staff_id);

-- The client and account an event belongs to, so `assigned` scopes can filter the feed.
ALTER TABLE audit_events ADD COLUMN client_id BIGINT;
ALTER TABLE audit_events ADD COLUMN account_id BIGINT;
CREATE INDEX audit_events_client_idx ON audit_events (client_id);
CREATE INDEX audit_events_account_idx ON audit_events (account_id);
UPDATE audit_events SET client_id = CAST(resource_id AS BIGINT) WHERE resource_type = 'client';
