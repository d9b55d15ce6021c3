#!/usr/bin/env bash
# Bulk import against PostgreSQL's own COPY. Makes BENCH_IMPORT_ROWS (100,000) client rows
# as CSV, times `\copy` of them into a scratch table of the clients table's shape (its
# columns, constraints and unique indexes: LIKE ... INCLUDING ALL), then times
# `POST /api/v1/imports/clients` of the same file through a release build of Suits on
# PostgreSQL and on SQLite, each on an empty table, and once more on PostgreSQL with every
# row already there (all unchanged). Reports rows/s, the ratio to COPY, and the server's
# peak RSS (VmHWM) after each import. See bench/README.md.
#
#   bench/import.sh
#   BENCH_IMPORT_ROWS=20000 bench/import.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROWS=${BENCH_IMPORT_ROWS:-100000}
[[ $ROWS =~ ^[0-9]+$ ]] || die "BENCH_IMPORT_ROWS must be a number: $ROWS"
use_database "${BENCH_IMPORT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suits_import}"

need cargo psql python3 curl
port_free "$SUITS_PORT" || die "port $SUITS_PORT is taken; set BENCH_SUITS_PORT"

RUN=$(date -u +%Y%m%dT%H%M%SZ)
TMP=$(mktemp -d -t suits-import.XXXXXX)
cleanup() {
    cleanup_servers
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_suits
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/import-$RUN.txt"

# The rows: every column an import reads, as the export writes them. The COPY file is the
# same rows with what Suits computes on the way in (name_key, the timestamps).
log "making $ROWS client rows"
python3 - "$ROWS" "$TMP/clients.csv" "$TMP/copy.csv" <<'PY'
import csv, sys
rows, api_path, copy_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
columns = ["name", "legal_name", "industry", "website", "status", "health", "health_note",
           "primary_contact_name", "primary_contact_email", "primary_contact_phone", "external_ref"]
statuses, healths = ["prospect", "active", "inactive"], ["good", "watch", "at_risk"]
with open(api_path, "w", newline="") as api, open(copy_path, "w", newline="") as copy:
    a, c = csv.writer(api), csv.writer(copy)
    a.writerow(columns)
    c.writerow(columns + ["name_key", "created_at", "updated_at"])
    for i in range(1, rows + 1):
        row = [f"Client {i:07d}", f"Client {i:07d} S.p.A.", ["Food", "Retail", "Software"][i % 3],
               f"https://client{i}.example", statuses[i % 3], healths[i % 3],
               "Quarterly review due" if i % 5 == 0 else "", f"Contact {i}",
               f"contact{i}@client{i}.example", "+39 02 1234567", f"EXT-{i:07d}"]
        a.writerow(row)
        c.writerow(row + [row[0].lower(), "2026-01-01 00:00:00", "2026-01-01 00:00:00"])
PY
BYTES=$(stat -c %s "$TMP/clients.csv")

# now_ms: wall-clock milliseconds.
now_ms() { date +%s%3N; }

reset_database
set_suits_env
suits migrate >/dev/null
psql_db -c "CREATE TABLE copy_clients (LIKE clients INCLUDING ALL)"
log "COPY of $ROWS rows into copy_clients (load $(loadavg))"
started=$(now_ms)
psql_db -c "\\copy copy_clients (name, legal_name, industry, website, status, health, health_note, primary_contact_name, primary_contact_email, primary_contact_phone, external_ref, name_key, created_at, updated_at) FROM '$TMP/copy.csv' WITH (FORMAT csv, HEADER true)"
COPY_MS=$(($(now_ms) - started))
[[ $(psql_db -At -c "SELECT count(*) FROM copy_clients") == "$ROWS" ]] || die "COPY did not load every row"
psql_db -c "DROP TABLE copy_clients"
vacuum_analyze

# import_once TOKEN: POSTs the CSV to the running Suits; prints "<ms> <peak RSS kB so far> <answer>".
import_once() {
    local token=$1 started ms
    started=$(now_ms)
    curl -s --fail-with-body -X POST "http://127.0.0.1:$SUITS_PORT/api/v1/imports/clients" \
        -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' \
        --data-binary "@$TMP/clients.csv" >"$TMP/answer.json" || {
        cat "$TMP/answer.json" >&2
        die "the import failed"
    }
    ms=$(($(now_ms) - started))
    echo "$ms $(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status") $(cat "$TMP/answer.json")"
}

