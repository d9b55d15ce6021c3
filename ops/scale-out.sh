#!/usr/bin/env bash
# Three Suits instances on one PostgreSQL database behind haproxy: the acceptance checks
# across instances, a short bench, a rolling restart under load that must lose nothing,
# and an instance killed under load with and without haproxy's retry-on. See
# ops/scale_out.py for the steps; this wrapper brings what they need:
#   - haproxy 2.6 (Debian 12's series) and wrk from apt, when missing;
#   - the debug binary (`cargo build --locked`; CI has built it already), or OPS_SUITS_BIN;
#   - a fresh database: OPS_DATABASE_URL, default
#     postgres://postgres@127.0.0.1:5432/suits_ops, dropped and created (never `test`,
#     `postgres` or a template).
# Ports: OPS_PORT (haproxy, default 18300) and the next three (the instances).
# Exits 1 if a check failed or the rolling restart lost a request.
set -euo pipefail
cd "$(dirname "$0")/.."

# Database helpers (use_database, reset_database) and wrk's installation, shared with
# the benchmarks.
# shellcheck source=../bench/lib/common.sh
source bench/lib/common.sh

DATABASE=${OPS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suits_ops}
PORT=${OPS_PORT:-18300}

ensure_haproxy() {
    if command -v haproxy >/dev/null; then
        haproxy -v | sed -n 1p
        return 0
    fi
    command -v apt-get >/dev/null || die "haproxy is missing and apt-get is not available"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    local policy
    policy=$(apt-cache policy haproxy 2>/dev/null || true)
    if [[ $policy != *"Candidate: 2.6."* ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
    fi
    log "installing haproxy 2.6"
    # The package's service is not started here (no init system, or policy-rc.d); the
    # script runs its own haproxy in the foreground either way.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends 'haproxy=2.6.*'
    haproxy -v | sed -n 1p
}

need python3 psql cargo
ensure_haproxy
ensure_wrk

for port in "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 3)); do
    port_free "$port" || die "port $port is in use"
done

if [[ -n ${OPS_SUITS_BIN:-} ]]; then
    SUITS_BIN=$OPS_SUITS_BIN
else
    log "cargo build --locked (the debug binary)"
    cargo build --locked -q --bin suits
    target=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    SUITS_BIN="$target/debug/suits"
fi
[[ -x $SUITS_BIN ]] || die "no Suits binary at $SUITS_BIN"

use_database "$DATABASE"
reset_database

# The Python side starts and stops every process it uses, and only those. It runs in the
# background so that a signal to this script is passed on to it (a foreground child would
# have to finish first); it then stops what it started and reports.
python3 ops/scale_out.py --bin "$SUITS_BIN" --database-url "$DATABASE" --port "$PORT" \
    ${OPS_RESULTS:+--results "$OPS_RESULTS"} "$@" &
runner=$!
trap 'kill -TERM "$runner" 2>/dev/null || true' INT TERM HUP
status=0
while :; do
    wait "$runner" && status=0 || status=$?
    kill -0 "$runner" 2>/dev/null || break
done
exit "$status"
