"""Proofs in the browser: what a timeline entry's "Verify" control fetches (DESIGN §5, §7).

`GET /proofs/<position>` gives the signed-in person, as JSON, everything `verify.py` would
need to check that one event is in the log: the proof bundle of `GET /v1/audit/proofs/
inclusion` (the leaf's entry, its RFC 9162 inclusion proof, the latest signed checkpoint),
the event's stored bytes and writer signature as an export line carries them, and the
verifier keys the service publishes. The browser (web/static/verify.js) recomputes every
hash and checks every signature itself: nothing here is taken on trust, and the keys are
the ones the audit page tells people to compare with the operator's.

Who may have which position is the API's rule (`api.audit.check_sees`): a position the
person may not see is the 404 of an unknown one. An event the sealer has not covered yet
(server mode seals a moment after the follower) is a 503 with Retry-After, as in the API.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from api.audit import check_sees
from api.service import Service, service
from collab.audit import store
from collab.audit.export import line
from collab.audit.log import NotSealedYet
from collab.domain.errors import NotFoundError
from web.audit import verifier_line
from web.frame import pages, views_reached

blp = pages("proofs")


@blp.route("/proofs/<int:position>", methods=["GET"])
def proof(position: int) -> Response:
    """The event's proof bundle, stored bytes, writer signature and the verifier keys."""
    views_reached()
    svc = service()
    check_sees(svc, position)  # the same 404 as an unknown position
    try:
        bundle = svc.audit.inclusion(position, None)
    except (NotSealedYet, NotFoundError):  # no leaf yet, no checkpoint yet, or not under it
        return pending(svc, position)
    body = {"position": position, "bundle": bundle, **stored(svc, position), "keys": keys(svc)}
    return answer(body, 200)


def stored(svc: Service, position: int) -> dict[str, Any]:
    """The event's stored bytes (base64) and writer signature, as its export line has them."""
    with svc.audit.connect() as conn:
        leaf = store.leaf_at(conn, position)
    assert leaf is not None  # its inclusion proof was just made
    row = store.stored_events(svc.app.recorder, position, position).get(position)
    exported = line(leaf, row, lambda _: None, lambda *_: None, None)
    return {"event": exported["event"], "signature": exported["signature"]}


def keys(svc: Service) -> list[str]:
    """Every verifier key of the log, as `verify.py --pubkey` reads them."""
    return [verifier_line(k) for _, k in sorted(svc.audit.keys.verifiers.items())]


def pending(svc: Service, position: int) -> Response:
    """Not under a signed checkpoint yet: when to ask again (the sealer's next round)."""
    wait = max(1, int(min(svc.settings.seal_interval, 60)))
    response = answer({"position": position, "sealed": False}, 503)
    response.headers["Retry-After"] = str(wait)
    return response


def answer(body: dict[str, Any], status: int) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"  # one person's view of the log
    return response
