-- POST requests sent with an Idempotency-Key: one row per caller and key, claimed while
-- the request runs (status NULL), then holding its successful answer to replay. Rows
-- older than the keys' lifetime are deleted as new keys come in.
CREATE TABLE idempotency_keys (
    principal     TEXT NOT NULL,
    key           TEXT NOT NULL,
    -- SHA-256 of the method, path and query, content type and body.
    fingerprint   TEXT NOT NULL,
    status        INTEGER,
    -- The answer's headers that matter to a replay (JSON object) and its body.
    headers       TEXT,
    body          BYTEA,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
