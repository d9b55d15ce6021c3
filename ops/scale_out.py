#!/usr/bin/env python3
"""Three Suits instances on one PostgreSQL database behind haproxy, proven with real parts.

Run through ops/scale-out.sh (which installs haproxy and wrk, builds the binary and resets
the database). In order:

 1. starts three instances at the same moment on the empty database;
 2. puts haproxy in front (haproxy's defaults, plus a health check on /readyz);
 3. runs the acceptance checks through haproxy and on each instance directly;
 4. a short bench through haproxy (wrk: list and get by id);
 5. a rolling restart under load: SIGTERM one instance, wait for it to exit, keep it
    down a few seconds, start it again, wait until haproxy has it back, then the next; no
    request may fail. Then the same with SUITS_DRAIN_SECONDS=0, to show what the drain
    saves (reported, not required);
 6. SIGKILL of one instance under load, with haproxy's defaults, then again with
    `retry-on` for idempotent requests: the requests lost each way are reported.

Every process it starts it stops again, and only those. Exits 1 if a check failed, an
instance did not exit 0 on SIGTERM, or the rolling restart lost a request.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks import Checks  # noqa: E402
from client import call, haproxy_servers, sign_in  # noqa: E402
from load import Load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
JWT_SECRET = "scale-out-only-jwt-secret-0123456789abcdef"
ADMIN_EMAIL = "admin@scale-out.test"
ADMIN_PASSWORD = "scale-out-admin-password"

HAPROXY_CFG = """\
# Written by ops/scale_out.py. haproxy's defaults, plus the timeouts it asks for, the
# health check on /readyz and a stats socket that the script reads server states from.
global
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend suits_in
    bind 127.0.0.1:{port}
    default_backend suits

backend suits
    option httpchk GET /readyz
{retry}{servers}
"""

# The README's snippet: a request whose connection failed never reached an instance and
# goes to another; a GET or HEAD that failed afterwards (the instance died holding it) is
# sent again elsewhere. Other methods are never replayed once sent.
RETRY_ON = """\
    retry-on all-retryable-errors
    option redispatch 1
    retries 3
    http-request disable-l7-retry unless METH_GET
"""


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


class Instance:
    def __init__(self, name, port, binary, env, logdir):
        self.name, self.port, self.binary = name, port, binary
        self.url = f"http://127.0.0.1:{port}"
        self.env = dict(env, SUITS_BIND=f"127.0.0.1:{port}")
        self.logpath = Path(logdir) / f"{name}.log"
        self.proc = None

    def start(self):
        with open(self.logpath, "ab") as out:
            self.proc = subprocess.Popen(
                [self.binary, "serve"], env=self.env, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited during its start:\n{self.tail()}")
            try:
                if call(self.url, "GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.tail()}")

    def log_text(self):
        return self.logpath.read_text(errors="replace")

    def tail(self, lines=15):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()


class Haproxy:
    def __init__(self, port, instances, workdir):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.instances = instances
        self.socket = str(Path(workdir) / "haproxy.sock")
        self.cfg = Path(workdir) / "haproxy.cfg"
        self.logpath = Path(workdir) / "haproxy.log"
        self.proc = None

    def config(self, retry_on):
        servers = "".join(f"    server {i.name} 127.0.0.1:{i.port} check\n" for i in self.instances)
        return HAPROXY_CFG.format(socket=self.socket, port=self.port,
                                  retry=RETRY_ON if retry_on else "", servers=servers)

    def start(self, retry_on=False):
        self.cfg.write_text(self.config(retry_on))
        subprocess.run(["haproxy", "-c", "-q", "-f", str(self.cfg)], check=True)
        with open(self.logpath, "ab") as out:
            self.proc = subprocess.Popen(["haproxy", "-db", "-f", str(self.cfg)],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        for instance in self.instances:
            self.wait_for(instance.name, "UP", 30)

    def status(self):
        try:
            return haproxy_servers(self.socket)
        except OSError:
            return {}

    def wait_for(self, server, state, timeout):
        """Waits until haproxy has `server` in `state` (UP or DOWN); returns the seconds."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.logpath.read_text(errors='replace')}")
            if self.status().get(server) == state:
                return time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"haproxy did not see {server} {state} within {timeout} s: {self.status()}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def phase(title):
    log(title)
    return time.monotonic()


