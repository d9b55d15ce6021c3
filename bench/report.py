#!/usr/bin/env python3
"""Turn the BENCH_RESULT lines printed by common.lua into a table and JSON.

Usage: report.py OUT.json NAME=WRK_OUTPUT_FILE... (config comes from the
BENCH_* environment variables run.sh exports).
"""

import datetime
import json
import os
import platform
import subprocess
import sys


def parse(path):
    result, first_error = None, None
    with open(path) as f:
        for line in f:
            if line.startswith("BENCH_RESULT "):
                result = {k: int(v) for k, v in (kv.split("=", 1) for kv in line.split()[1:])}
            elif line.startswith("BENCH_FIRST_ERROR "):
                first_error = line.split(" ", 1)[1].strip()
    if result is None:
        sys.exit(f"report: no BENCH_RESULT line in {path}")
    seconds = result["duration_us"] / 1e6
    socket_errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": result["requests"],
        "duration_s": round(seconds, 3),
        "requests_per_s": round(result["requests"] / seconds, 1) if seconds else 0.0,
        "latency_p50_ms": round(result["p50_us"] / 1000, 3),
        "latency_p99_ms": round(result["p99_us"] / 1000, 3),
        "non_2xx": result["non2xx"],
        "socket_errors": socket_errors,
        "first_error": first_error,
    }


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                              cwd=os.environ.get("BENCH_ROOT")).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    scenarios = {}
    for spec in specs:
        name, path = spec.split("=", 1)
        scenarios[name] = parse(path)

    env = os.environ
    doc = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "os": platform.platform()},
        "config": {
            "database": env.get("BENCH_DB_KIND"),
            "clients_seeded": int(env.get("BENCH_CLIENTS", 0)),
            "duration": env.get("BENCH_DURATION"),
            "threads": int(env.get("BENCH_THREADS", 0)),
            "connections": int(env.get("BENCH_CONNECTIONS", 0)),
        },
        "scenarios": scenarios,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    rows = [("scenario", "req/s", "p50", "p99", "non-2xx", "socket errors")]
    for name, r in scenarios.items():
        rows.append((name, f"{r['requests_per_s']:.1f}", f"{r['latency_p50_ms']:.2f} ms",
                     f"{r['latency_p99_ms']:.2f} ms", str(r["non_2xx"]), str(r["socket_errors"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    for name, r in scenarios.items():
        if r["first_error"]:
            print(f"{name}: first non-2xx response: {r['first_error']}")


if __name__ == "__main__":
    main()
