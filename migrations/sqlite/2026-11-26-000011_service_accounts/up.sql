-- A service account is a staff row of kind 'service', so that roles, scope, team
-- membership, deactivation and the audit trail's actor hold for it unchanged. It has no
-- password: its credentials are the row below, and the password grant reads persons only.
ALTER TABLE staff ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'service'));

CREATE TABLE service_credentials (
    staff_id    BIGINT PRIMARY KEY NOT NULL REFERENCES staff (id),
    client_id   TEXT NOT NULL,
    -- Argon2id of the client secret, as passwords are stored.
    secret_hash TEXT NOT NULL,
    rotated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX service_credentials_client_id_key ON service_credentials (client_id);
