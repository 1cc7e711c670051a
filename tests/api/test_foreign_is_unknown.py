"""A foreign id and an unknown id get one answer (DESIGN §3): the same status, title and
detail (naming only the id asked for), after the same queries, so timing cannot tell
them apart by design. Counted on the stores that outlive their app (SQLite, PostgreSQL):
every SQL statement through SQLAlchemy (the views, the side tables) and every read of the
event store."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from collab.organisations.commands import GrantMandate, RevokeMandate
from collab.partnerships.commands import InviteMember
from tests.api.conftest import Auth, Caller, register_org
from tests.api.setup_partnership import Setup, active_partnership, command, initiation


@pytest.fixture
def flask_app(durable_app: Flask) -> Flask:
    return durable_app


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The statements run and the event store's reads, in order."""
    seen: list[str] = []
    recorder = app.extensions["collab"].app.recorder

    me = threading.get_ident()  # the request's own work, not the sealer thread's

    def statement(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: Any) -> None:
        if threading.get_ident() == me:
            seen.append(" ".join(sql.split()))

    def wrap(name: str) -> Callable[..., Any]:
        original = getattr(recorder, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append(f"recorder.{name}")
            return original(*args, **kwargs)

        return call

    names = ("select_events", "select_notifications", "max_notification_id")
    originals = {name: getattr(recorder, name) for name in names}
    event.listen(Engine, "before_cursor_execute", statement)
    for name in names:
        setattr(recorder, name, wrap(name))
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        for name, original in originals.items():
            setattr(recorder, name, original)


def ask(app: Flask, client: FlaskClient, who: Caller, method: str, url: str, body: Any) -> Any:
    with counted(app) as work:
        response = client.open(url, method=method, json=body, headers=who.headers())
    return response, work


REQUESTS = {
    "partnership view": ("GET", "/v1/partnerships/{p}/view", None),
    "partnership history": ("GET", "/v1/partnerships/{p}/history", None),
    "invite": (
        "POST",
        "/v1/partnerships/{p}/members",
        {"organisation_id": "{org}", "roles": ["implementer"], "weight": 1},
    ),
    "commitment": ("GET", "/v1/commitments/{c}", None),
    "commitment history": ("GET", "/v1/commitments/{c}/history", None),
    "confirm commitment": ("POST", "/v1/commitments/{c}/confirm", {}),
    "organisation (a partnership's id)": ("GET", "/v1/organisations/{p}", None),
    "contacts (a partnership's id)": ("GET", "/v1/organisations/{p}/contacts", None),
}


def mandated_elsewhere(flask_app: Flask, auth: Auth, setup: Setup) -> Caller:
    """A broker holding mandates from b, a member of P, that do not open P: one for another
    partnership Q (b is invited to it), one for all of b's partnerships, revoked."""
    svc, broker, b = flask_app.extensions["collab"], auth.actor("broker"), setup.orgs["b"]
    started = initiation("Other rounds")
    q = svc.app.execute(command(auth.broker), started).result["partnership_id"]
    invite = InviteMember(q, organisation_id=b, roles=["implementer"], weight=1)
    svc.app.execute(command(auth.broker), invite)
    grant = GrantMandate(b, broker_id=broker.actor_id, partnership_id=q)
    svc.app.execute(setup.as_("b"), grant)
    everywhere = GrantMandate(b, broker_id=broker.actor_id)
    mandate = svc.app.execute(setup.as_("b"), everywhere).result["mandate_id"]
    svc.app.execute(setup.as_("b"), RevokeMandate(b, mandate))
    return broker


@pytest.mark.parametrize("who", ["partner", "broker", "broker mandated elsewhere"])
@pytest.mark.parametrize("case", REQUESTS)
def test_a_foreign_id_gets_the_unknown_ids_answer_after_the_same_queries(
    flask_app: Flask, client: FlaskClient, auth: Auth, setup: Setup, case: str, who: str
) -> None:
    # Given a partnership P with a commitment C, and a caller with no tie to either
    method, template, body = REQUESTS[case]
    cid = setup.pledge("b", confirm=False) if "{c}" in template else None
    outsider = register_org(client, auth)
    if who == "partner":
        caller = auth.actor("partner", outsider)
    elif who == "broker":
        caller = auth.actor("broker")
    else:
        caller = mandated_elsewhere(flask_app, auth, setup)
    foreign = {"p": setup.partnership_id, "c": cid}
    unknown = {"p": str(uuid.uuid4()), "c": str(uuid.uuid4())}

    def fill(text: str, ids: dict[str, Any]) -> str:
        return text.format(org=outsider, **ids)

    def filled(ids: dict[str, Any]) -> Any:
        if body is None:
            return None
        return {k: fill(v, ids) if isinstance(v, str) else v for k, v in body.items()}

    # When it asks with the foreign id and with an unknown one (each asked twice: the first
    # warms caches, the second is the one compared)
    answers = []
    for ids in (foreign, unknown, foreign, unknown):
        response, work = ask(flask_app, client, caller, method, fill(template, ids), filled(ids))
        asked = ids["c"] if "{c}" in template else ids["p"]
        problem = dict(response.json)
        problem.pop("instance")
        answers.append((response.status_code, problem, asked, work))
    (status_f, problem_f, id_f, work_f), (status_u, problem_u, id_u, work_u) = answers[2:]
    # Then both are a 404 with the same body but for the id asked for
    assert status_f == status_u == 404, (problem_f, problem_u)
    assert id_f in problem_f["detail"] and id_u in problem_u["detail"]
    assert problem_f["detail"].replace(id_f, "ID") == problem_u["detail"].replace(id_u, "ID")
    assert {**problem_f, "detail": ""} == {**problem_u, "detail": ""}
    # And no other id is named (not the commitment's partnership)
    if cid is not None:
        assert setup.partnership_id not in problem_f["detail"]
    # And the same statements ran, in the same order
    assert work_f == work_u
    assert work_f, "nothing was counted"
