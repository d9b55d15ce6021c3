#!/usr/bin/env bash
# Do lists stay flat as the tables grow? For each size (10,000 and 1,000,000 clients by
# default), on PostgreSQL: a fresh database, Suits's migrations, the rows written straight
# with SQL (one account per client, one audit event per client and per account, 200 other
# staff managing and teamed on the accounts), then the median latency of each list kind
# for the admin and for an account manager in scope `assigned` whose 50 accounts are the
# newest rows. Then a table: kind x caller, latency at each size, ratio. See
# bench/README.md.
#
#   bench/growth.sh
#
# The assigned caller is an account manager rather than an executive: the executive's
# role does not hold audit.read, so it could not read the audit feed at all. The scope
# is the same `assigned` for every role.
#
# After the timing, when the server's log is readable, a second pass repeats one request
# of each kind with auto_explain on (this database only) and keeps the EXPLAIN ANALYZE
# plan of every statement slower than BENCH_EXPLAIN_MS: bench/results/growth-plans-N.txt.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SIZES=${BENCH_GROWTH_SIZES:-10000 1000000}
SAMPLES=${BENCH_GROWTH_SAMPLES:-20}
BUDGET=${BENCH_GROWTH_BUDGET:-15}
EXPLAIN_MS=${BENCH_EXPLAIN_MS:-50}
use_database "${BENCH_GROWTH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suits_growth}"

need cargo psql python3 curl
port_free "$SUITS_PORT" || die "port $SUITS_PORT is taken; set BENCH_SUITS_PORT"

RUN=$(date -u +%Y%m%dT%H%M%SZ)
TMP=$(mktemp -d -t suits-growth.XXXXXX)
cleanup() {
    cleanup_servers
    # The database stays for inspection, without auto_explain.
    psql_maint -c "ALTER DATABASE $DB_NAME RESET ALL" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

EXPLAIN=1
open_statement_log || { EXPLAIN=0; log "no EXPLAIN pass: the plans would not be readable"; }
build_suits
mkdir -p "$RESULTS_DIR"

size_files=()
for rows in $SIZES; do
    [[ $rows =~ ^[0-9]+$ ]] || die "BENCH_GROWTH_SIZES must be numbers: $rows"
    reset_database
    migrate_and_staff account_manager
    started=$SECONDS
    load_data "$rows" 1 newest 1
    log "loaded $rows rows in $((SECONDS - started)) s; $(psql_db -At -c "SELECT pg_size_pretty(pg_database_size('$DB_NAME'))")"

    start_suits "$TMP/suits-$rows.log"
    ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    ASSIGNED_TOKEN=$(token "$ASSIGNED_EMAIL" "$ASSIGNED_PASSWORD")
    log "timing at $rows rows (load $(loadavg))"
    python3 "$LIB/growth.py" time "http://127.0.0.1:$SUITS_PORT" "$ADMIN_TOKEN" "$ASSIGNED_TOKEN" \
        "$rows" "$SAMPLES" "$BUDGET" "$RESULTS_DIR/growth-$RUN-$rows.json"
    size_files+=("$RESULTS_DIR/growth-$RUN-$rows.json")
    stop_server "$SERVER_PID"

    if ((EXPLAIN)); then
        # Sessions opened from now on load auto_explain; the timing above ran without it.
        psql_maint -c "ALTER DATABASE $DB_NAME SET session_preload_libraries = 'auto_explain'" \
            -c "ALTER DATABASE $DB_NAME SET auto_explain.log_min_duration = '${EXPLAIN_MS}ms'" \
            -c "ALTER DATABASE $DB_NAME SET auto_explain.log_analyze = on" \
            -c "ALTER DATABASE $DB_NAME SET auto_explain.log_buffers = on"
        offset=$(stat -c %s "$PG_LOG")
        start_suits "$TMP/suits-explain-$rows.log"
        log "plans of the statements slower than ${EXPLAIN_MS} ms at $rows rows:"
        python3 "$LIB/growth.py" time "http://127.0.0.1:$SUITS_PORT" "$ADMIN_TOKEN" "$ASSIGNED_TOKEN" \
            "$rows" 1 0 "$TMP/explain-pass.json" 2>/dev/null
        stop_server "$SERVER_PID"
        python3 "$LIB/growth.py" plans "$PG_LOG" "$DB_NAME" "$offset" "$RESULTS_DIR/growth-plans-$rows.txt"
        echo "  (plans in $RESULTS_DIR/growth-plans-$rows.txt)"
    fi
done

python3 "$LIB/growth.py" report "$RESULTS_DIR/growth-$RUN.json" "${size_files[@]}"
echo "results written to $RESULTS_DIR/growth-$RUN.json"
