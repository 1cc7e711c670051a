"""What the caller sees, asked of the views before anything else is read (DESIGN §3).

Every read with a partnership or a commitment in its path, and every command's gate
(api/authority.py), starts here: one the caller may not see is a 404 with the same
status, title and detail as an unknown id, naming only the id asked for, and reached
through the same queries, so its timing cannot tell them apart either. A command's gate
asks for a current answer (`current`): the views may lag in server mode. The rule is
`collab.visibility`'s, on the views' facts (`projections/visibility.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask import request
from sqlalchemy import Connection, select

from api.auth import current_actor
from api.http import wait_for_views
from api.service import service
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from collab.visibility import NONE, Viewer, Window
from projections.tables import Tables
from projections.visibility import commitment_visible, window

POSITION_RE = re.compile(r"^[0-9]{1,16}$")
# Where an unknown commitment has no partnership, its window is asked on this id instead:
# the same queries as for a partnership the caller does not see.
NO_PARTNERSHIP = "00000000-0000-0000-0000-000000000000"
T = TypeVar("T")


def viewer() -> Viewer:
    """The caller for the visibility rule, with an auditor's grants as recorded."""
    svc = service()
    return svc.app.viewer(current_actor(), svc.now())


def read(fn: Callable[[Connection, Tables], T]) -> T:
    """Run a query on a read-model connection."""
    side = service().read
    with side.reader() as conn:
        return fn(conn, side.tables)


def current(ask: Callable[[Connection, Tables], Window]) -> Window:
    """For a command's gate, or a read of an aggregate: the views' answer, asked again once
    the views have reached the log's head if it was "not visible" while they lagged (server
    mode), so a caller given access a moment ago is not refused. The views' position is
    read first, on the same connection: rows read after it reflect at least that much. The
    same work for every id the caller does not see, whatever it is."""
    svc = service()
    follower = svc.read.follower

    def first(conn: Connection, t: Tables) -> tuple[int, Window]:
        return min(follower.positions_in(conn).values()), ask(conn, t)

    reached, found = read(first)
    if found.visible:
        return found
    head = svc.head()
    if reached >= head:
        return found
    wait_for_views(head)
    return read(ask)


def window_on(pid: str, *, fresh: bool = False) -> Window:
    """The caller's window on a partnership, from the views (404 unless visible); `fresh`:
    as `current` makes it."""
    who = viewer()

    def ask(conn: Connection, t: Tables) -> Window:
        return window(conn, t, who, pid)

    win = current(ask) if fresh else read(ask)
    if not win.visible:
        raise NotFoundError(f"no partnership {pid}")
    return win


def content_on(pid: str) -> Window:
    """As `window_on`, refusing a caller that sees only an invitation (404 for content)."""
    win = window_on(pid)
    if not win.content:
        raise NotFoundError(f"no partnership {pid}")
    return win


def commitment_window(cid: str, *, fresh: bool = False) -> Window:
    """The window on the commitment's partnership, if the commitment is inside it (a former
    member sees only commitments from before its exit): otherwise the 404 of an unknown
    id, naming the commitment only, after the same queries."""
    who, c = viewer(), service().read.tables.commitments

    def ask(conn: Connection, t: Tables) -> Window:
        query = select(c.c.partnership_id).where(c.c.commitment_id == cid)
        pid = conn.execute(query).scalar()
        win = window(conn, t, who, pid or NO_PARTNERSHIP)
        if pid is None or not win.content or not commitment_visible(conn, t, win, cid):
            return NONE
        return win

    found = current(ask) if fresh else read(ask)
    if not found.visible:
        raise NotFoundError(f"no commitment {cid}")
    return found


def views_reached() -> None:
    """Before the query is parsed, the visibility check reads the views: wait for the
    position a well-formed `min_position` names (a malformed one is the schema's 422,
    after the check)."""
    raw = request.args.get("min_position", "")
    if POSITION_RE.fullmatch(raw) and int(raw) <= service().read.follower.head():
        wait_for_views(int(raw))


# -- the checks reads name with `@before_body` ---------------------------------------------


def path_partnership(partnership_id: str, **_: str) -> None:
    """Before the query: the partnership is visible to the caller (404 otherwise)."""
    views_reached()
    window_on(v.identifier(partnership_id, "partnership_id"))


def path_content(partnership_id: str, **_: str) -> None:
    views_reached()
    content_on(v.identifier(partnership_id, "partnership_id"))


def path_commitment(commitment_id: str, **_: str) -> None:
    views_reached()
    commitment_window(v.identifier(commitment_id, "commitment_id"))


def path_organisation(organisation_id: str, **_: str) -> None:
    service().app.get_organisation(organisation_id)
