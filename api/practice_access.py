"""Who reads and acts on practices and exchanges (DESIGN §3, §8), asked before the body.

A practice is read by every signed-in caller, and without a credential where its
publishing decision said "anyone" (any other practice, known or not, is the one 401 of
api/auth.py). Acting on it is for the partnership that published it: another caller sees
the practice, so it is refused with 403, never 404. An exchange is seen by those who see
the content of the asking or the answering partnership; any other caller gets the 404 of
an unknown id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from api import authority
from api.auth import optional_actor, unauthenticated
from api.http import wait_for_views
from api.seen import read, viewer
from api.service import service
from collab import visibility
from collab.audit import store
from collab.domain import values as v
from collab.domain.errors import ForbiddenError, NotFoundError
from projections.citations import citations_in
from projections.practices import exchange_view, practice_row
from projections.tables import Tables
from projections.visibility import seen

Json = dict[str, Any]
T = TypeVar("T")


def readable(practice_id: str, **_: str) -> Any:
    """The practice's row if the caller may read it: 401 for an anonymous caller unless it
    is open to anyone, 404 for a signed-in caller when it is unknown."""
    actor = optional_actor()
    pid = v.identifier(practice_id, "practice_id")  # anonymous: a UUID (api/auth.py)
    row = lagging(lambda c, t: practice_row(c, t, pid))
    if actor is None:
        if row is None or not visibility.sees_practice(None, row.audience):
            raise unauthenticated()
        return row
    if row is None:
        raise NotFoundError(f"no practice {practice_id}")
    return row


def stewarded(practice_id: str, **_: str) -> None:
    """A steward of the practice's partnership (403 for a caller outside it)."""
    owner = readable(practice_id).partnership_id
    in_partnership(owner, authority.steward, "published the practice")


def in_partnership(pid: str, rule: Any, what: str) -> None:
    """The partnership's rule; a caller that does not see the partnership: 403."""
    try:
        authority.partnership(rule)(partnership_id=pid)
    except NotFoundError:
        raise ForbiddenError(f"only the partnership that {what} may do this") from None


def seen_exchange(exchange_id: str, **_: str) -> Json:
    """The exchange, if the caller sees the asking or the answering partnership."""
    eid = v.identifier(exchange_id, "exchange_id")
    who = viewer()

    def ask(conn: Connection, t: Tables) -> Json | None:
        found = exchange_view(conn, t, eid)
        if found is None:
            return None
        windows = seen(conn, t, who, [found["asker"], found["owner"]])
        if not visibility.sees_exchange(windows.of(found["asker"]), windows.of(found["owner"])):
            return None
        return found

    found = lagging(ask)
    if found is None:
        raise NotFoundError(f"no exchange {exchange_id}")
    return found


def lagging(ask: Callable[[Connection, Tables], T | None]) -> T | None:
    """The views' answer; where it is "none" while they lag behind the log (server mode),
    asked again once they reach the head: a practice or exchange recorded a moment ago is
    found (as `api.seen.current` does for partnerships)."""
    svc = service()
    follower = svc.read.follower

    def first(conn: Connection, t: Tables) -> tuple[int, T | None]:
        return min(follower.positions_in(conn).values()), ask(conn, t)

    reached, found = read(first)
    head = svc.head()
    if found is not None or reached >= head:
        return found
    wait_for_views(head)
    return read(ask)


def path_exchange(exchange_id: str, **_: str) -> None:
    seen_exchange(exchange_id)


def answering(exchange_id: str, **_: str) -> None:
    """The answering partnership's members, broker or lead (403 for the asking side)."""
    owner = seen_exchange(exchange_id)["owner"]
    in_partnership(owner, authority.reporter, "was asked")


def visible_exchanges(items: list[Json]) -> list[Json]:
    """Those of the exchanges the caller sees."""
    who = viewer()
    ids = {p for e in items for p in (e["asker"], e["owner"])}
    windows = read(lambda c, t: seen(c, t, who, ids))
    return [
        e for e in items if visibility.sees_exchange(windows.of(e["asker"]), windows.of(e["owner"]))
    ]


def with_leaves(view: Json) -> Json:
    """The view's figures, each cited event with its leaf in the Merkle log (None until the
    log has it): the index a reader proves with GET …/proofs/{position}."""
    keys = citations_in(view["figures"])
    with service().audit.connect() as conn:
        held = store.holders(conn, keys)

    def place(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "rests_on":
                    item = [{**c, "leaf": leaf_of(held, c)} for c in item]
                else:
                    item = place(item)
                out[key] = item
            return out
        if isinstance(value, list):
            return [place(item) for item in value]
        return value

    return {**view, "figures": place(view["figures"])}


def leaf_of(held: store.Holders, citation: Json) -> int | None:
    found = held.get((citation["stream"], int(citation["version"])))
    return found[0][0] if found else None
