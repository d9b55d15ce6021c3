#!/usr/bin/env python3
"""Results of compare.sh (standard library only).

  compare_report.py record RUN.jsonl WRK_OUTPUT system=.. caller=.. scenario=.. k=v...
      reads the BENCH_RESULT line wrk/common.lua printed and appends one JSON line
  compare_report.py report RUN.jsonl OUT.json OUT.tsv
      prints the comparison table, writes the JSON document and appends to the TSV;
      exits 1 if any scenario saw a non-2xx answer

Targets (from the performance issue): list, get and accounts-of-a-client >= 75 % of the
bare stack, create >= 50 %, the assigned caller's reads >= 60 %, p99 < 50 ms.
"""

import datetime
import json
import os
import platform
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
    by = {(r["system"], r["caller"], r["scenario"]): r for r in rows}

    table = []
    for caller in ("admin", "assigned"):
        for name in ORDER:
            suits = by.get(("suits", caller, name))
            peer = by.get(("peer", "admin", name))
            if not suits:
                continue
            ratio = None
            if peer and peer["requests_per_s"]:
                ratio = 100 * suits["requests_per_s"] / peer["requests_per_s"]
            target = ASSIGNED_TARGET if caller == "assigned" else TARGETS[name]
            table.append({
                "scenario": name if caller == "admin" else f"{name} (assigned)",
                "peer": peer, "suits": suits, "ratio_pct": ratio, "target_pct": target,
                "ratio_ok": ratio is not None and ratio >= target,
                "p99_ok": suits["latency_p99_ms"] < P99_TARGET_MS,
            })

    head = ["scenario", "peer rps", "p50", "p99", "RSS", "suits rps", "p50", "p99", "RSS",
            "ratio", "target", "load"]
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
            f">= {t['target_pct']} %",
            f"{p.get('loadavg', '-').split()[0] if p else '-'}/{s.get('loadavg', '-').split()[0]}",
        ])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print()
    for line in lines:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))
    print(f"\nrps = requests/s; p50, p99 in ms; RSS = peak resident set of the server during the "
          f"scenario, MiB (sampled every 0.5 s); ratio = Suits rps / peer rps; '!' = target "
          f"missed (ratio, or p99 >= {P99_TARGET_MS} ms); load = 1-min load average before "
          f"the peer's / Suits's scenario.")
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
    columns = ["run", "system", "caller", "scenario", "requests_per_s", "latency_p50_ms",
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
