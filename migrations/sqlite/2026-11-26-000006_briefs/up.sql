-- The creative brief for a piece of work on an account. Its client is the account's,
-- kept here (an account never changes client) so that filters and the audit feed's
-- scope need no join.
CREATE TABLE briefs (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id            BIGINT NOT NULL REFERENCES accounts (id),
    client_id             BIGINT NOT NULL REFERENCES clients (id),
    title                 TEXT NOT NULL,
    -- Lower-cased by the service, for `?q=`.
    title_key             TEXT NOT NULL,
    background            TEXT,
    objectives            TEXT,
    target_audience       TEXT,
    consumer_insight      TEXT,
    key_message           TEXT,
    deliverables          TEXT,
    mandatories           TEXT,
    budget_amount_minor   BIGINT,
    budget_currency       TEXT,
    due_date              DATE,
    author_id             BIGINT NOT NULL REFERENCES staff (id),
    status                TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved',
                              'changes_requested', 'in_production', 'delivered', 'cancelled')),
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    CHECK ((budget_amount_minor IS NULL) = (budget_currency IS NULL)),
    CHECK (budget_amount_minor IS NULL OR budget_amount_minor >= 0)
);
CREATE INDEX briefs_account_idx ON briefs (account_id, created_at, id);
CREATE INDEX briefs_client_idx ON briefs (client_id, created_at, id);
CREATE INDEX briefs_author_idx ON briefs (author_id, created_at, id);
CREATE INDEX briefs_status_idx ON briefs (status, created_at, id);
CREATE INDEX briefs_due_date_idx ON briefs (due_date);
CREATE INDEX briefs_title_idx ON briefs (title, id);
CREATE INDEX briefs_created_at_idx ON briefs (created_at, id);
CREATE INDEX briefs_updated_at_idx ON briefs (updated_at, id);
