#!/usr/bin/env python3
"""Counts what each request costs the database, from PostgreSQL's own statement log.

  statements.py LOG_FILE DB_NAME REQUESTS WARMUP OUT.json < cases.jsonl

Each line of stdin is a case: {"system", "caller", "operation", "method", "url",
"token", "ids": [...] or null, "body": a JSON template with {n} or null}. For each case:
WARMUP requests (so that the connection's prepared statements exist, as in steady
state), then REQUESTS requests, one at a time on one keep-alive connection with nothing
else running, then one more whose statements are printed in order. The log must hold
every statement of DB_NAME with its duration (log_min_duration_statement = 0, which
logs a parse, bind and execute line for each extended-protocol statement).

Per request:
  statements   executed statements: each `execute` and each simple `statement`
               (BEGIN, COMMIT and r2d2's `SELECT 1` included)
  checkouts    `SELECT 1`: r2d2 checks every connection it hands out with it (its
               default test_on_check_out, which Suits and the peer keep), so this is the
               number of pool checkouts
  tx           transactions: each BEGIN, plus each statement run outside one (autocommit)
  prepares     named statements parsed (PQprepare): a round trip of its own; 0 once every
               statement a request uses is in the connection's statement cache
  unnamed      statements diesel does not cache (sent with PQsendQueryParams): one round
               trip, but parsed and planned by the server on every execution
  round trips  statements + prepares: libpq waits for each of them in turn
  db ms        summed server-side durations of parse, bind and execute
"""

import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse

# "... [pid] user@db LOG:  duration: 0.123 ms  execute __diesel_stmt_3: SELECT ..."
ENTRY = re.compile(r"\[(\d+)\] \S*@(\S+) (LOG|ERROR|FATAL|WARNING|DETAIL|STATEMENT|HINT|CONTEXT):  (.*)")
DURATION = re.compile(r"duration: ([\d.]+) ms  (parse|bind|execute|statement)( [^:]*)?: (.*)")


class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def send(self, method, path, token, body):
        headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if not 200 <= resp.status < 300:
            sys.exit(f"{method} {path}: HTTP {resp.status} {payload[:300]!r}")


def read_entries(log, start, end, db):
    """The log's LOG entries for `db` between two offsets: (pid, message)."""
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", "replace")
    entries = []
    for line in text.splitlines():
        m = ENTRY.search(line)
        if m and m.group(2) == db and m.group(3) == "LOG":
            entries.append((m.group(1), m.group(4)))
    return entries


def count(entries):
    c = {"statements": 0, "begin": 0, "commit": 0, "checkouts": 0, "tx": 0, "prepares": 0,
         "unnamed": 0, "db_ms": 0.0}
    in_tx = {}
    sequence = []
    for pid, message in entries:
        m = DURATION.match(message)
        if not m:
            continue
        ms, phase, name, sql = float(m.group(1)), m.group(2), (m.group(3) or "").strip(), m.group(4)
        c["db_ms"] += ms
        if phase == "parse" and name != "<unnamed>":
            c["prepares"] += 1
            sequence.append(f"prepare {sql}")
        if phase not in ("execute", "statement"):
            continue
        c["statements"] += 1
        if phase == "statement":
            kind = "simple "
        elif name == "<unnamed>":
            kind = "unnamed"
            c["unnamed"] += 1
        else:
            kind = "cached "
        sequence.append(f"{kind} {sql}")
        word = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
        if word in ("BEGIN", "START"):
            c["begin"] += 1
            c["tx"] += 1
            in_tx[pid] = True
        elif word in ("COMMIT", "ROLLBACK", "END"):
            c["commit"] += 1
            in_tx[pid] = False
        elif not in_tx.get(pid):
            c["tx"] += 1
        if sql.strip().upper() == "SELECT 1":
            c["checkouts"] += 1
    return c, sequence


def run_case(case, log, db, requests, warmup, rng):
    u = urllib.parse.urlsplit(case["url"])
    client = Client(case["url"])
    counter = [0]

    def one():
        counter[0] += 1
        path = u.path + (("?" + u.query) if u.query else "")
        if case.get("ids"):
            path = path.replace("{id}", str(rng.choice(case["ids"])))
        body = case["body"].replace("{n}", str(counter[0])) if case.get("body") else None
        client.send(case["method"], path, case["token"], body)

    for _ in range(warmup):
        one()
    time.sleep(0.2)
    start = os.path.getsize(log)
    for _ in range(requests):
        one()
    time.sleep(0.3)
    middle = os.path.getsize(log)
    one()
    time.sleep(0.3)
    end = os.path.getsize(log)
    totals, _ = count(read_entries(log, start, middle, db))
    _, sequence = count(read_entries(log, middle, end, db))
    per = {k: v / requests for k, v in totals.items()}
    per["round_trips"] = per["statements"] + per["prepares"]
    return per, sequence


def main():
    log, db, requests, warmup, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    cases = [json.loads(line) for line in sys.stdin if line.strip()]
    rng = random.Random(42)
    results = []
    for case in cases:
        print(f"==> {case['system']} as {case['caller']}: {case['operation']} "
              f"({warmup} + {requests} requests)", file=sys.stderr)
        per, sequence = run_case(case, log, db, requests, warmup, rng)
        results.append({k: case[k] for k in ("system", "caller", "operation")} |
                       {"per_request": per, "one_request": sequence})

    head = ["operation", "caller", "system", "statements", "BEGIN+COMMIT", "checkouts",
            "other", "tx", "prepares", "unnamed", "round trips", "db ms"]
    lines = [head]
    for r in results:
        p = r["per_request"]
        other = p["statements"] - p["begin"] - p["commit"] - p["checkouts"]
        lines.append([r["operation"], r["caller"], r["system"], f"{p['statements']:.2f}",
                      f"{p['begin'] + p['commit']:.2f}", f"{p['checkouts']:.2f}", f"{other:.2f}",
                      f"{p['tx']:.2f}", f"{p['prepares']:.2f}", f"{p['unnamed']:.2f}",
                      f"{p['round_trips']:.2f}",
                      f"{p['db_ms']:.3f}"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print()
    for line in lines:
        print("  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))
    print(f"\nper request, averaged over {requests} sequential requests after {warmup} "
          "of warm-up; 'other' = statements that are neither BEGIN/COMMIT nor SELECT 1")
    print("\nThe statements of one request, in order (cached: a prepared statement diesel "
          "keeps per connection; unnamed: parsed and planned on every execution; simple: "
          "simple-query protocol):")
    for r in results:
        print(f"\n{r['system']} as {r['caller']}: {r['operation']}")
        for sql in r["one_request"]:
            print("   " + (sql if len(sql) <= 160 else sql[:157] + "..."))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"requests": requests, "warmup": warmup, "cases": results}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
