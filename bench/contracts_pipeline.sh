#!/usr/bin/env bash
# What the renewal pipeline costs on 10,000 contracts: loads them into a PostgreSQL
# database made for the purpose (dropped at the end), then EXPLAIN (ANALYZE, BUFFERS) of
# the statement `GET /api/v1/contracts?notice_before=DATE&sort=notice_deadline&limit=50`
# issues for a caller in scope `all` (the statement as diesel writes it, bind parameters
# in place). Usage: bench/contracts_pipeline.sh [postgres://postgres@127.0.0.1:5432]
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432}
db=suits_contracts_pipeline_$$
url="$server/$db"
cd "$(dirname "$0")/.."

psql "$server/postgres" -qc "CREATE DATABASE $db"
trap 'psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
DATABASE_URL=$url cargo run -q -- migrate

psql "$url" -q <<'SQL'
INSERT INTO roles (key, name, created_at, updated_at)
VALUES ('bench', 'Bench', now(), now()) ON CONFLICT DO NOTHING;
INSERT INTO staff (email, full_name, password_hash, role, active, created_at, updated_at)
VALUES ('bench@suits.test', 'Bench', 'x', 'bench', true, now(), now());
INSERT INTO clients (name, name_key, status, health, created_at, updated_at)
SELECT 'Client ' || i, 'client ' || i, 'active', 'good', now(), now()
FROM generate_series(1, 500) i;
-- 10,000 contracts over 500 clients, ending over four years around today; one in five is
-- a draft, one in ten terminated, the rest active; every tenth active one renewed by an
-- active successor.
INSERT INTO contracts (client_id, title, kind, start_date, end_date, value_amount_minor,
    value_currency, auto_renew, notice_days, renewal_term_months, notice_deadline, status,
    created_by, version, created_at, updated_at)
SELECT c.id, 'Contract ' || i, 'retainer', e - 365, e, 100000 * i, 'EUR', i % 2 = 0,
       n, 12, e - n,
       CASE WHEN i % 5 = 0 THEN 'draft' WHEN i % 10 = 1 THEN 'terminated' ELSE 'active' END,
       (SELECT min(id) FROM staff), 1, now(), now()
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL (SELECT (current_date - 730 + (i * 1461 / 10000))::date AS e,
                           (30 * (i % 4))::int AS n) d
JOIN clients c ON c.name = 'Client ' || (1 + i % 500);
INSERT INTO contracts (client_id, title, kind, start_date, end_date, value_amount_minor,
    value_currency, auto_renew, notice_days, renewal_term_months, notice_deadline, status,
    renewal_of, created_by, version, created_at, updated_at)
SELECT client_id, title || ' renewed', kind, end_date + 1, end_date + 366, value_amount_minor,
       value_currency, auto_renew, notice_days, 12, end_date + 366 - notice_days, 'active', id,
       created_by, 1, now(), now()
FROM contracts WHERE status = 'active' AND id % 10 = 3;
ANALYZE;
SQL

psql "$url" -c "SELECT count(*) AS contracts FROM contracts"
deadline=$(date -u -d '+90 days' +%F)
psql "$url" <<SQL
EXPLAIN (ANALYZE, BUFFERS)
SELECT "contracts"."id", "contracts"."client_id", "contracts"."account_id", "contracts"."title",
  "contracts"."kind", "contracts"."start_date", "contracts"."end_date",
  "contracts"."value_amount_minor", "contracts"."value_currency", "contracts"."auto_renew",
  "contracts"."notice_days", "contracts"."renewal_term_months", "contracts"."notice_deadline",
  "contracts"."status", "contracts"."renewal_of", "contracts"."terminated_on",
  "contracts"."termination_reason", "contracts"."external_ref", "contracts"."approval_id",
  "contracts"."created_by", "contracts"."version", "contracts"."created_at",
  "contracts"."updated_at"
FROM "contracts"
WHERE (((("contracts"."notice_deadline" < '$deadline') AND ("contracts"."status" = 'active'))
  AND NOT (EXISTS (SELECT "successors"."id", "successors"."client_id" FROM "contracts" AS "successors"
    WHERE (("successors"."renewal_of" = "contracts"."id") AND ("successors"."status" = 'active')))))
  AND ("contracts"."notice_deadline" IS NOT NULL))
ORDER BY "contracts"."notice_deadline" ASC, "contracts"."id" ASC
LIMIT 51;
SQL
