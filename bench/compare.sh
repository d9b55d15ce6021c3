#!/usr/bin/env bash
# Suits against the bare stack it is built on (bench/peer), in one run, on one PostgreSQL
# database: the same rows, the same tokens, the same load. See bench/README.md.
#
#   bench/compare.sh
#
# 1. builds Suits (release) and the peer;
# 2. resets the database, runs Suits's migrations, creates an account executive (scope
#    `assigned`) and loads 10,000 clients and 50,000 accounts with SQL; the executive
#    works on 50 of the accounts, one each of 50 clients spread over the table;
# 3. starts both servers and runs BENCH_ROUNDS rounds; in each, every scenario runs on
#    the peer, on Suits as the admin and on Suits as the executive back to back (the
#    order reversed every other round), so that whatever else the machine does in a
#    moment weighs on both sides alike; each run: smoke check, warm-up (discarded),
#    measurement, peak RSS of the server sampled every 0.5 s;
# 4. prints the table (the median of the rounds' ratios) and writes
#    bench/results/compare-<time>.json (+ compare.tsv).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
TIMEOUT=${BENCH_TIMEOUT:-5s}
CLIENTS=${BENCH_CLIENTS:-10000}
PER_CLIENT=${BENCH_ACCOUNTS_PER_CLIENT:-5}
LAYOUT=${BENCH_ASSIGNED_LAYOUT:-spread}
SCENARIOS=${BENCH_SCENARIOS:-list get accounts create}
use_database "${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suits_bench}"

need cargo psql python3 curl
ensure_wrk
port_free "$SUITS_PORT" || die "port $SUITS_PORT is taken; set BENCH_SUITS_PORT"
port_free "$PEER_PORT" || die "port $PEER_PORT is taken; set BENCH_PEER_PORT"

RUN=$(date -u +%Y%m%dT%H%M%SZ)
TMP=$(mktemp -d -t suits-compare.XXXXXX)
WRK_PID=""
SAMPLER_PID=""
cleanup() {
    if [[ -n $WRK_PID ]]; then kill "$WRK_PID" 2>/dev/null || true; fi
    if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
    cleanup_servers
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_suits
build_peer

reset_database
migrate_and_staff account_executive
load_data "$CLIENTS" "$PER_CLIENT" "$LAYOUT" 0
# The ids each caller may read, from the database itself.
psql_db -At -c "SELECT id FROM clients ORDER BY id" >"$TMP/admin_ids"
psql_db -At -c "SELECT DISTINCT a.client_id FROM accounts a
                WHERE a.manager_id = $ASSIGNED_ID
                   OR a.id IN (SELECT account_id FROM account_team WHERE staff_id = $ASSIGNED_ID)
                ORDER BY 1" >"$TMP/assigned_ids"
# A client the executive must not see, for the check that the scope is really applied.
OUTSIDE_ID=$(psql_db -At -c "SELECT id FROM clients WHERE id NOT IN ($(paste -sd, "$TMP/assigned_ids")) LIMIT 1")

# Tokens come from Suits's own sign-in, so they stay valid whatever its claims become;
# the peer checks the same signature, issuer and audience.
start_suits "$TMP/suits-tokens.log"
ADMIN_TOKEN=$(token "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
ASSIGNED_TOKEN=$(token "$ASSIGNED_EMAIL" "$ASSIGNED_PASSWORD")
stop_server "$SERVER_PID"

# --- one scenario ---------------------------------------------------------------

# Peak VmRSS of one process, every 0.5 s, into a file.
sample_rss() {
    local pid=$1 out=$2 max=0 rss
    echo 0 >"$out"
    while rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [[ -n $rss ]]; do
        if ((rss > max)); then
            max=$rss
            echo "$max" >"$out"
        fi
        sleep 0.5
    done
}

run_wrk() { # SECONDS OUTPUT ARGS...
    local seconds=$1 out=$2
    shift 2
    # In the background plus `wait`, so that Ctrl-C reaches the INT trap.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout "$TIMEOUT" --latency "$@" >"$out" 2>&1 &
    WRK_PID=$!
    local status=0
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    [[ $status -eq 0 ]] || { cat "$out" >&2; die "wrk failed (status $status)"; }
}

export BENCH_DIR
RESULTS_JSONL="$TMP/run.jsonl"

# scenario ROUND SYSTEM CALLER NAME BASE_URL PID TOKEN IDS_FILE
scenario() {
    local round=$1 system=$2 caller=$3 name=$4 base=$5 pid=$6 tok=$7 ids=$8
    local script url smoke_args first_id
    first_id=$(head -n 1 "$ids")
    case $name in
        list)
            script=list.lua url="$base/api/v1/clients?limit=20"
            smoke_args=(GET "$url" "$tok" 200 --items 20) ;;
        get)
            script=get.lua url=$base
            export BENCH_PATH="/api/v1/clients/{id}"
            smoke_args=(GET "$base/api/v1/clients/$first_id" "$tok" 200) ;;
        accounts)
            script=get.lua url=$base
            export BENCH_PATH="/api/v1/accounts?client_id={id}"
            smoke_args=(GET "$base/api/v1/accounts?client_id=$first_id" "$tok" 200 --min-items 1) ;;
        create)
            script=create.lua url="$base/api/v1/clients"
            smoke_args=(POST "$url" "$tok" 201 --body "{\"name\":\"Smoke $system $RUN $round\",\"industry\":\"Retail\",\"status\":\"active\"}") ;;
        *) die "unknown scenario $name" ;;
    esac
    export BENCH_IDS_FILE=$ids
    log "round $round/$ROUNDS, $system as $caller: $name ($THREADS threads, $CONNECTIONS connections, ${WARMUP}s + ${DURATION}s)"
    python3 "$LIB/api.py" smoke "${smoke_args[@]}" || die "smoke check failed"

    BENCH_RUN_ID="$system-$caller-$RUN-$round-warmup" run_wrk "$WARMUP" "$TMP/warmup.out" \
        -s "$BENCH_DIR/wrk/$script" -H "Authorization: Bearer $tok" "$url"
    local load rss_file="$TMP/rss"
    load=$(loadavg)
    sample_rss "$pid" "$rss_file" &
    SAMPLER_PID=$!
    BENCH_RUN_ID="$system-$caller-$RUN-$round" run_wrk "$DURATION" "$TMP/$system-$caller-$name.out" \
        -s "$BENCH_DIR/wrk/$script" -H "Authorization: Bearer $tok" "$url"
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    kill -0 "$pid" 2>/dev/null || die "$system died during $name"
    python3 "$LIB/compare_report.py" record "$RESULTS_JSONL" "$TMP/$system-$caller-$name.out" \
 run="$RUN" round="$round" system="$system" caller="$caller" scenario="$name" \
        peak_rss_kb="$(cat "$rss_file")" \
        hwm_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")" \
        loadavg="$load" clients="$CLIENTS" accounts_per_client="$PER_CLIENT" layout="$LAYOUT" \
        threads="$THREADS" connections="$CONNECTIONS" duration="$DURATION" warmup="$WARMUP" \
        pool_size="$POOL_SIZE"
}

