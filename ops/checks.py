"""The acceptance scenario across instances: what one instance does, the others see on
the very next request, because every decision is made by the one database.

`run(lb, instances, admin)` returns [(check, passed, detail)]. Each group stops at its
first failure (later steps would only repeat it); the other groups still run.
"""

import threading
import uuid

from client import call, sign_in

ROLE_GRANTS = [
    {"permission": "staff.read", "scope": "all"},
    {"permission": "roles.read", "scope": "all"},
]


class Failed(Exception):
    pass


def expect(answer, status, what):
    if answer.status != status:
        raise Failed(f"{what}: want {status}, got {answer}")
    return answer


class Checks:
    def __init__(self, lb, instances, admin_email, admin_password):
        self.lb = lb
        self.a, self.b, self.c = instances
        self.instances = instances
        self.admin_email = admin_email
        self.admin_password = admin_password
        self.results = []
        self.admin = None

    def run(self):
        for name, group in [
            ("three instances started together on an empty database migrated and seeded it once", self.started_once),
            ("a token signed in on any instance works on every instance and through haproxy", self.tokens),
            ("a role's grants changed through one instance apply on the next request through another", self.role_grants),
            ("a staff member's role changed through one instance applies on the next request through another", self.staff_role),
            ("deactivation through one instance refuses the next request through another", self.deactivation),
            ("If-Match: a stale ETag is refused (412) on another instance than the one that wrote", self.etags),
            ("same-name creates raced on three instances at once: exactly one 201, the others 409 on the field", self.same_name),
            ("same-key role creates raced on three instances at once: exactly one 201, the others 409 on the field", self.same_key),
            ("same-email staff creates raced on three instances at once: exactly one 201, the others 409 on the field", self.same_email),
        ]:
            try:
                detail = group()
                self.results.append((name, True, detail or ""))
            except Failed as e:
                self.results.append((name, False, str(e)))
            except (OSError, ValueError, KeyError, TypeError) as e:
                self.results.append((name, False, f"{type(e).__name__}: {e}"))
        return self.results

    def admin_token(self):
        if self.admin is None:
            self.admin = sign_in(self.lb, self.admin_email, self.admin_password)
        return self.admin

    def started_once(self):
        token = self.admin_token()
        counts = []
        for base in self.instances:
            roles = expect(call(base, "GET", "/api/v1/roles", token), 200, f"roles on {base}")
            staff = expect(call(base, "GET", "/api/v1/staff", token), 200, f"staff on {base}")
            counts.append((len(roles.json()["data"]), len(staff.json()["data"])))
        if counts != [(6, 1)] * 3:
            raise Failed(f"(roles, staff) per instance: want (6, 1) each, got {counts}")
        return "6 built-in roles and 1 admin, seen alike from each instance"

    def tokens(self):
        for signed_on in self.instances:
            token = sign_in(signed_on, self.admin_email, self.admin_password)
            for used_on in self.instances + [self.lb]:
                expect(call(used_on, "GET", "/api/v1/me", token), 200, f"token from {signed_on} on {used_on}")
        return "3 sign-ins × (3 instances + haproxy)"

    def new_staff(self, role, via):
        email = f"ops.{uuid.uuid4().hex[:12]}@suits.test"
        password = "scale-out-staff-password"
        created = expect(
            call(via, "POST", "/api/v1/staff", self.admin_token(),
                 {"email": email, "full_name": "Scale Out", "role": role, "password": password}),
            201, f"create staff on {via}")
        return created.json()["id"], sign_in(via, email, password)

    def new_role(self, via):
        key = f"ops_{uuid.uuid4().hex[:10]}"
        expect(call(via, "POST", "/api/v1/roles", self.admin_token(),
                    {"key": key, "name": key, "permissions": ROLE_GRANTS}), 201, f"create role on {via}")
        return key

    def role_grants(self):
        key = self.new_role(self.a)
        _, token = self.new_staff(key, self.a)
        expect(call(self.b, "GET", "/api/v1/clients", token), 403, "clients.read before the change, on B")
        grants = ROLE_GRANTS + [{"permission": "clients.read", "scope": "all"}]
        expect(call(self.c, "PUT", f"/api/v1/roles/{key}", self.admin_token(),
                    {"name": key, "permissions": grants}), 200, "grant clients.read on C")
        expect(call(self.a, "GET", "/api/v1/clients", token), 200, "next request on A")
        expect(call(self.b, "GET", "/api/v1/clients", token), 200, "next request on B")
        expect(call(self.c, "PUT", f"/api/v1/roles/{key}", self.admin_token(),
                    {"name": key, "permissions": ROLE_GRANTS}), 200, "take clients.read back on C")
        expect(call(self.b, "GET", "/api/v1/clients", token), 403, "next request on B after taking it back")
        return "403 on B → grant through C → 200 on A and B → revoke through C → 403 on B"

    def staff_role(self):
        staff_id, token = self.new_staff("account_director", self.b)
        expect(call(self.c, "GET", "/api/v1/audit-events", token), 200, "audit.read as a director, on C")
        expect(call(self.a, "PATCH", f"/api/v1/staff/{staff_id}", self.admin_token(),
                    {"role": "account_executive"}), 200, "make them an executive through A")
        expect(call(self.c, "GET", "/api/v1/audit-events", token), 403, "next request on C")
        expect(call(self.lb, "GET", "/api/v1/audit-events", token), 403, "next request through haproxy")
        return "director → account_executive through A: audit feed 200 → 403 on C and haproxy"

    def deactivation(self):
        staff_id, token = self.new_staff("account_director", self.c)
        for base in self.instances:
            expect(call(base, "GET", "/api/v1/me", token), 200, f"active, on {base}")
        expect(call(self.b, "PATCH", f"/api/v1/staff/{staff_id}", self.admin_token(),
                    {"active": False}), 200, "deactivate through B")
        for base in self.instances + [self.lb]:
            expect(call(base, "GET", "/api/v1/me", token), 401, f"next request on {base}")
        return "deactivated through B: 401 on A, B, C and haproxy"

    def etags(self):
        token = self.admin_token()
        name = f"ETag {uuid.uuid4().hex[:12]}"
        created = expect(call(self.a, "POST", "/api/v1/clients", token, {"name": name}), 201, "create on A")
        path = f"/api/v1/clients/{created.json()['id']}"
        tag = expect(call(self.b, "GET", path, token), 200, "read on B").header("etag")
        changed = expect(call(self.b, "PATCH", path, token, {"industry": "Food"}, {"If-Match": tag}),
                         200, "change on B with the ETag")
        stale = call(self.c, "PATCH", path, token, {"industry": "Drinks"}, {"If-Match": tag})
        expect(stale, 412, "the same ETag again, on C")
        expect(call(self.a, "GET", path, token, headers={"If-None-Match": changed.header("etag")}),
               304, "the new ETag revalidates on A")
        expect(call(self.lb, "PATCH", path, token, {"industry": "Drinks"},
                    {"If-Match": changed.header("etag")}), 200, "the new ETag, through haproxy")
        return f"{tag} → {changed.header('etag')} on B; {tag} again on C: 412"

    def race(self, path, bodies, field):
        """Sends bodies[i] to instance i at the same moment; returns the statuses."""
        token = self.admin_token()
        barrier = threading.Barrier(len(self.instances))
        answers = [None] * len(self.instances)

        def send(i):
            barrier.wait()
            answers[i] = call(self.instances[i], "POST", path, token, bodies[i])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(self.instances))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(a.status for a in answers)
        if statuses != [201, 409, 409]:
            raise Failed(f"{path}: want [201, 409, 409], got {answers}")
        for a in answers:
            if a.status == 409 and field not in [e.get("field") for e in a.json().get("errors", [])]:
                raise Failed(f"{path}: a 409 not naming {field}: {a}")
        return statuses

    def same_name(self):
        rounds = 5
        for _ in range(rounds):
            name = f"Race {uuid.uuid4().hex[:12]}"
            # Different case and spacing: the name is unique case-insensitively.
            self.race("/api/v1/clients", [{"name": name}, {"name": name.upper()}, {"name": f" {name} "}], "name")
        return f"{rounds} rounds"

    def same_key(self):
        rounds = 3
        for _ in range(rounds):
            key = f"race_{uuid.uuid4().hex[:10]}"
            body = {"key": key, "name": key, "permissions": ROLE_GRANTS}
            self.race("/api/v1/roles", [body] * 3, "key")
        return f"{rounds} rounds"

    def same_email(self):
        rounds = 3
        for _ in range(rounds):
            email = f"race.{uuid.uuid4().hex[:10]}@suits.test"
            body = {"email": email, "full_name": "Race", "role": "account_executive",
                    "password": "scale-out-staff-password"}
            # Emails are compared lower-cased.
            self.race("/api/v1/staff", [body, dict(body, email=email.upper()), body], "email")
        return f"{rounds} rounds"
