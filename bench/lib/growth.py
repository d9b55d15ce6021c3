#!/usr/bin/env python3
"""Latency of every list kind, for the admin and for a caller in scope `assigned`, at one
table size; and the table across sizes (standard library only).

  growth.py time BASE_URL ADMIN_TOKEN ASSIGNED_TOKEN ROWS SAMPLES BUDGET OUT.json
      one warm-up request, then up to SAMPLES sequential requests per kind and caller,
      stopping early (after at least 3) once BUDGET seconds are spent on that kind:
      the median is reported. The assigned caller's 50 clients (one account each) are
      the newest rows, so `target` (client ROWS-10) is in their scope.
  growth.py plans LOG_FILE DB_NAME OFFSET OUT.txt
      the plans auto_explain logged for DB_NAME after OFFSET (slow statements, with
      EXPLAIN ANALYZE figures), slowest first, into OUT.txt; a summary on stdout
  growth.py report OUT.json SIZE.json...
      the table: kind x caller, median latency at each size, and the ratio of the largest
      to the smallest (the issue's target: within 2x from 10,000 to 1,000,000 rows)
"""

import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse


def kinds(rows):
    target = rows - 10
    return [
        ("clients: first page", "/api/v1/clients?limit=20"),
        ("clients: cursor page", "/api/v1/clients?limit=20&cursor={cursor}"),
        ("clients: ?q= substring", f"/api/v1/clients?limit=20&q={target:07d}"),
        ("accounts: first page", "/api/v1/accounts?limit=20"),
        ("accounts: ?client_id=", f"/api/v1/accounts?limit=20&client_id={target}"),
        ("audit events: feed", "/api/v1/audit-events?limit=20"),
        ("staff: first page", "/api/v1/staff?limit=20"),
        ("clients: get by id", f"/api/v1/clients/{target}"),
    ]


class Api:
    def __init__(self, base_url, token):
        u = urllib.parse.urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        self.token = token

    def get(self, path):
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Authorization": "Bearer " + self.token,
                                                "Accept": "application/json"})
        resp = self.conn.getresponse()
        payload = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status != 200:
            sys.exit(f"GET {path}: HTTP {resp.status} {payload[:300]!r}")
        return elapsed, json.loads(payload)


def time_kinds(base_url, admin_token, assigned_token, rows, samples, budget, out):
    results = []
    for caller, token in (("admin", admin_token), ("assigned", assigned_token)):
        api = Api(base_url, token)
        _, first = api.get("/api/v1/clients?limit=20")
        cursor = first.get("next_cursor")
        if not cursor:
            sys.exit(f"{caller}: the first page of clients has no next_cursor")
        for kind, path in kinds(rows):
            path = path.replace("{cursor}", urllib.parse.quote(cursor))
            _, body = api.get(path)  # warm-up: caches, plans, connections
            items = len(body["data"]) if isinstance(body.get("data"), list) else 1
            if items == 0:
                sys.exit(f"{caller}: {path} answered no items; the figure would mean nothing")
            times, started = [], time.perf_counter()
            while len(times) < samples:
                times.append(api.get(path)[0])
                if len(times) >= 3 and time.perf_counter() - started > budget:
                    break
            median = statistics.median(times)
            print(f"    {caller:8} {kind:24} {median:9.2f} ms  (n={len(times)}, items={items})",
                  file=sys.stderr)
            results.append({"kind": kind, "caller": caller, "path": path, "median_ms": median,
                            "min_ms": min(times), "max_ms": max(times), "samples": len(times),
                            "items": items})
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    with open(out, "w") as f:
        json.dump({"rows": rows, "loadavg": load, "results": results}, f, indent=2)
        f.write("\n")


LINE_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
PLAN = re.compile(r"\[\d+\] \S*@(\S+) LOG:  duration: ([\d.]+) ms  plan:")


def plans(log, db, offset, out):
    """auto_explain's entries: a prefixed LOG line, then the plan on unprefixed lines."""
    with open(log, "rb") as f:
        f.seek(int(offset))
        lines = f.read().decode("utf-8", "replace").splitlines()
    found, current = [], None
    for line in lines:
        if LINE_START.match(line):
            current = None
            m = PLAN.search(line)
            if m and m.group(1) == db:
                current = {"ms": float(m.group(2)), "lines": []}
                found.append(current)
        elif current is not None:
            current["lines"].append(line.replace("\t", "    ", 1))
    # Each request ran twice (warm-up and sample): keep the slower plan of each query.
    found.sort(key=lambda p: -p["ms"])
    seen = set()
    unique = []
    for p in found:
        query = next((line for line in p["lines"] if "Query Text:" in line), id(p))
        if query not in seen:
            seen.add(query)
            unique.append(p)
    found = unique
    with open(out, "w") as f:
        for p in found:
            f.write(f"--- {p['ms']:.1f} ms\n" + "\n".join(p["lines"]) + "\n\n")
    for p in found:
        query = next((line.split("Query Text:", 1)[1].strip() for line in p["lines"]
                      if "Query Text:" in line), "?")
        print(f"  {p['ms']:9.1f} ms  {query[:150]}")


def report(out, paths):
    sizes = []
    for path in paths:
        with open(path) as f:
            sizes.append(json.load(f))
    sizes.sort(key=lambda s: s["rows"])
    table = {}
    order = []
    for size in sizes:
        for r in size["results"]:
            key = (r["kind"], r["caller"])
            if key not in table:
                order.append(key)
                table[key] = {}
            table[key][size["rows"]] = r["median_ms"]
    smallest, largest = sizes[0]["rows"], sizes[-1]["rows"]
    head = ["list kind", "caller"] + [f"{s['rows']:,} rows" for s in sizes] + ["ratio"]
    lines = [head]
    doc = []
    for key in order:
        by_size = table[key]
        ratio = None
        if smallest in by_size and largest in by_size and by_size[smallest]:
            ratio = by_size[largest] / by_size[smallest]
        flag = "" if ratio is None or ratio <= 2 else " !"
        lines.append([key[0], key[1]]
                     + [f"{by_size[s['rows']]:.2f} ms" if s["rows"] in by_size else "-" for s in sizes]
                     + [(f"{ratio:.1f}x" if ratio is not None else "-") + flag])
        doc.append({"kind": key[0], "caller": key[1], "median_ms": by_size, "ratio": ratio})
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print()
    for line in lines:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))
    print(f"\nmedian of sequential requests (one at a time, nothing else running); ratio = "
          f"{largest:,} rows / {smallest:,} rows; '!' = more than 2x")
    with open(out, "w") as f:
        json.dump({"sizes": [s["rows"] for s in sizes], "table": doc,
                   "loadavg": {s["rows"]: s.get("loadavg") for s in sizes}}, f, indent=2)
        f.write("\n")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "time":
        base, admin, assigned, rows, samples, budget, out = args
        time_kinds(base, admin, assigned, int(rows), int(samples), float(budget), out)
    elif command == "plans":
        plans(*args)
    elif command == "report":
        report(args[0], args[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