log "load before the run: $(loadavg)"

# Both servers stay up for the whole run (an idle one costs nothing), so that each
# scenario's runs on the two can follow each other at once.
start_peer "$TMP/peer.log"
PEER_PID=$SERVER_PID
PEER="http://127.0.0.1:$PEER_PORT"
start_suits "$TMP/suits.log"
SUITS_PID=$SERVER_PID
SUITS="http://127.0.0.1:$SUITS_PORT"
# The executive's reads: their own clients only; a client outside their scope is a 404.
python3 "$LIB/api.py" smoke GET "$SUITS/api/v1/clients/$OUTSIDE_ID" "$ASSIGNED_TOKEN" 404 ||
    die "the executive can read a client outside their scope: the scope is not measured"

for round in $(seq 1 "$ROUNDS"); do
    vacuum_analyze # every round starts from a vacuumed table, whatever the creates added
    for name in $SCENARIOS; do
        runs=("peer admin $PEER $PEER_PID $ADMIN_TOKEN $TMP/admin_ids"
            "suits admin $SUITS $SUITS_PID $ADMIN_TOKEN $TMP/admin_ids")
        # An executive may not create clients.
        [[ $name == create ]] ||
            runs+=("suits assigned $SUITS $SUITS_PID $ASSIGNED_TOKEN $TMP/assigned_ids")
        if ((round % 2 == 0)); then
            for ((i = ${#runs[@]} - 1; i >= 0; i--)); do
                read -r system caller base pid tok ids <<<"${runs[i]}"
                scenario "$round" "$system" "$caller" "$name" "$base" "$pid" "$tok" "$ids"
            done
        else
            for run in "${runs[@]}"; do
                read -r system caller base pid tok ids <<<"$run"
                scenario "$round" "$system" "$caller" "$name" "$base" "$pid" "$tok" "$ids"
            done
        fi
    done
done
stop_server "$SUITS_PID"
stop_server "$PEER_PID"

log "load after the run: $(loadavg)"
mkdir -p "$RESULTS_DIR"
export BENCH_ROOT=$ROOT
python3 "$LIB/compare_report.py" report "$RESULTS_JSONL" \
    "$RESULTS_DIR/compare-$RUN.json" "$RESULTS_DIR/compare.tsv"
echo "results written to $RESULTS_DIR/compare-$RUN.json (and appended to compare.tsv)"
