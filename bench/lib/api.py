#!/usr/bin/env python3
"""Small HTTP helpers for the bench scripts (standard library only).

  api.py token BASE_URL EMAIL PASSWORD
      prints an access token from Suits's sign-in
  api.py smoke METHOD URL TOKEN STATUS [--items N | --min-items N] [--body JSON]
      one request; exits 1 with the answer unless the status is STATUS and, for a
      list, `data` holds exactly N (or at least N) items: a scenario that measured
      401s, 404s or empty pages would say nothing about the API.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request


def call(method, url, token=None, body=None, timeout=60):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body.encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def token(args):
    status, payload = call("POST", args.base_url.rstrip("/") + "/api/v1/auth/token",
                           body=json.dumps({"email": args.email, "password": args.password}))
    if status != 200:
        sys.exit(f"sign-in as {args.email}: HTTP {status} {payload[:300]!r}")
    print(json.loads(payload)["access_token"])


def smoke(args):
    status, payload = call(args.method, args.url, args.token, args.body)
    problem = None
    if status != args.status:
        problem = f"HTTP {status}, want {args.status}"
    elif args.items is not None or args.min_items is not None:
        data = json.loads(payload).get("data")
        n = len(data) if isinstance(data, list) else -1
        if args.items is not None and n != args.items:
            problem = f"{n} items, want {args.items}"
        if args.min_items is not None and n < args.min_items:
            problem = f"{n} items, want at least {args.min_items}"
    if problem:
        sys.exit(f"smoke check {args.method} {args.url}: {problem}: {payload[:300]!r}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("token")
    p.add_argument("base_url")
    p.add_argument("email")
    p.add_argument("password")
    p.set_defaults(run=token)
    p = sub.add_parser("smoke")
    p.add_argument("method")
    p.add_argument("url")
    p.add_argument("token")
    p.add_argument("status", type=int)
    p.add_argument("--items", type=int)
    p.add_argument("--min-items", type=int)
    p.add_argument("--body")
    p.set_defaults(run=smoke)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
