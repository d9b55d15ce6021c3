"""Schemathesis hooks for .ci/api-fuzz: keep the fuzzer from locking itself out.

Suits rightly lets an admin deactivate themselves or rewrite the admin role while someone
else can still administer (roles::service::ensure_administrable). A fuzzer that does so
to its own account or role turns every later request into a 401/403 and the rest of the
run tests nothing. So changes aimed at the fuzzer's own staff row or role go to seeded
stand-ins instead; every other request is sent as generated.
"""

import itertools
import os
import re

import schemathesis

SELF_ID = os.environ["FUZZ_SELF_ID"]
SELF_ROLE = os.environ["FUZZ_SELF_ROLE"]
STAND_IN_ID = os.environ["FUZZ_STAND_IN_ID"]
STAND_IN_ROLE = os.environ["FUZZ_STAND_IN_ROLE"]


# A well-formed Idempotency-Key, as the spec's pattern says.
KEY = re.compile(r'^("[!#-\[\]-~]{1,255}"|[!#-\[\]-~]{1,255})$')
SERIAL = itertools.count()


def unique_key(value):
    """The generated key made unique to this request, still well-formed: the fuzzer draws
    few distinct short keys, and a key reused with another request is rightly a 422, which
    would hide whatever else the request was meant to exercise. Replays are tested by the
    suite (tests/api/conventions/idempotency.rs)."""
    quoted = value.startswith('"')
    inner = value.strip('"')[:200] + f"-{next(SERIAL)}"
    return f'"{inner}"' if quoted else inner


@schemathesis.hook
def before_call(context, case, kwargs):
    # On the request as sent (kwargs), not on the case, which the checks reason about.
    headers = kwargs.get("headers") or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and KEY.match(value):
            headers[name] = unique_key(value)
    params = case.path_parameters
    if not params:
        return
    method = case.method.upper()
    path = case.operation.path
    if path.endswith("/staff/{id}") and method == "PATCH" and str(params.get("id")) == SELF_ID:
        params["id"] = STAND_IN_ID
    elif path.endswith("/roles/{key}") and method == "PUT" and params.get("key") == SELF_ROLE:
        params["key"] = STAND_IN_ROLE


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """An import's NDJSON body: the spec can only call it text, so a generated string goes
    as it is and anything else as one JSON line; the service reads either and says what
    is wrong with it."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    import json

    return (json.dumps(value) + "\n").encode("utf-8", "surrogatepass")
