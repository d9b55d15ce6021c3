-- Bench data, written straight into Suits's own tables (created by `suits migrate`).
-- psql variables, all required (bench/lib/common.sh `load_data` sets them):
--   clients      number of clients
--   per_client   accounts per client
--   staff        other staff: every account gets a manager and one team member among them
--   assigned_id  the staff id of the caller in scope `assigned`
--   first, step  that caller's 50 clients are first, first+step, ... (spread, or newest)
--   audit        1: one audit event per client and per account (the audit feed's rows)
--   actor_id     who the audit events name
-- Values are valid for every CHECK and NOT NULL column; name_key is lower(name), which is
-- what Suits writes for these ASCII names.
\set ON_ERROR_STOP on
-- A bulk load into a throw-away database, so: no waiting for each commit to be flushed,
-- and no per-row foreign-key triggers (replica mode; superuser only). That halves the time
-- of a million-row load; the references are checked once, in bulk, at the end instead.
SET synchronous_commit = off;
SET session_replication_role = replica;

INSERT INTO staff (email, full_name, role, active, password_hash, version, created_at, updated_at)
SELECT 'staff-' || g || '@bench.test', 'Staff ' || g, 'account_manager', true,
       '!not-a-password-hash', 1, timestamp '2023-12-01', timestamp '2023-12-01'
FROM generate_series(1, :staff) g;
SELECT min(id) AS filler_first FROM staff WHERE email LIKE 'staff-%@bench.test' \gset

INSERT INTO clients (id, name, name_key, industry, status, health, version, created_at, updated_at)
SELECT g,
       'Client ' || lpad(g::text, 7, '0'),
       'client ' || lpad(g::text, 7, '0'),
       (ARRAY['Retail', 'Finance', 'Automotive', 'FMCG', 'Tech', 'Health', 'Travel', 'Media'])[1 + g % 8],
       (ARRAY['active', 'active', 'active', 'prospect', 'inactive'])[1 + g % 5],
       (ARRAY['good', 'good', 'watch', 'at_risk'])[1 + g % 4],
       1,
       timestamp '2024-01-01' + g * interval '1 minute',
       timestamp '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, :clients) g;

-- Account g belongs to client c = 1 + (g-1)/per_client, created k seconds after it.
INSERT INTO accounts (id, client_id, name, name_key, status, manager_id,
                      budget_amount_minor, budget_currency, version, created_at, updated_at)
SELECT g, c,
       'Account ' || g, 'account ' || g,
       (ARRAY['active', 'active', 'active', 'paused', 'closed'])[1 + g % 5],
       :filler_first + g % :staff,
       (g::bigint * 7919 % 100000) * 100,
       (ARRAY['EUR', 'USD', 'GBP'])[1 + g % 3],
       1,
       timestamp '2024-01-01' + c * interval '1 minute' + k * interval '1 second',
       timestamp '2024-01-01' + c * interval '1 minute' + k * interval '1 second'
FROM generate_series(1, :clients * :per_client) g,
     LATERAL (SELECT 1 + (g - 1) / :per_client AS c, (g - 1) % :per_client AS k) x;

INSERT INTO account_team (account_id, staff_id, role_on_account, created_at, updated_at)
SELECT id, :filler_first + (id + 7) % :staff, 'executive', created_at, created_at FROM accounts;

-- The caller in scope `assigned` works on the first account of 50 clients: manager of
-- half of them (accounts.manager_id), on the team of the other half (account_team). Both
-- ways into the scope are exercised.
CREATE TEMP TABLE picked AS
SELECT k, (c - 1) * :per_client + 1 AS account_id
FROM generate_series(1, 50) k, LATERAL (SELECT :first + (k - 1) * :step AS c) x;
UPDATE accounts SET manager_id = :assigned_id
FROM picked WHERE accounts.id = picked.account_id AND picked.k % 2 = 1;
INSERT INTO account_team (account_id, staff_id, role_on_account, created_at, updated_at)
SELECT account_id, :assigned_id, 'executive', timestamp '2024-01-01', timestamp '2024-01-01'
FROM picked WHERE k % 2 = 0;

-- The audit feed: a creation event per client and per account, in time order, so that
-- event ids follow the records' age.
\if :audit
INSERT INTO audit_events (occurred_at, actor_id, action, resource_type, resource_id,
                          changes, request_id, client_id, account_id)
SELECT at, :actor_id, action, resource_type, resource_id, changes, 'bench-load', client_id, account_id
FROM (
    SELECT created_at AS at, 'clients.create' AS action, 'clients' AS resource_type,
           id::text AS resource_id,
           '{"name":{"before":null,"after":"' || name || '"}}' AS changes,
           id AS client_id, NULL::bigint AS account_id
    FROM clients
    UNION ALL
    SELECT created_at, 'accounts.create', 'accounts', id::text,
           '{"name":{"before":null,"after":"' || name || '"}}', client_id, id
    FROM accounts
) events
ORDER BY at, resource_type DESC, resource_id;
\endif

-- The foreign keys the triggers did not check: fail the load if any row points nowhere.
SET session_replication_role = DEFAULT;
DO $$
DECLARE
    dangling bigint;
BEGIN
    SELECT (SELECT count(*) FROM accounts a
             WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = a.client_id)
                OR (a.manager_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = a.manager_id)))
         + (SELECT count(*) FROM account_team t
             WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id)
                OR NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = t.staff_id))
         + (SELECT count(*) FROM audit_events e
             WHERE e.actor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = e.actor_id))
      INTO dangling;
    IF dangling > 0 THEN
        RAISE EXCEPTION 'load.sql: % rows with dangling references', dangling;
    END IF;
END
$$;

-- Ids were given explicitly: move the identity sequences past them.
SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT max(id) FROM clients));
SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts));
