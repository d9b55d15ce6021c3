"""HTTP calls to Suits and haproxy's stats socket (standard library only)."""

import http.client
import json
import socket
import urllib.parse


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def __repr__(self):
        return f"HTTP {self.status} {self.body[:200]!r}"


def call(base, method, path, token=None, body=None, headers=None, timeout=30):
    """One request on a connection of its own; any status is an answer."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    sent = {"Accept": "application/json"}
    if token:
        sent["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=sent)
        resp = conn.getresponse()
        payload = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
    finally:
        conn.close()


def sign_in(base, email, password):
    answer = call(base, "POST", "/api/v1/auth/token", body={"email": email, "password": password})
    if answer.status != 200:
        raise AssertionError(f"sign-in as {email} at {base}: {answer}")
    return answer.json()["access_token"]


def haproxy_servers(socket_path, backend="suits"):
    """{server name: status} from haproxy's `show stat` (UP, DOWN, "UP 1/2", MAINT...)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(socket_path)
        s.sendall(b"show stat\n")
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    lines = b"".join(chunks).decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    pxname, svname, status = header.index("pxname"), header.index("svname"), header.index("status")
    servers = {}
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) > status and fields[pxname] == backend and fields[svname] not in (
            "FRONTEND",
            "BACKEND",
        ):
            servers[fields[svname]] = fields[status]
    return servers
