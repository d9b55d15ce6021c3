"""A steady load through haproxy that counts every request and every failure.

Each worker keeps one keep-alive connection, as a real client does, and sends at a fixed
rate: mostly reads by id, some list pages, some creates. Whatever is not a 2xx answer
counts as lost, with its reason: a status (haproxy's 502/503/504 included), a closed
connection, a timeout. A failed connection is replaced and the next request goes on.
"""

import http.client
import json
import random
import threading
import time
import urllib.parse
import uuid
from collections import Counter

# (share of requests, method, what)
MIX = [(0.8, "GET", "get"), (0.1, "GET", "list"), (0.1, "POST", "create")]


class Load:
    def __init__(self, base, token, client_ids, workers=8, rate_per_worker=25, timeout=15):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.token = token
        self.client_ids = list(client_ids)
        self.workers = workers
        self.interval = 1.0 / rate_per_worker
        self.timeout = timeout
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.sent = Counter()
        self.failed = Counter()
        self.reasons = Counter()
        self.failures = []
        self.threads = []
        self.started = None

    def start(self):
        self.started = time.monotonic()
        for n in range(self.workers):
            t = threading.Thread(target=self._work, args=(n,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()
        return self.result()

    def result(self):
        return {
            "seconds": round(time.monotonic() - self.started, 1),
            "requests": sum(self.sent.values()),
            "failed": sum(self.failed.values()),
            "sent_by_kind": dict(self.sent),
            "failed_by_kind": dict(self.failed),
            "reasons": dict(self.reasons),
            "first_failures": self.failures[:10],
        }

    def _connect(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _pick(self, rng):
        x = rng.random()
        for share, method, kind in MIX:
            if x < share:
                return method, kind
            x -= share
        return MIX[-1][1], MIX[-1][2]

    def _work(self, n):
        rng = random.Random(n)
        conn = self._connect()
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        next_at = time.monotonic()
        while not self.stopping.is_set():
            method, kind = self._pick(rng)
            body = None
            if kind == "get":
                path = f"/api/v1/clients/{rng.choice(self.client_ids)}"
            elif kind == "list":
                path = "/api/v1/clients?limit=20"
            else:
                path = "/api/v1/clients"
                body = json.dumps({"name": f"Load {uuid.uuid4().hex}"}).encode()
            sent = dict(headers)
            if body is not None:
                sent["Content-Type"] = "application/json"
            reason = None
            try:
                conn.request(method, path, body=body, headers=sent)
                resp = conn.getresponse()
                payload = resp.read()
                if not 200 <= resp.status < 300:
                    reason = f"HTTP {resp.status}"
                    detail = payload[:160].decode(errors="replace")
            except (OSError, http.client.HTTPException) as e:
                reason = type(e).__name__
                detail = str(e)[:160]
                conn.close()
                conn = self._connect()
            with self.lock:
                self.sent[kind] += 1
                if reason:
                    self.failed[kind] += 1
                    self.reasons[f"{method} {reason}"] += 1
                    self.failures.append(
                        {
                            "at_s": round(time.monotonic() - self.started, 2),
                            "request": f"{method} {path}",
                            "reason": reason,
                            "detail": detail,
                        }
                    )
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stopping.wait(delay)
            elif delay < -1:
                # Far behind (a slow answer): carry on at the rate, without a burst.
                next_at = time.monotonic()
        conn.close()