def seed_clients(base, token, count, workers=4):
    ids, lock = [], threading.Lock()

    def create(n):
        for k in range(n, count, workers):
            answer = call(base, "POST", "/api/v1/clients", token, {"name": f"Seed {k:05d} {os.getpid()}"})
            if answer.status != 201:
                raise RuntimeError(f"seeding: {answer}")
            with lock:
                ids.append(answer.json()["id"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(ids) != count:
        raise RuntimeError(f"seeded {len(ids)} of {count} clients")
    return ids


def bench(lb, token, ids_file, seconds):
    rows = []
    scenarios = [
        ("list", "GET /api/v1/clients?limit=20", "list.lua", "/api/v1/clients?limit=20"),
        ("get", "GET /api/v1/clients/{id}", "get.lua", "/api/v1/clients/1"),
    ]
    env = dict(os.environ, BENCH_DIR=str(ROOT / "bench"), BENCH_IDS_FILE=str(ids_file),
               BENCH_PATH="/api/v1/clients/{id}")
    for name, request, script, path in scenarios:
        load_before = os.getloadavg()[0]
        out = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "5s",
             "-s", str(ROOT / "bench" / "wrk" / script), "-H", f"Authorization: Bearer {token}",
             lb + path],
            env=env, check=True, capture_output=True, text=True).stdout
        line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_RESULT "))
        f = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
        errors = f["non2xx"] + f["connect_errors"] + f["read_errors"] + f["write_errors"] + f["timeouts"]
        rows.append({
            "scenario": name, "request": request,
            "rps": round(f["requests"] / (f["duration_us"] / 1e6)),
            "p50_ms": round(f["p50_us"] / 1000, 1), "p99_ms": round(f["p99_us"] / 1000, 1),
            "errors": errors, "load_before": round(load_before, 1),
        })
    return rows


def rolling_restart(instances, haproxy, load_args, drain_timeout, gap, restart_with=None):
    """SIGTERM, exit, start, back in haproxy's rotation: one instance after the other,
    under load, each down for `gap` seconds between its exit and its start (as a deploy
    replacing the binary would be). `restart_with` sets (or, with None, unsets) settings of the instances
    started again."""
    load = Load(*load_args).start()
    time.sleep(2)
    steps = []
    for instance in instances:
        started = time.monotonic()
        instance.signal(signal.SIGTERM)
        out_of_rotation = None
        while instance.alive():
            # "UP 2/3" is still in rotation, going down; "DOWN" is out.
            if out_of_rotation is None and haproxy.status().get(instance.name, "").startswith("DOWN"):
                out_of_rotation = time.monotonic() - started
            if time.monotonic() - started > drain_timeout:
                raise RuntimeError(f"{instance.name} still running {drain_timeout} s after SIGTERM")
            time.sleep(0.05)
        exited = time.monotonic() - started
        code = instance.proc.returncode
        time.sleep(gap)
        for key, value in (restart_with or {}).items():
            if value is None:
                instance.env.pop(key, None)
            else:
                instance.env[key] = value
        instance.start()
        instance.wait_ready()
        haproxy.wait_for(instance.name, "UP", 60)
        steps.append({
            "instance": instance.name, "exit_code": code,
            "out_of_rotation_s": None if out_of_rotation is None else round(out_of_rotation, 1),
            "exited_s": round(exited, 1), "back_in_rotation_s": round(time.monotonic() - started, 1),
        })
        log(f"   {instance.name}: out of rotation after {steps[-1]['out_of_rotation_s']} s, exited "
            f"{code} after {steps[-1]['exited_s']} s, back after {steps[-1]['back_in_rotation_s']} s")
    time.sleep(2)
    return {"steps": steps, "load": load.stop()}


