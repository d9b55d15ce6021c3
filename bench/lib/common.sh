# shellcheck shell=bash disable=SC2034  # settings here are used by the scripts sourcing it
# Shared by compare.sh, growth.sh and statements.sh: source it, do not run it.
# Building, one throw-away PostgreSQL database, loading it, starting and stopping the
# servers this run started (and only those), tokens.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
LIB="$BENCH_DIR/lib"
RESULTS_DIR=${BENCH_RESULTS_DIR:-$BENCH_DIR/results}

# Fixed credentials: every server and database here lives for one run only.
JWT_SECRET="bench-only-jwt-secret-0123456789abcdef"
ADMIN_EMAIL="bench-admin@bench.test"
ADMIN_PASSWORD="bench-admin-password"
ASSIGNED_EMAIL="assigned@bench.test"
ASSIGNED_PASSWORD="bench-assigned-password"
# Suits's default pool on PostgreSQL; the peer gets the same.
POOL_SIZE=${BENCH_POOL_SIZE:-10}
# Suits and the peer never run at the same time, but each gets its own port.
SUITS_PORT=${BENCH_SUITS_PORT:-18080}
PEER_PORT=${BENCH_PEER_PORT:-18081}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

need() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null || die "$cmd is required"
    done
}

# wrk from apt when missing, as run.sh does.
ensure_wrk() {
    command -v wrk >/dev/null && return 0
    command -v apt-get >/dev/null || die "wrk is missing and apt-get is not available; install wrk first"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    local policy
    policy=$(apt-cache policy wrk 2>/dev/null || true)
    if [[ $policy != *"Candidate: "* || $policy == *"Candidate: (none)"* ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
    fi
    log "installing wrk"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q wrk
}

port_free() {
    ! python3 - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# The load on the machine, recorded with every figure: the box may be shared.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# --- build -------------------------------------------------------------------

# Sets SUITS_BIN. CARGO_TARGET_DIR (or .cargo/config.toml) is honoured: cargo says where
# the binary went.
build_suits() {
    log "building Suits (cargo build --release --bin suits)"
    (cd "$ROOT" && cargo build --release --bin suits -q)
    local target
    target=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    SUITS_BIN="$target/release/suits"
    [[ -x $SUITS_BIN ]] || die "no Suits binary at $SUITS_BIN"
}

# Sets PEER_BIN. The peer has a target dir of its own, whatever CARGO_TARGET_DIR says, so
# that its build never touches the main crate's.
build_peer() {
    local target=${BENCH_PEER_TARGET_DIR:-$BENCH_DIR/peer/target}
    log "building the peer (bench/peer)"
    cargo build --release -q --manifest-path "$BENCH_DIR/peer/Cargo.toml" --target-dir "$target"
    PEER_BIN="$target/release/suits-bench-peer"
    [[ -x $PEER_BIN ]] || die "no peer binary at $PEER_BIN"
}

# --- database ------------------------------------------------------------------

# use_database URL: sets DATABASE_URL, DB_NAME and MAINT_URL (the same server's
# `postgres` database, from which ours is dropped and created).
use_database() {
    DATABASE_URL=$1
    [[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] ||
        die "only PostgreSQL URLs are supported: $DATABASE_URL"
    read -r DB_NAME MAINT_URL < <(python3 - "$DATABASE_URL" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
name = urllib.parse.unquote(u.path.lstrip("/"))
print(name, urllib.parse.urlunsplit(u._replace(path="/postgres")))
PY
)
    [[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || die "unexpected database name '$DB_NAME'"
    # Never drop a database somebody else may use.
    case $DB_NAME in
        test | postgres | template0 | template1) die "refusing to reset the database '$DB_NAME'" ;;
    esac
}

psql_maint() { psql "$MAINT_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

reset_database() {
    log "resetting database $DB_NAME"
    psql_maint -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
}

# Suits's environment, shared by its CLI commands and its server. Run through `env` so
# that the pid a background start gets is the server's own.
suits() {
    env "${SUITS_ENV[@]}" "$SUITS_BIN" "$@"
}
set_suits_env() {
    SUITS_ENV=(
        DATABASE_URL="$DATABASE_URL"
        SUITS_JWT_SECRET="$JWT_SECRET"
        SUITS_ADMIN_EMAIL="$ADMIN_EMAIL"
        SUITS_ADMIN_PASSWORD="$ADMIN_PASSWORD"
        SUITS_DB_POOL_SIZE="$POOL_SIZE"
        SUITS_BIND="127.0.0.1:$SUITS_PORT"
        # One token sends thousands of requests a second here: the per-caller limit
        # would measure itself.
        SUITS_RATE_LIMIT=off
        # Nothing balances over it: a stop need not wait for a balancer to notice.
        SUITS_DRAIN_SECONDS=0
        RUST_LOG="${BENCH_RUST_LOG:-warn}"
    )
}

# Migrations and the admin through Suits itself, then the caller in scope `assigned`
# through its CLI. Sets ASSIGNED_ID and ADMIN_ID.
migrate_and_staff() {
    local role=$1
    log "suits migrate; create-staff $ASSIGNED_EMAIL ($role)"
    set_suits_env
    suits migrate >/dev/null
    suits create-staff --email "$ASSIGNED_EMAIL" --name "Assigned Caller" --role "$role" \
        --password "$ASSIGNED_PASSWORD" >/dev/null
    ADMIN_ID=$(psql_db -At -c "SELECT id FROM staff WHERE email = '$ADMIN_EMAIL'")
    ASSIGNED_ID=$(psql_db -At -c "SELECT id FROM staff WHERE email = '$ASSIGNED_EMAIL'")
    [[ -n $ADMIN_ID && -n $ASSIGNED_ID ]] || die "the admin or the assigned caller is missing"
}

# load_data CLIENTS PER_CLIENT LAYOUT AUDIT: bench/sql/load.sql with its variables.
# LAYOUT says where the assigned caller's 50 clients are in Suits's default order (oldest
# first): `oldest` (the first 50, the cheapest case for that order: a scoped page is
# found at once), `spread` evenly over the table, or `newest` (the last 50: a scoped first
# page has to pass over every other row).
load_data() {
    local clients=$1 per_client=$2 layout=$3 audit=$4 first step
    ((clients >= 50)) || die "at least 50 clients are needed (the assigned caller has 50)"
    case $layout in
        oldest) step=1 first=1 ;;
        spread) step=$((clients / 50)) first=$((clients / 50)) ;;
        newest) step=1 first=$((clients - 49)) ;;
        *) die "unknown layout $layout" ;;
    esac
    log "loading $clients clients x $per_client accounts (assigned caller's: $layout; audit events: $audit)"
    psql_db -v clients="$clients" -v per_client="$per_client" -v staff="${BENCH_STAFF:-200}" \
        -v assigned_id="$ASSIGNED_ID" -v first="$first" -v step="$step" \
        -v audit="$audit" -v actor_id="$ADMIN_ID" -f "$BENCH_DIR/sql/load.sql" >/dev/null
    vacuum_analyze
}

# The server runs with autovacuum off (and any server may lag behind a bulk load):
# statistics and the visibility map are made fresh by hand before measuring.
vacuum_analyze() {
    psql_db -c "VACUUM ANALYZE"
}

# --- the server's log ----------------------------------------------------------------

# Sets PG_LOG to the server's log file when the statements of this database can be read
# from it; otherwise says why and returns 1. With the logging collector,
# pg_current_logfile() names the file; without it the log is whatever the postmaster's
# stderr is, which /proc shows (to root, or to the server's own user). BENCH_PG_LOG
# overrides.
open_statement_log() {
    PG_LOG=${BENCH_PG_LOG:-}
    if [[ -z $PG_LOG ]]; then
        local datadir pid
        datadir=$(psql_maint -At -c "SHOW data_directory")
        if [[ $(psql_maint -At -c "SHOW logging_collector") == on ]]; then
            PG_LOG=$(psql_maint -At -c "SELECT pg_current_logfile('stderr')")
            [[ -n $PG_LOG && $PG_LOG != /* ]] && PG_LOG="$datadir/$PG_LOG"
        elif pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null); then
            PG_LOG=$(readlink "/proc/$pid/fd/2" 2>/dev/null || true)
        fi
    fi
    if [[ -z $PG_LOG || ! -f $PG_LOG || ! -r $PG_LOG ]]; then
        log "cannot read the server's log (${PG_LOG:-not found}); set BENCH_PG_LOG to its file"
        return 1
    fi
    if [[ $(psql_maint -At -c "SHOW log_destination") != *stderr* ]]; then
        log "the server does not log to stderr (log_destination): its log cannot be read here"
        return 1
    fi
    if [[ $(psql_maint -At -c "SHOW log_line_prefix") != *%d* ]]; then
        log "log_line_prefix has no %d: the log cannot tell this database's lines from others'"
        return 1
    fi
    log "server log: $PG_LOG"
}

# --- servers -------------------------------------------------------------------

# Pids of the servers this script started: the only processes it ever stops.
STARTED_PIDS=()

# start_server NAME READY_URL LOGFILE COMMAND...: sets SERVER_PID.
start_server() {
    local name=$1 ready_url=$2 logfile=$3
    shift 3
    local port=${ready_url#http://127.0.0.1:}
    port=${port%%/*}
    port_free "$port" || die "something already listens on port $port; set BENCH_SUITS_PORT / BENCH_PEER_PORT"
    "$@" >"$logfile" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    local _
    for _ in $(seq 1 120); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$logfile" >&2
            die "$name exited during startup (log above)"
        fi
        # Any HTTP answer (even 401) means it is listening.
        if curl -s -o /dev/null --max-time 1 "$ready_url"; then
            log "$name listening on port $port (pid $SERVER_PID)"
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$logfile" >&2
    die "$name not ready after 60 s (log above)"
}

stop_server() {
    local pid=$1 _
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

start_suits() {
    set_suits_env
    start_server suits "http://127.0.0.1:$SUITS_PORT/readyz" "$1" env "${SUITS_ENV[@]}" "$SUITS_BIN" serve
}

start_peer() {
    start_server peer "http://127.0.0.1:$PEER_PORT/api/v1/clients" "$1" \
        env DATABASE_URL="$DATABASE_URL" SUITS_JWT_SECRET="$JWT_SECRET" \
        BIND="127.0.0.1:$PEER_PORT" POOL_SIZE="$POOL_SIZE" "$PEER_BIN"
}

cleanup_servers() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_server "$pid"
    done
}

# token EMAIL PASSWORD: a token from Suits's own sign-in (Suits must be running).
token() {
    python3 "$LIB/api.py" token "http://127.0.0.1:$SUITS_PORT" "$1" "$2"
}