results=()
record() {
    local label=$1 ms=$2 rss=$3 answer=$4
    results+=("$(python3 - "$label" "$ms" "$rss" "$ROWS" "$COPY_MS" "$answer" <<'PY'
import json, sys
label, ms, rss, rows, copy_ms, answer = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6])
counts = f"{answer['created']}/{answer['updated']}/{answer['unchanged']}"
print(f"| {label} | {ms / 1000:.2f} s | {rows / (ms / 1000):,.0f} | {ms / copy_ms:.1f}x | {rss / 1024:.0f} MiB | {counts} |")
PY
)")
}

start_suits "$TMP/suits-pg.log"
ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
log "import through Suits on PostgreSQL (load $(loadavg))"
read -r ms rss answer < <(import_once "$ADMIN_TOKEN")
record "Suits, PostgreSQL, new rows" "$ms" "$rss" "$answer"
log "the same file again: every row unchanged"
read -r ms rss answer < <(import_once "$ADMIN_TOKEN")
record "Suits, PostgreSQL, all unchanged" "$ms" "$rss" "$answer"
[[ $(psql_db -At -c "SELECT count(*) FROM clients") == "$ROWS" ]] || die "the import did not write every row"
stop_server "$SERVER_PID"

# The floor an import with an audit trail cannot go below: COPY of the same client rows
# and of the audit events the import wrote for them, each into a scratch table of its
# table's shape (indexes included), one after the other as the import writes them.
psql_db -c "\\copy (SELECT occurred_at, actor_id, action, resource_type, resource_id, changes, request_id, client_id, account_id FROM audit_events WHERE action = 'clients.create') TO '$TMP/audit.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
psql_db -c "CREATE TABLE copy_clients (LIKE clients INCLUDING ALL)" -c "CREATE TABLE copy_audit (LIKE audit_events INCLUDING ALL)" >/dev/null
log "COPY of the rows and of their audit events (load $(loadavg))"
started=$(now_ms)
psql_db -c "\\copy copy_clients (name, legal_name, industry, website, status, health, health_note, primary_contact_name, primary_contact_email, primary_contact_phone, external_ref, name_key, created_at, updated_at) FROM '$TMP/copy.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
psql_db -c "\\copy copy_audit (occurred_at, actor_id, action, resource_type, resource_id, changes, request_id, client_id, account_id) FROM '$TMP/audit.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
AUDITED_COPY_MS=$(($(now_ms) - started))
psql_db -c "DROP TABLE copy_clients" -c "DROP TABLE copy_audit" >/dev/null

# SQLite: the same server on a file of its own.
SUITS_ENV+=(DATABASE_URL="sqlite://$TMP/suits.db")
start_server suits "http://127.0.0.1:$SUITS_PORT/readyz" "$TMP/suits-sqlite.log" \
    env "${SUITS_ENV[@]}" "$SUITS_BIN" serve
ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
log "import through Suits on SQLite (load $(loadavg))"
read -r ms rss answer < <(import_once "$ADMIN_TOKEN")
record "Suits, SQLite, new rows" "$ms" "$rss" "$answer"
stop_server "$SERVER_PID"

{
    echo "Import of $ROWS client rows ($((BYTES / 1024)) KiB of CSV), $RUN, load $(loadavg)"
    echo
    echo "| what | time | rows/s | vs COPY | peak RSS | created/updated/unchanged |"
    echo "|---|---|---|---|---|---|"
    printf '| PostgreSQL COPY (scratch table of the same shape) | %s s | %s | 1.0x | | |\n' \
        "$(python3 -c "print(f'{$COPY_MS / 1000:.2f}')")" \
        "$(python3 -c "print(f'{$ROWS / ($COPY_MS / 1000):,.0f}')")"
    printf '| PostgreSQL COPY of the rows and of their audit events | %s s | %s | %s | | |\n' \
        "$(python3 -c "print(f'{$AUDITED_COPY_MS / 1000:.2f}')")" \
        "$(python3 -c "print(f'{$ROWS / ($AUDITED_COPY_MS / 1000):,.0f}')")" \
        "$(python3 -c "print(f'{$AUDITED_COPY_MS / $COPY_MS:.1f}x')")"
    printf '%s\n' "${results[@]}"
} | tee "$REPORT"
log "written to $REPORT"
