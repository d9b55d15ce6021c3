-- Refresh tokens of UI sessions: stored as SHA-256 hashes, one-time use. A sign-in starts
-- a family; each refresh spends its token and adds the next to the family. Spending a
-- token twice (a stolen copy) revokes the whole family.
CREATE TABLE refresh_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    family        TEXT NOT NULL,
    staff_id      BIGINT NOT NULL REFERENCES staff (id),
    token_hash    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_staff_idx ON refresh_tokens (staff_id);
