#!/usr/bin/env bash
# Load benchmark for the suits API: builds the release binary, starts it on a
# fresh database, seeds clients through the API and runs three wrk scenarios.
# See bench/README.md for the knobs.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")

export BENCH_DIR BENCH_ROOT=$ROOT
export BENCH_CLIENTS=${BENCH_CLIENTS:-10000}
export BENCH_DURATION=${BENCH_DURATION:-15s}
export BENCH_THREADS=${BENCH_THREADS:-2}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_BIND=${BENCH_BIND:-127.0.0.1:18080}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-5s}
BENCH_SEED_WORKERS=${BENCH_SEED_WORKERS:-4}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results/latest.json}
BASE_URL="http://$BENCH_BIND"

# Fixed test credentials: the server only ever lives for this run.
JWT_SECRET="bench-only-jwt-secret-0123456789abcdef"
ADMIN_EMAIL=${BENCH_ADMIN_EMAIL:-bench-admin@example.com}
ADMIN_PASSWORD=${BENCH_ADMIN_PASSWORD:-bench-admin-password}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[[ $BENCH_CLIENTS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CLIENTS must be a positive integer"
command -v python3 >/dev/null || die "python3 is required"

# --- wrk ---------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    command -v apt-get >/dev/null || die "wrk is missing and apt-get is not available; install wrk first"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    # Only refresh the package lists when they do not know wrk yet.
    policy=$(apt-cache policy wrk 2>/dev/null || true)
    if [[ $policy != *"Candidate: "* || $policy == *"Candidate: (none)"* ]]; then
        log "apt-get update"
        $sudo apt-get update -q
    fi
    log "installing wrk"
    $sudo apt-get install -y -q wrk
fi

# A server already listening there would be benchmarked instead of ours;
# checked before the build so the failure comes early.
if python3 - "$BENCH_BIND" <<'PY'; then
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
try:
    socket.create_connection((host, int(port)), timeout=1).close()
except OSError:
    sys.exit(1)
PY
    die "something already listens on $BENCH_BIND; set BENCH_BIND to a free host:port"
fi

# --- build -------------------------------------------------------------------
log "cargo build --release"
(cd "$ROOT" && cargo build --release)
# Ask cargo where the binary is so CARGO_TARGET_DIR (relative or absolute)
# and .cargo/config.toml are honoured the same way the build honoured them.
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/suits"
[[ -x $BIN ]] || die "release binary not found at $BIN"

# --- server ------------------------------------------------------------------
TMP=$(mktemp -d -t suits-bench.XXXXXX)
SERVER_PID=""
WRK_PID=""
cleanup() {
    if [[ -n $WRK_PID ]]; then kill "$WRK_PID" 2>/dev/null || true; fi
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${BENCH_DATABASE_URL:-} ]]; then
    DATABASE_URL=$BENCH_DATABASE_URL
    BENCH_DB_KIND=${DATABASE_URL%%:*}
else
    DATABASE_URL="sqlite://$TMP/bench.db"
    BENCH_DB_KIND=sqlite
fi
export BENCH_DB_KIND

log "starting $BIN on $BENCH_BIND ($BENCH_DB_KIND)"
# Request logging at info level would put log I/O on every request's path; one token
# sends thousands of requests a second, so no per-caller limit.
DATABASE_URL=$DATABASE_URL \
SUITS_BIND=$BENCH_BIND \
SUITS_RATE_LIMIT=off \
SUITS_DRAIN_SECONDS=0 \
SUITS_JWT_SECRET=$JWT_SECRET \
SUITS_ADMIN_EMAIL=$ADMIN_EMAIL \
SUITS_ADMIN_PASSWORD=$ADMIN_PASSWORD \
RUST_LOG=${BENCH_RUST_LOG:-warn} \
    "$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

ready=""
for _ in $(seq 1 120); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 30 "$TMP/server.log" >&2
        die "server exited during startup (log above)"
    fi
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$BASE_URL/readyz" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    tail -n 30 "$TMP/server.log" >&2
    die "server not ready on $BASE_URL/readyz after 60s (log above)"
fi

# --- seed --------------------------------------------------------------------
log "seeding $BENCH_CLIENTS clients"
python3 "$BENCH_DIR/seed.py" --base-url "$BASE_URL" \
    --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" \
    --count "$BENCH_CLIENTS" --workers "$BENCH_SEED_WORKERS" \
    --token-out "$TMP/token" --ids-out "$TMP/ids"
TOKEN=$(<"$TMP/token")
export BENCH_IDS_FILE="$TMP/ids"
BENCH_RUN_ID="run$(date +%s)$$"
export BENCH_RUN_ID

# --- scenarios ---------------------------------------------------------------
run_wrk() {
    local name=$1 path=$2
    log "scenario $name: $BENCH_THREADS threads, $BENCH_CONNECTIONS connections, $BENCH_DURATION"
    # In the background plus `wait`: wrk exits cleanly on Ctrl-C, and bash would
    # then carry on with the next scenario; `wait` lets the INT trap fire.
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --timeout "$BENCH_TIMEOUT" \
        --latency -s "$BENCH_DIR/wrk/$name.lua" \
        -H "Authorization: Bearer $TOKEN" \
        "$BASE_URL$path" >"$TMP/$name.out" 2>&1 &
    WRK_PID=$!
    local status=0
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    cat "$TMP/$name.out"
    [[ $status -eq 0 ]] || die "wrk failed (exit status $status) in scenario $name"
}
run_wrk list "/api/v1/clients?limit=20"
run_wrk get "/api/v1/clients"
run_wrk create "/api/v1/clients"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/server.log" >&2
    die "server died during the benchmark (log above)"
fi

echo
python3 "$BENCH_DIR/report.py" "$BENCH_RESULTS" \
    list="$TMP/list.out" get="$TMP/get.out" create="$TMP/create.out"
echo "results written to $BENCH_RESULTS"

# Figures that include error responses measure the wrong thing.
if grep -q '^BENCH_FIRST_ERROR' "$TMP"/*.out; then
    die "some requests got non-2xx responses; the figures above are not valid"
fi
