"""Hostile input over raw sockets against a real gunicorn (DESIGN §2 accepted input, §4).

Malformed bytes reach the server as sent: broken and strict-JSON-violating bodies, bodies
past COLLAB_MAX_BODY_BYTES (413), deep nesting, wrong content types (415), invalid UTF-8,
numbers past 2^53 and past Python's 4,300 digits, NaN and Infinity, 10 MB strings, and
SQL, path and encoding injection strings in every identifier position of every documented
path (the other identifiers real, so the hostile one is what is refused). No 5xx ever;
every refusal Flask gives is problem+json (gunicorn itself refuses a malformed request
line with a plain 400); the log head never moves; afterwards the service still answers
/healthz and records a valid command. SQLite (embedded) and PostgreSQL (server mode).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.matrix_world import OPERATIONS
from tests.integration.conftest import Http
from tests.stress.conftest import (
    MAX_BODY,
    PROBLEM,
    Raw,
    Target,
    filled,
    head,
    refused,
    request,
)

pytestmark = pytest.mark.long

TEN_MB = 10 * 2**20


# -- bodies -----------------------------------------------------------------------------------

REGISTRATION = {
    "identifiers": [{"scheme": "PT-NIPPC", "id": "hostile0001"}],
    "legal_name": "A hostile body",
    "org_type": 22,
    "sector": "civil_society",
    "territory": {"country": "PT", "nuts": "PT1C2"},
}


def registration(**literals: str) -> bytes:
    """The valid registration with some values replaced by raw JSON text (`literals`)."""
    text = json.dumps({**REGISTRATION, **{name: f"@{name}@" for name in literals}})
    for name, literal in literals.items():
        text = text.replace(f'"@{name}@"', literal)
    return text.encode()


BODIES: dict[str, bytes] = {
    "malformed": b'{"legal_name": ',
    "trailing garbage": b"{} {}",
    "truncated escape": b'{"legal_name": "\\u12',
    "duplicate keys": b'{"legal_name": "a", "legal_name": "b"}',
    "an array": b"[]",
    "a string": b'"text"',
    "null": b"null",
    "a byte-order mark": b"\xef\xbb\xbf{}",
    "UTF-16": "{}".encode("utf-16"),
    "NaN": registration(org_type="NaN"),
    "Infinity": registration(org_type="Infinity"),
    "-Infinity": registration(org_type="-Infinity"),
    "2^53": registration(org_type=str(2**53)),
    "2^64": registration(org_type=str(2**64)),
    "1e400": registration(org_type="1e400"),
    "-1e400": registration(org_type="-1e400"),
    "5000 digits": registration(org_type="9" * 5000),
    "5000 decimals": registration(org_type="0." + "1" * 5000),
    "a big number for a string": registration(legal_name=str(2**64)),
    "deep arrays": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "invalid UTF-8": b'{"legal_name": "\xff\xfe"}',
    "overlong UTF-8": b'{"legal_name": "\xc0\xaf"}',
    "a surrogate in UTF-8": b'{"legal_name": "\xed\xa0\x80"}',
    "a lone surrogate escaped": registration(legal_name='"\\ud800"'),
    "U+0000 escaped": registration(legal_name='"a\\u0000b"'),
    "a 10 MB string": registration(legal_name=json.dumps("x" * TEN_MB)),
    "a 10 MB escaped string": registration(legal_name='"' + "\\u00e9" * (TEN_MB // 6) + '"'),
    "a 10 MB key": json.dumps({**REGISTRATION, "k" * TEN_MB: 1}).encode(),
}
CONTENT_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/jsonx",
)
HEADERS = {
    "a long key": {"Idempotency-Key": "k" * 65},
    "a key with spaces": {"Idempotency-Key": "a key"},
    "a key of quotes": {"Idempotency-Key": "'; DROP TABLE stored_events;--"},
    "a word for If-Match": {"If-Match": '"abc"'},
    "a huge If-Match": {"If-Match": f'"{"9" * 40}"'},
}


def test_malformed_bodies_content_types_and_headers_are_refused_and_record_nothing(
    target: Target,
) -> None:
    # Given the log head, and the broker's token (a valid registration would be recorded)
    before, token = head(target.admin), target.scene.broker.token
    # When each malformed body is posted, Then it is refused with 422, as problem+json
    for what, body in BODIES.items():
        reply = target.post("/v1/organisations", body, token)
        refused(reply, what)
        assert reply.status == 422, (what, reply.body[:300])
    # When a valid body comes with another content type (or none), Then 415
    valid = registration()
    for content_type in CONTENT_TYPES:
        reply = target.post("/v1/organisations", valid, token, **{"Content-Type": content_type})
        assert (reply.status, reply.content_type) == (415, PROBLEM), content_type
    reply = target.send(request("POST", "/v1/organisations", token, valid))
    assert (reply.status, reply.content_type) == (415, PROBLEM)
    # When it comes with a malformed Idempotency-Key or If-Match, Then 422
    for what, headers in HEADERS.items():
        reply = target.post("/v1/organisations", valid, token, **headers)
        assert (reply.status, reply.content_type) == (422, PROBLEM), what
    # When the token itself is garbage, Then 401 (or gunicorn's 400 for control bytes)
    for garbage in ("x" * 5000, "'; DROP TABLE stored_events;--", "\x7f\x01"):
        reply = target.post("/v1/organisations", valid, garbage)
        refused(reply, garbage)
        assert reply.status in (400, 401), garbage
    # Then nothing was recorded, and the service still serves
    assert head(target.admin) == before
    assert_still_serving(target, before)


def test_a_body_past_the_limit_gets_413(target: Target) -> None:
    # Given the log head and a body one megabyte past COLLAB_MAX_BODY_BYTES
    before, token = head(target.admin), target.scene.broker.token
    # When it is sent with its Content-Length, Then 413 (problem+json)
    reply = target.post("/v1/organisations", past_the_limit(), token)
    assert (reply.status, reply.content_type) == (413, PROBLEM), reply.body[:300]
    # Then nothing was recorded, and the service still serves
    assert head(target.admin) == before
    assert_still_serving(target, before)


def test_a_chunked_body_past_the_limit_gets_413(target: Target) -> None:
    # Given the log head and a body past the limit, in 1 MB chunks (no length announced)
    before, token = head(target.admin), target.scene.broker.token
    huge = past_the_limit()
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part)
        for part in (huge[i : i + 2**20] for i in range(0, len(huge), 2**20))
    )
    # When it is sent chunked
    reply = target.post(
        "/v1/organisations", chunks + b"0\r\n\r\n", token, **{"Transfer-Encoding": "chunked"}
    )
    # Then it is refused, never a 5xx, and nothing was recorded
    refused(reply, "chunked")
    assert head(target.admin) == before
    # And the refusal is 413, as for the same body with its length announced
    assert (reply.status, reply.content_type) == (413, PROBLEM), reply.body[:300]


# Values that parse but lie outside the accepted input (DESIGN §2, issue 12): each a 422
# with the field named, never stored.
OUTSIDE = {
    "a scheme with a trailing LF": {"identifiers": [{"scheme": "PT-NIPPC\n", "id": "h1"}]},
    "a scheme with a trailing CRLF": {"identifiers": [{"scheme": "PT-NIPPC\r\n", "id": "h1"}]},
    "a scheme outside the register": {"identifiers": [{"scheme": "PT-NIPC", "id": "h1"}]},
    "a deprecated scheme": {"identifiers": [{"scheme": "GB-GOVUK", "id": "h1"}]},
    "a zero-width space in an id": {"identifiers": [{"scheme": "PT-NIPPC", "id": "h\u200b1"}]},
    "an inner space in an id": {"identifiers": [{"scheme": "PT-NIPPC", "id": "h 1"}]},
    "a NUTS code with a trailing LF": {"territory": {"country": "PT", "nuts": "PT1C2\n"}},
    "a NUTS 2021 code": {"territory": {"country": "PT", "nuts": "PT184"}},
    "an Extra-Regio code": {"territory": {"country": "PT", "nuts": "PTZZZ"}},
    "a NUTS code of another country": {"territory": {"country": "ES", "nuts": "PT1C2"}},
    "a private type declared public": {"org_type": 70, "sector": "public"},
}
CASH = {"value": "10.00", "unit": "EUR"}
PLEDGES_OUTSIDE = {
    "an amount with a trailing LF": {"quantity": {"value": "10.00\n", "unit": "EUR"}},
    "XXX": {
        "quantity": {"value": "10.00", "unit": "XXX"},
        "valuation": {"amount": "10.00", "currency": "XXX", "method": "actual_cost"},
    },
    "gold": {
        "quantity": {"value": "10.00", "unit": "XAU"},
        "valuation": {"amount": "10.00", "currency": "XAU", "method": "actual_cost"},
    },
    "cash valued in another currency": {
        "valuation": {"amount": "10.00", "currency": "USD", "method": "actual_cost"}
    },
    "cash valued at another amount": {
        "valuation": {"amount": "99.00", "currency": "EUR", "method": "market_value"}
    },
}


def test_values_outside_the_accepted_input_are_refused_and_lookalikes_are_one_claim(
    target: Target,
) -> None:
    # Given the log head
    before, broker = head(target.admin), target.scene.broker.token

    def post(path: str, body: dict[str, Any], token: str) -> Raw:
        return target.post(path, json.dumps(body).encode(), token)

    # When registrations with values outside the accepted input are posted, Then 422
    for what, overrides in OUTSIDE.items():
        reply = post("/v1/organisations", {**REGISTRATION, **overrides}, broker)
        refused(reply, what)
        assert reply.status == 422, (what, reply.body)
    # And pledges of cash that is not money, or valued at another figure, are 422 too
    pledges = f"/v1/partnerships/{target.ids['partnership_id']}/commitments"
    for what, overrides in PLEDGES_OUTSIDE.items():
        body = {
            "contribution_type": "cash",
            "quantity": CASH,
            "valuation": {"amount": "10.00", "currency": "EUR", "method": "actual_cost"},
            **overrides,
        }
        reply = post(pledges, body, target.scene.partners["a"].token)
        refused(reply, what)
        assert reply.status == 422, (what, reply.body)
    assert head(target.admin) == before
    # When an identifier is registered, and then again in fullwidth digits, Then the second
    # is the same claim: 409, nothing recorded
    plain = uuid.uuid4().hex[:8].upper()
    first = {**REGISTRATION, "identifiers": [{"scheme": "PT-NIPPC", "id": plain}]}
    assert post("/v1/organisations", first, broker).status == 201
    after = head(target.admin)
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in plain)
    twin = {**REGISTRATION, "identifiers": [{"scheme": "PT-NIPPC", "id": wide}]}
    reply = post("/v1/organisations", twin, broker)
    refused(reply, "a fullwidth lookalike")
    assert reply.status == 409, reply.body
    assert head(target.admin) == after
    assert_still_serving(target, after)


def past_the_limit() -> bytes:
    return registration(legal_name=json.dumps("x" * (MAX_BODY + 2**20)))


def assert_still_serving(target: Target, before: int) -> None:
    """/healthz answers, and a valid command is recorded right after the head."""
    assert target.admin.get("/healthz").status == 200
    body = {**REGISTRATION, "identifiers": [{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}]}
    reply = target.scene.broker.post("/v1/organisations", body)
    assert reply.status == 201, reply.body
    assert reply.body["position"] > before and head(target.admin) == reply.body["position"]


# -- injection strings in every identifier position --------------------------------------------

IN_PATHS = (  # as they go into a URL: some percent-encoded, some raw on purpose
    quote("'; DROP TABLE stored_events;--", safe=""),
    quote("' OR '1'='1", safe=""),
    quote("1; SELECT pg_sleep(10)", safe=""),
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%00",
    "a%00b",
    "%ff%fe",
    "%ED%A0%80",  # a UTF-16 surrogate in UTF-8: no Unicode scalar value
    quote("ü🙂\u202e", safe=""),
    quote("${jndi:ldap://x}{{7*7}}<script>", safe=""),
    "9" * 40,
    "-1",
    "1e400",
    "%",
    "a" * 3000,
    "00000000-0000-0000-0000-000000000000",
    "00000000-0000-0000-0000-000000000000%0A",  # a real-looking id with a trailing newline
    str(2**53 - 1),  # past the head, as a position (the feed's `after`, as-of)
)
IN_BODIES = (  # as JSON strings
    "'; DROP TABLE stored_events;--",
    "../../etc/passwd",
    "a\x00b",
    "\ud800",
    "ü🙂\u202e",
    "9" * 40,
    "a" * 10_000,
    "00000000-0000-0000-0000-000000000000",
    "00000000-0000-0000-0000-000000000000\n",
    "\uff10" * 8 + "-0000-0000-0000-000000000000",  # fullwidth digits
)
QUERIES = (
    ("/v1/audit/export", "partnership"),
    ("/v1/audit/proofs/inclusion", "position"),
    ("/v1/events", "after"),
    ("/v1/partnerships", "cursor"),
    ("/v1/organisations", "cursor"),
    ("/v1/partnerships/{partnership_id}/view", "as_of_position"),
    ("/v1/partnerships/{partnership_id}/view", "as_of"),
    ("/v1/partnerships/{partnership_id}/history", "min_position"),
)
BODY_IDS = ("on_behalf_of", "organisation_id", "recipient", "broker_id", "partnership_id",
            "other_id", "decision_id", "indicator_id", "milestone_id")  # fmt: skip


def test_injection_strings_in_every_identifier_position_are_refused(target: Target) -> None:
    # Given every documented operation with a well-formed body (the authorization matrix's)
    ids, before = target.ids, head(target.admin)
    document = target.admin.get("/v1/openapi.json").body
    bodies = {(op.method, op.path): op.body for op in OPERATIONS.values()}
    requests: list[tuple[str, str, Http, Any]] = []
    for path, methods in document["paths"].items():
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        for method in (m.upper() for m in methods if m in ("get", "post", "delete")):
            body = bodies.get((method, path), {} if method == "POST" else None)
            body = filled(body() if callable(body) else body, ids)
            # the hostile string in each path position, the other ids real (as an admin)
            for name in names:
                for hostile in IN_PATHS:
                    url = path.format(**{**ids, name: hostile})
                    requests.append((method, url, target.admin, body))
            # and in each identifier of the body (as the lead, who may do most things)
            for field in BODY_IDS if method == "POST" else ():
                for hostile in IN_BODIES if field in body or field == "on_behalf_of" else ():
                    url = path.format(**ids)
                    requests.append(
                        (method, url, target.scene.partners["a"], {**body, field: hostile})
                    )
    for path, param in QUERIES:
        for hostile in IN_PATHS:
            requests.append(("GET", f"{path.format(**ids)}?{param}={hostile}", target.admin, None))

    # When each is sent (four at a time)
    def send(item: tuple[str, str, Http, Any]) -> tuple[str, str, Raw]:
        method, url, who, body = item
        data = b"" if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        return method, url, target.send(request(method, url, who.token, data, headers))

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(send, requests))

    # Then no command was acknowledged and nothing answered with a 5xx; nothing was recorded
    statuses = Counter(reply.status for _, _, reply in replies)
    print(f"\ninjections on {target.served.mode}: {len(replies)} requests; {dict(statuses)}")
    wrong = []
    for method, url, reply in replies:
        if method == "GET" and reply.status == 200:
            continue  # a read that filters (a list, the feed) may answer with nothing
        try:
            refused(reply, f"{method} {url[:200]}")
        except AssertionError as e:
            wrong.append(str(e)[:300])
    assert wrong == []
    assert head(target.admin) == before
    assert_still_serving(target, before)


# -- bytes that are not HTTP as a framework would send it ------------------------------------------


def raw_requests(target: Target) -> dict[str, bytes]:
    pid, token = target.ids["partnership_id"], target.scene.broker.token.encode()
    auth = b"Authorization: Bearer " + token + b"\r\n"
    valid = registration()

    def post(path: bytes, headers: bytes = b"", body: bytes = valid) -> bytes:
        length = b"Content-Length: %d\r\n" % len(body)
        head = b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth
        return head + b"Content-Type: application/json\r\n" + length + headers + b"\r\n" + body

    join, chunked = f"/v1/partnerships/{pid}/join".encode(), b"Transfer-Encoding: chunked\r\n"
    return {
        "raw invalid UTF-8 in a path": post(b"/v1/partnerships/\xff\xfe/join", body=b"{}"),
        "a raw NUL in a path": post(b"/v1/partnerships/a\x00b/join", body=b"{}"),
        "raw UTF-8 in a path": post("/v1/partnerships/ü🙂/join".encode(), body=b"{}"),
        "a path climbing out": post(b"/v1/../../../etc/passwd", body=b"{}"),
        "a 5000-byte path": post(b"/v1/partnerships/" + b"a" * 5000 + b"/join", body=b"{}"),
        "an unknown method": post(b"/v1/organisations").replace(b"POST ", b"BREW ", 1),
        "raw bytes in a key": post(b"/v1/organisations", b"Idempotency-Key: \xff\xfe\r\n"),
        "a NUL in a key": post(b"/v1/organisations", b"Idempotency-Key: a\x00b\r\n"),
        "a 20 KB header": post(b"/v1/organisations", b"X-Pad: " + b"x" * 20_000 + b"\r\n"),
        "two lengths": post(b"/v1/organisations", b"Content-Length: 2\r\n"),
        "a negative length": post(join, b"", b"").replace(b"Length: 0", b"Length: -1"),
        "a length in words": post(join, b"", b"").replace(b"Length: 0", b"Length: ten"),
        "chunked and a length": post(b"/v1/organisations", chunked),
        "a bad chunk size": post(b"/v1/organisations", chunked, b"zz\r\n"),
        "no HTTP version": b"GET /healthz\r\n\r\n",
        "not HTTP": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n",
    }


def test_bytes_that_are_not_well_formed_http_are_refused_and_the_service_stays_up(
    target: Target,
) -> None:
    # Given the log head
    before = head(target.admin)
    # When each malformed request goes out as raw bytes
    for what, raw in raw_requests(target).items():
        # Then it is answered with a refusal (gunicorn's, or the API's problem+json)
        refused(target.send(raw), what)
    # And nothing was recorded, and the service still serves
    assert head(target.admin) == before
    assert_still_serving(target, before)
