#!/usr/bin/env python3
"""Results of compare.sh (standard library only).

  compare_report.py record RUN.jsonl WRK_OUTPUT system=.. caller=.. scenario=.. k=v...
      reads the BENCH_RESULT line wrk/common.lua printed and appends one JSON line
  compare_report.py report RUN.jsonl OUT.json OUT.tsv
      prints the comparison table, writes the JSON document and appends to the TSV;
      exits 1 if any scenario saw a non-2xx answer

A run has rounds; in each, the peer and Suits ran every scenario back to back. A
scenario's ratio is the median of its rounds' ratios (Suits rps / peer rps of the same
round), so a moment when the machine was busy weighs on one round, not on the result.

Targets (from the performance issue): list, get and accounts-of-a-client >= 75 % of the
bare stack, create >= 50 %, the assigned caller's reads >= 60 %, p99 < 50 ms.
"""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from report import cpu_model, parse  # noqa: E402  (bench/report.py, shared with run.sh)

TARGETS = {"list": 75, "get": 75, "accounts": 75, "create": 50}
ASSIGNED_TARGET = 60
P99_TARGET_MS = 50
ORDER = ["list", "get", "accounts", "create"]


def record(path, wrk_output, fields):
    row = dict(kv.split("=", 1) for kv in fields)
    for key in ("peak_rss_kb", "hwm_kb"):
        if key in row:
            row[key] = int(row[key]) if row[key].isdigit() else None
    row.update(parse(wrk_output))
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")


def mib(kb):
    return f"{kb / 1024:.1f}" if kb else "-"


def git(*args):
    root = os.environ.get("BENCH_ROOT")
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                              cwd=root).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def report(path, out_json, out_tsv):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rounds = sorted({int(r.get("round", 1)) for r in rows})
    by = {(int(r.get("round", 1)), r["system"], r["caller"], r["scenario"]): r for r in rows}

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def summary(system, caller, name):
        """The medians over the rounds of one system's runs of one scenario."""
        runs = [by[k] for k in ((n, system, caller, name) for n in rounds) if k in by]
        if not runs:
            return None
        return {
            "requests_per_s": median([r["requests_per_s"] for r in runs]),
            "latency_p50_ms": median([r["latency_p50_ms"] for r in runs]),
            "latency_p99_ms": median([r["latency_p99_ms"] for r in runs]),
            "latency_p99_max_ms": max(r["latency_p99_ms"] for r in runs),
            "peak_rss_kb": max((r.get("peak_rss_kb") or 0) for r in runs) or None,
            "loadavg": median([float(r["loadavg"].split()[0]) for r in runs
                               if r.get("loadavg")]),
        }

    table = []
    for caller in ("admin", "assigned"):
        for name in ORDER:
            suits = summary("suits", caller, name)
            peer = summary("peer", "admin", name)
            if not suits:
                continue
            ratios = []
            for n in rounds:
                s, p = by.get((n, "suits", caller, name)), by.get((n, "peer", "admin", name))
                if s and p and p["requests_per_s"]:
                    ratios.append(100 * s["requests_per_s"] / p["requests_per_s"])
            ratio = median(ratios)
            target = ASSIGNED_TARGET if caller == "assigned" else TARGETS[name]
            table.append({
                "scenario": name if caller == "admin" else f"{name} (assigned)",
                "peer": peer, "suits": suits, "ratio_pct": ratio, "target_pct": target,
                "round_ratios_pct": [round(r, 1) for r in ratios],
                "ratio_ok": ratio is not None and ratio >= target,
                "p99_ok": suits["latency_p99_ms"] < P99_TARGET_MS,
            })

    head = ["scenario", "peer rps", "p50", "p99", "RSS", "suits rps", "p50", "p99", "RSS",
            "ratio", "rounds", "target", "load"]
    lines = [head]
    for t in table:
        p, s = t["peer"] or {}, t["suits"]
        ratio = f"{t['ratio_pct']:.0f} %" if t["ratio_pct"] is not None else "-"
        lines.append([
            t["scenario"],
            f"{p.get('requests_per_s', 0):.0f}", f"{p.get('latency_p50_ms', 0):.1f}",
            f"{p.get('latency_p99_ms', 0):.1f}", mib(p.get("peak_rss_kb")),
            f"{s['requests_per_s']:.0f}", f"{s['latency_p50_ms']:.1f}",
            f"{s['latency_p99_ms']:.1f}" + ("" if t["p99_ok"] else " !"),
            mib(s.get("peak_rss_kb")),
            ratio + ("" if t["ratio_ok"] else " !"),
            "/".join(f"{r:.0f}" for r in t["round_ratios_pct"]),
            f">= {t['target_pct']} %",
            f"{p.get('loadavg') or 0:.1f}/{s.get('loadavg') or 0:.1f}",
        ])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print()
    for line in lines:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))
    print(f"\n{len(rounds)} round(s). rps, p50, p99 (ms): medians over the rounds; RSS = peak "
          f"resident set of the server during the scenario's runs, MiB (sampled every 0.5 s); "
          f"ratio = the median of the rounds' ratios Suits rps / peer rps, each round's in "
          f"'rounds' (%); '!' = target missed (ratio, or median p99 >= {P99_TARGET_MS} ms); "
          f"load = median 1-min load average before the peer's / Suits's runs.")
    for system in ("peer", "suits"):
        hwm = [r.get("hwm_kb") for r in rows if r["system"] == system and r.get("hwm_kb")]
        peaks = [mib(r.get("peak_rss_kb")) for r in rows if r["system"] == system]
        if hwm:
            print(f"{system}: peak RSS over the whole run (VmHWM) {mib(max(hwm))} MiB; "
                  f"per scenario, in order: {', '.join(peaks)} MiB")

    bad = [r for r in rows if r["non_2xx"]]
    socket = [r for r in rows if r["socket_errors"]]
    for r in socket:
        print(f"warning: {r['system']} {r['caller']} {r['scenario']}: "
              f"{r['socket_errors']} socket errors (connect/read/write/timeout)")

    first = rows[0] if rows else {}
    doc = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "os": platform.platform()},
        "config": {k: first.get(k) for k in ("clients", "accounts_per_client", "layout",
                                              "threads", "connections", "duration", "warmup",
                                              "pool_size")},
        "scenarios": rows,
        "comparison": [{k: v for k, v in t.items() if k not in ("peer", "suits")} for t in table],
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
    with open(out_json, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    columns = ["run", "round", "system", "caller", "scenario", "requests_per_s", "latency_p50_ms",
               "latency_p99_ms", "peak_rss_kb", "hwm_kb", "non_2xx", "socket_errors", "loadavg"]
    new = not os.path.exists(out_tsv)
    with open(out_tsv, "a") as f:
        if new:
            f.write("\t".join(columns) + "\n")
        for r in rows:
            f.write("\t".join(str(r.get(c, "")) for c in columns) + "\n")

    if bad:
        for r in bad:
            print(f"FAIL: {r['system']} {r['caller']} {r['scenario']}: {r['non_2xx']} non-2xx "
                  f"answers, first: {r['first_error']}", file=sys.stderr)
        sys.exit(1)


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "record":
        record(args[0], args[1], args[2:])
    elif command == "report":
        report(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
