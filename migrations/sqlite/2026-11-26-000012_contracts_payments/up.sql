-- Contracts with the client, their renewals, and payments to and from the client.

-- A contract with a client, optionally for one of its accounts. `lifecycle` is derived at
-- read time from the dates; `notice_deadline` (end_date − notice_days) is kept with the
-- row, written with every change of either, so the renewal pipeline reads an index.
CREATE TABLE contracts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id             BIGINT NOT NULL REFERENCES clients (id),
    account_id            BIGINT REFERENCES accounts (id),
    title                 TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('retainer', 'project', 'framework')),
    start_date            DATE NOT NULL,
    end_date              DATE,
    value_amount_minor    BIGINT NOT NULL CHECK (value_amount_minor >= 0),
    value_currency        TEXT NOT NULL,
    auto_renew            BOOLEAN NOT NULL,
    notice_days           INTEGER NOT NULL CHECK (notice_days >= 0),
    renewal_term_months   INTEGER CHECK (renewal_term_months > 0),
    notice_deadline       DATE,
    status                TEXT NOT NULL CHECK (status IN ('draft', 'pending_approval',
                              'active', 'terminated', 'superseded')),
    renewal_of            BIGINT REFERENCES contracts (id),
    terminated_on         DATE,
    termination_reason    TEXT,
    external_ref          TEXT,
    approval_id           BIGINT REFERENCES approvals (id),
    created_by            BIGINT NOT NULL REFERENCES staff (id),
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (end_date IS NOT NULL OR kind = 'framework')
);
CREATE UNIQUE INDEX contracts_external_ref_key ON contracts (external_ref);
-- One open successor per contract: the index, not a check before the insert, decides.
CREATE UNIQUE INDEX contracts_one_successor_idx ON contracts (renewal_of)
    WHERE status IN ('draft', 'pending_approval', 'active');
CREATE INDEX contracts_renewal_of_idx ON contracts (renewal_of, status);
CREATE INDEX contracts_client_idx ON contracts (client_id, created_at, id);
CREATE INDEX contracts_account_idx ON contracts (account_id, created_at, id);
CREATE INDEX contracts_end_date_idx ON contracts (end_date, id);
CREATE INDEX contracts_notice_deadline_idx ON contracts (notice_deadline, id);
CREATE INDEX contracts_created_at_idx ON contracts (created_at, id);
CREATE INDEX contracts_updated_at_idx ON contracts (updated_at, id);

-- Money to (`outgoing`) or from (`incoming`) the client on an account, in the account's
-- budget currency; approved before it is paid.
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    client_id       BIGINT NOT NULL REFERENCES clients (id),
    contract_id     BIGINT REFERENCES contracts (id),
    direction       TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    currency        TEXT NOT NULL,
    description     TEXT NOT NULL,
    due_date        DATE,
    status          TEXT NOT NULL CHECK (status IN ('pending_approval', 'approved',
                        'rejected', 'paid', 'cancelled')),
    requested_by    BIGINT NOT NULL REFERENCES staff (id),
    approved_by     BIGINT REFERENCES staff (id),
    approval_id     BIGINT REFERENCES approvals (id),
    paid_at         TIMESTAMP,
    external_ref    TEXT,
    cancel_reason   TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE UNIQUE INDEX payments_external_ref_key ON payments (external_ref);
-- The budget's sums read one account's payments by state.
CREATE INDEX payments_account_idx ON payments (account_id, status, direction);
CREATE INDEX payments_account_created_idx ON payments (account_id, created_at, id);
CREATE INDEX payments_client_idx ON payments (client_id, created_at, id);
CREATE INDEX payments_contract_idx ON payments (contract_id, created_at, id);
CREATE INDEX payments_due_date_idx ON payments (due_date, id);
CREATE INDEX payments_created_at_idx ON payments (created_at, id);
CREATE INDEX payments_updated_at_idx ON payments (updated_at, id);

-- A director stage: added to a payment's approval over the account's threshold or its
-- remaining budget; decided by its named deciders, or else only by a holder of
-- payments.approve in scope all.
ALTER TABLE approval_stages ADD COLUMN director BOOLEAN NOT NULL DEFAULT 0;
