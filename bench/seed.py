#!/usr/bin/env python3
"""Get a token and fill a fresh suits database with clients through the API.

Standard library only. A few threads, each with its own keep-alive
http.client connection: one TCP connection per request would measure the
seeding script rather than fill the database quickly.

Writes the bearer token to --token-out and the ids the server returned for
the created clients to --ids-out (one per line) for the `get` scenario.
"""

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse

INDUSTRIES = ["Retail", "Automotive", "Finance", "Healthcare", "Travel", "Food & Beverage"]


class Api:
    def __init__(self, base_url, token=None):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self.token = token
        self.conn = None

    def request(self, method, path, body=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        # The server may close an idle keep-alive connection between two
        # requests; reconnect once rather than abort the whole seed.
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                return resp.status, payload, attempt
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


def get_token(base_url, email, password):
    status, payload, _ = Api(base_url).request(
        "POST", "/api/v1/auth/token", {"email": email, "password": password})
    if status != 200:
        sys.exit(f"seed: POST /api/v1/auth/token returned {status}: {payload[:300]!r}")
    return json.loads(payload)["access_token"]


def seed(base_url, token, count, workers):
    width = max(5, len(str(count)))
    ids, failures = [], []
    lock = threading.Lock()
    next_index = iter(range(1, count + 1))

    def worker():
        api = Api(base_url, token)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            body = {
                "name": f"Bench Client {i:0{width}d}",
                "industry": INDUSTRIES[i % len(INDUSTRIES)],
                "status": "active",
            }
            try:
                status, payload, attempt = api.request("POST", "/api/v1/clients", body)
            except Exception as exc:  # noqa: BLE001 - reported below
                with lock:
                    failures.append(f"{body['name']}: {exc!r}")
                continue
            with lock:
                if status == 201:
                    ids.append(json.loads(payload)["id"])
                elif status == 409 and attempt == 2:
                    # The first attempt reached the server before the
                    # connection dropped; the client exists, only its id is
                    # unknown, which the `get` pool can live without.
                    pass
                else:
                    failures.append(f"{body['name']}: {status} {payload[:200]!r}")

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids, failures


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--token-out", required=True)
    p.add_argument("--ids-out", required=True)
    args = p.parse_args()

    token = get_token(args.base_url, args.email, args.password)
    with open(args.token_out, "w") as f:
        f.write(token)

    started = time.monotonic()
    ids, failures = seed(args.base_url, token, args.count, args.workers)
    elapsed = time.monotonic() - started

    if failures:
        print(f"seed: {len(failures)} of {args.count} creates failed, first ones:", file=sys.stderr)
        for line in failures[:5]:
            print("  " + line, file=sys.stderr)
        print("seed: the benchmark needs an empty database (names are fixed).", file=sys.stderr)
        sys.exit(1)

    # Cross-check that the ids are readable before wrk hammers them.
    status, payload, _ = Api(args.base_url, token).request("GET", f"/api/v1/clients/{ids[0]}")
    if status != 200:
        sys.exit(f"seed: GET /api/v1/clients/{ids[0]} returned {status}: {payload[:300]!r}")

    with open(args.ids_out, "w") as f:
        f.write("\n".join(str(i) for i in ids) + "\n")
    print(f"seed: created {len(ids)} clients in {elapsed:.1f}s "
          f"({len(ids) / elapsed:.0f}/s with {args.workers} connections)", file=sys.stderr)


if __name__ == "__main__":
    main()