def kill_under_load(victim, haproxy, load_args):
    load = Load(*load_args).start()
    time.sleep(3)
    victim.signal(signal.SIGKILL)
    victim.proc.wait()
    detected = haproxy.wait_for(victim.name, "DOWN", 30)
    time.sleep(2)
    result = load.stop()
    victim.start()
    victim.wait_ready()
    haproxy.wait_for(victim.name, "UP", 60)
    return {"marked_down_after_s": round(detected, 1), "load": result}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the suits binary")
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--port", type=int, default=18300, help="haproxy; the instances take the next three")
    parser.add_argument("--pool-size", default="5", help="SUITS_DB_POOL_SIZE of each instance")
    parser.add_argument("--workers", type=int, default=8, help="load: connections")
    parser.add_argument("--rate", type=int, default=25, help="load: requests per second per connection")
    parser.add_argument("--restart-gap", type=float, default=5,
                        help="rolling restart: seconds an instance stays down between exit and start")
    parser.add_argument("--bench-seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=200, help="clients created for the reads")
    parser.add_argument("--results", help="also write the results to this JSON file")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="suits-scale-out-")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": args.database_url,
        "SUITS_JWT_SECRET": JWT_SECRET,
        "SUITS_ADMIN_EMAIL": ADMIN_EMAIL,
        "SUITS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SUITS_DB_POOL_SIZE": args.pool_size,
        # The load below is one token sending as fast as it can: the per-caller limit
        # would turn it into 429s (that limit is tested by the suite).
        "SUITS_RATE_LIMIT": "off",
        "RUST_LOG": "warn,suits::lifecycle=info,suits::bootstrap=info",
    }
    instances = [Instance(f"s{n}", args.port + n, args.bin, env, workdir) for n in (1, 2, 3)]
    haproxy = Haproxy(args.port, instances, workdir)
    results = {"checks": [], "machine_load": None, "restart_gap_s": args.restart_gap}
    ok = True

    def stop_on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop_on_signal)
    began = time.monotonic()
    try:
        phase(f"three instances started at the same moment on an empty database (logs in {workdir})")
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_ready()
        migrated = [i.name for i in instances if "applied" in i.log_text()]
        results["checks"].append((
            "exactly one instance applied the migrations; the others waited for the startup lock",
            len(migrated) == 1, f"applied by {migrated}"))

        phase("haproxy in front, health check on /readyz")
        haproxy.start()

        phase("acceptance checks through haproxy and on each instance directly")
        results["checks"] += Checks(haproxy.url, [i.url for i in instances],
                                    ADMIN_EMAIL, ADMIN_PASSWORD).run()
        for name, passed, detail in results["checks"]:
            log(f"   {'ok  ' if passed else 'FAIL'} {name}: {detail}")

        token = sign_in(haproxy.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        ids = seed_clients(haproxy.url, token, args.clients)
        ids_file = Path(workdir) / "client-ids"
        ids_file.write_text("\n".join(map(str, ids)) + "\n")
        load_args = (haproxy.url, token, ids, args.workers, args.rate)

        phase(f"bench through haproxy, three instances ({args.bench_seconds} s each)")
        results["bench"] = bench(haproxy.url, token, ids_file, args.bench_seconds)

        phase(f"rolling restart under load ({args.workers} connections × {args.rate}/s)")
        # Started again without a drain, for the comparison below.
        results["rolling_restart"] = rolling_restart(instances, haproxy, load_args, 120, args.restart_gap,
                                                     {"SUITS_DRAIN_SECONDS": "0"})

        phase("the same rolling restart with SUITS_DRAIN_SECONDS=0 (no drain), for comparison")
        results["rolling_restart_no_drain"] = rolling_restart(instances, haproxy, load_args, 120, args.restart_gap,
                                                              {"SUITS_DRAIN_SECONDS": None})

        phase("SIGKILL of s2 under load, haproxy's defaults")
        results["kill_default"] = kill_under_load(instances[1], haproxy, load_args)

        phase("SIGKILL of s2 under load, with retry-on for idempotent requests")
        haproxy.stop()
        haproxy.start(retry_on=True)
        results["kill_retry_on"] = kill_under_load(instances[1], haproxy, load_args)
        results["haproxy_retry_on"] = RETRY_ON
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - reported, then cleaned up
        ok = False
        results["error"] = f"{type(e).__name__}: {e}"
        log(f"stopped: {e}")
        for instance in instances:
            log(f"--- {instance.name}'s log, last lines:\n{instance.tail()}")
    finally:
        haproxy.stop()
        for instance in instances:
            instance.kill()
    results["seconds"] = round(time.monotonic() - began)
    results["machine_load"] = [round(x, 1) for x in os.getloadavg()]
    ok = report(results) and ok
    if args.results:
        Path(args.results).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


def lost(load):
    by_kind = load["failed_by_kind"]
    return (f"{load['failed']} of {load['requests']} "
            f"(get {by_kind.get('get', 0)}, list {by_kind.get('list', 0)}, create {by_kind.get('create', 0)})")


def report(results):
    ok = True
    print("\n## Scale-out: three instances behind haproxy\n")
    for name, passed, detail in results["checks"]:
        ok &= passed
        print(f"- [{'x' if passed else ' '}] {name}" + (f" — {detail}" if detail else ""))
    passed = sum(1 for _, p, _ in results["checks"] if p)
    print(f"\nchecks passed: {passed}/{len(results['checks'])}")
    if "bench" in results:
        print("\n| scenario | request | rps | p50 ms | p99 ms | errors | load before |")
        print("|---|---|---|---|---|---|---|")
        for r in results["bench"]:
            print(f"| {r['scenario']} | `{r['request']}` | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
                  f"| {r['errors']} | {r['load_before']} |")
    if "rolling_restart" in results:
        rr = results["rolling_restart"]
        codes = [s["exit_code"] for s in rr["steps"]]
        restart_ok = rr["load"]["failed"] == 0 and codes == [0, 0, 0]
        ok &= restart_ok
        print(f"\nrolling restart (SIGTERM, default drain, haproxy defaults; each instance down "
              f"{results['restart_gap_s']} s before it starts again): lost {lost(rr['load'])} "
              f"in {rr['load']['seconds']} s; exit codes {codes} {'' if restart_ok else '  <-- FAILED'}")
        for s in rr["steps"]:
            print(f"  {s['instance']}: out of rotation after {s['out_of_rotation_s']} s, exited after "
                  f"{s['exited_s']} s, back in rotation after {s['back_in_rotation_s']} s")
    if "rolling_restart_no_drain" in results:
        nd = results["rolling_restart_no_drain"]
        print(f"the same without a drain (SUITS_DRAIN_SECONDS=0): lost {lost(nd['load'])} "
              f"in {nd['load']['seconds']} s; reasons {nd['load']['reasons']}")
    for key, title in [("kill_default", "SIGKILL, haproxy defaults"),
                       ("kill_retry_on", "SIGKILL, retry-on + redispatch")]:
        if key in results:
            k = results[key]
            print(f"{title}: lost {lost(k['load'])} in {k['load']['seconds']} s; "
                  f"marked DOWN {k['marked_down_after_s']} s after the kill; reasons {k['load']['reasons']}")
    first = results.get("rolling_restart", {}).get("load", {}).get("first_failures")
    if first:
        print(f"first failures in the rolling restart: {json.dumps(first[:5])}")
    if "error" in results:
        print(f"\nstopped early: {results['error']}")
    print(f"\n{results['seconds']} s; load average after: {results['machine_load']}")
    print("scale-out: " + ("PASSED" if ok else "FAILED"))
    return ok


if __name__ == "__main__":
    sys.exit(main())
