#!/usr/bin/env bash
# What one request costs the database, per operation: SQL statements (BEGIN/COMMIT
# included), transactions, pool checkouts, round trips and server-side time, for the peer
# and for Suits (as the admin and as an executive in scope `assigned`). See
# bench/README.md.
#
#   bench/statements.sh
#
# Counted from PostgreSQL's own log: the bench database (and only it) gets
# log_min_duration_statement = 0, so every statement its sessions run is logged with its
# duration. Requests go one at a time with nothing else running, and are divided out.
# Needs read access to the server's log file (found from the server's settings, or
# BENCH_PG_LOG); pg_stat_statements would need a server restart to load.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

REQUESTS=${BENCH_STMT_REQUESTS:-50}
WARMUP=${BENCH_STMT_WARMUP:-10}
CLIENTS=${BENCH_CLIENTS:-10000}
PER_CLIENT=${BENCH_ACCOUNTS_PER_CLIENT:-5}
LAYOUT=${BENCH_ASSIGNED_LAYOUT:-spread}
use_database "${BENCH_STMT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suits_stmt}"

need cargo psql python3 curl

open_statement_log || die "the statements are counted from the server's log"

TMP=$(mktemp -d -t suits-statements.XXXXXX)
cleanup() {
    cleanup_servers
    # Leave nothing logging every statement behind.
    psql_maint -c "ALTER DATABASE $DB_NAME RESET log_min_duration_statement" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_suits
build_peer
reset_database
migrate_and_staff account_executive
load_data "$CLIENTS" "$PER_CLIENT" "$LAYOUT" 0
ADMIN_IDS=$(psql_db -At -c "SELECT json_agg(id) FROM (SELECT id FROM clients ORDER BY random() LIMIT 1000) c")
ASSIGNED_IDS=$(psql_db -At -c "SELECT json_agg(DISTINCT a.client_id) FROM accounts a
                               WHERE a.manager_id = $ASSIGNED_ID
                                  OR a.id IN (SELECT account_id FROM account_team WHERE staff_id = $ASSIGNED_ID)")

# Sessions opened from now on log every statement; the servers start after this.
psql_maint -c "ALTER DATABASE $DB_NAME SET log_min_duration_statement = 0"

start_suits "$TMP/suits.log"
ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
ASSIGNED_TOKEN=$(token "$ASSIGNED_EMAIL" "$ASSIGNED_PASSWORD")
start_peer "$TMP/peer.log"

PEER="http://127.0.0.1:$PEER_PORT"
SUITS="http://127.0.0.1:$SUITS_PORT"
RUN=$(date -u +%Y%m%dT%H%M%SZ)
BODY='{"name":"Statements %s %s {n}","industry":"Retail","status":"active"}'

# case SYSTEM CALLER OPERATION BASE TOKEN IDS: one JSON line for statements.py
case_line() {
    local system=$1 caller=$2 operation=$3 base=$4 tok=$5 ids=$6 method=GET url body=null
    case $operation in
        list) url="$base/api/v1/clients?limit=20" ids=null ;;
        get) url="$base/api/v1/clients/{id}" ;;
        accounts) url="$base/api/v1/accounts?client_id={id}" ;;
        create)
            method=POST url="$base/api/v1/clients" ids=null
            # shellcheck disable=SC2059
            body=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$(printf "$BODY" "$system" "$RUN")") ;;
    esac
    printf '{"system":"%s","caller":"%s","operation":"%s","method":"%s","url":"%s","token":"%s","ids":%s,"body":%s}\n' \
        "$system" "$caller" "$operation" "$method" "$url" "$tok" "$ids" "$body"
}

log "load before counting: $(loadavg)"
mkdir -p "$RESULTS_DIR"
{
    for op in list get accounts create; do
        case_line peer admin "$op" "$PEER" "$ADMIN_TOKEN" "$ADMIN_IDS"
        case_line suits admin "$op" "$SUITS" "$ADMIN_TOKEN" "$ADMIN_IDS"
    done
    for op in list get accounts; do
        case_line suits assigned "$op" "$SUITS" "$ASSIGNED_TOKEN" "$ASSIGNED_IDS"
    done
} | python3 "$LIB/statements.py" "$PG_LOG" "$DB_NAME" "$REQUESTS" "$WARMUP" \
    "$RESULTS_DIR/statements-$RUN.json"
echo "results written to $RESULTS_DIR/statements-$RUN.json"
