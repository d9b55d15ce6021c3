-- Approvals: a request that someone signs off on a subject (a brief's version, a creative
-- round; contracts and payments later), in ordered stages, each decided by staff
-- (`internal`) or by the client, whose word staff record (`client`).

-- The default stage chain per subject type, as data (seeded on first start).
CREATE TABLE approval_policies (
    subject_type  TEXT PRIMARY KEY CHECK (subject_type IN ('brief', 'creative_round',
                      'contract', 'payment')),
    -- JSON: [{"name", "kind", "rule", "deciders"}], as the API writes it.
    stages        TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE approvals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_type     TEXT NOT NULL CHECK (subject_type IN ('brief', 'creative_round',
                         'contract', 'payment')),
    subject_id       BIGINT NOT NULL,
    -- The version of the subject being approved (a brief's snapshot, a round's number):
    -- a decision must name it.
    subject_version  INTEGER NOT NULL,
    -- Whoever wrote the subject: they may not decide an internal stage of it.
    subject_author_id BIGINT REFERENCES staff (id),
    account_id       BIGINT NOT NULL REFERENCES accounts (id),
    client_id        BIGINT NOT NULL REFERENCES clients (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved',
                         'changes_requested', 'rejected', 'cancelled')),
    -- The position of the stage open now; NULL once the approval is closed.
    current_stage    INTEGER,
    requested_by     BIGINT NOT NULL REFERENCES staff (id),
    due_date         DATE,
    note             TEXT,
    -- Why it was cancelled (or what superseded it).
    cancel_reason    TEXT,
    closed_at        TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((status = 'pending') = (current_stage IS NOT NULL)),
    CHECK ((status = 'pending') = (closed_at IS NULL))
);
-- One open approval per subject: the index, not a check before the insert, decides.
CREATE UNIQUE INDEX approvals_one_open_idx ON approvals (subject_type, subject_id)
    WHERE status = 'pending';
CREATE INDEX approvals_subject_idx ON approvals (subject_type, subject_id, created_at, id);
CREATE INDEX approvals_account_idx ON approvals (account_id, created_at, id);
CREATE INDEX approvals_status_idx ON approvals (status, due_date);
CREATE INDEX approvals_created_at_idx ON approvals (created_at, id);
CREATE INDEX approvals_updated_at_idx ON approvals (updated_at, id);

CREATE TABLE approval_stages (
    approval_id  BIGINT NOT NULL REFERENCES approvals (id),
    -- 1, 2, …: the order in which the stages open.
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('internal', 'client')),
    rule         TEXT NOT NULL CHECK (rule IN ('any', 'all')),
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved',
                     'changes_requested', 'rejected', 'skipped')),
    decided_at   TIMESTAMP,
    PRIMARY KEY (approval_id, position)
);

-- The staff named to decide a stage; none means anyone holding approvals.decide in scope.
CREATE TABLE approval_deciders (
    approval_id  BIGINT NOT NULL,
    position     INTEGER NOT NULL,
    staff_id     BIGINT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (approval_id, position, staff_id),
    FOREIGN KEY (approval_id, position) REFERENCES approval_stages (approval_id, position)
);
CREATE INDEX approval_deciders_staff_idx ON approval_deciders (staff_id);

CREATE TABLE approval_decisions (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    approval_id          BIGINT NOT NULL,
    position             INTEGER NOT NULL,
    -- The place this decision fills: 0 for a stage any one decider settles, the
    -- decider's staff id where all must decide. The unique index makes a second
    -- decision on one place fail, however the requests race.
    slot                 BIGINT NOT NULL,
    decided_by           BIGINT NOT NULL REFERENCES staff (id),
    decision             TEXT NOT NULL CHECK (decision IN ('approved', 'changes_requested',
                             'rejected')),
    note                 TEXT,
    subject_version      INTEGER NOT NULL,
    -- For a client stage: the client's person whose decision staff recorded.
    client_person_name   TEXT,
    client_person_email  TEXT,
    created_at           TIMESTAMP NOT NULL,
    FOREIGN KEY (approval_id, position) REFERENCES approval_stages (approval_id, position)
);
CREATE UNIQUE INDEX approval_decisions_slot_idx ON approval_decisions (approval_id, position, slot);

-- What a brief looked like at each submission: what exactly was approved.
CREATE TABLE brief_versions (
    brief_id      BIGINT NOT NULL REFERENCES briefs (id),
    number        INTEGER NOT NULL,
    -- JSON: the brief's content fields as submitted.
    content       TEXT NOT NULL,
    submitted_by  BIGINT NOT NULL REFERENCES staff (id),
    submitted_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (brief_id, number)
);

ALTER TABLE briefs ADD COLUMN submitted_version INTEGER;
ALTER TABLE briefs ADD COLUMN approval_id BIGINT REFERENCES approvals (id);

-- The creative work made on a brief in production, presented to be approved in turn.
CREATE TABLE creative_rounds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    brief_id      BIGINT NOT NULL REFERENCES briefs (id),
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    number        INTEGER NOT NULL,
    summary       TEXT NOT NULL,
    -- JSON: [{"url", "label"}].
    assets        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('presented', 'accepted',
                      'changes_requested', 'rejected', 'superseded')),
    approval_id   BIGINT REFERENCES approvals (id),
    created_by    BIGINT NOT NULL REFERENCES staff (id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (brief_id, number)
);
CREATE INDEX creative_rounds_account_idx ON creative_rounds (account_id);
