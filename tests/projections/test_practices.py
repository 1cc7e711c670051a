"""The network of learning's views: practices and versions, adoptions, exchanges, lineage;
rows from the events, the same after a rebuild from position 0."""

from __future__ import annotations

from hashlib import sha256
from typing import Any

from api.wiring import follow_commands
from collab.application import Collab
from collab.practices.commands import AnswerExchange, DeclineExchange, WithdrawPractice
from projections.citations import practice_positions
from projections.operations import rebuild
from projections.practices import (
    adoptions_by,
    exchange_view,
    exchanges_of,
    lineage_of,
    practice_list,
    practice_view,
)
from projections.readside import ReadSide
from tests.application.practices import adopt, ask, practice_fields, publish
from tests.application.world import World
from tests.projections.support import views_of

EMPTY = sha256(b"").hexdigest()  # a table's digest when it has no rows


def two_partnerships(world: World) -> tuple[str, str]:
    """P (a, b, c) and Q (d, e, f), both in force; P pledged and delivered."""
    p = world.in_force(keys=("a", "b", "c"))
    q = world.in_force(keys=("d", "e", "f"))
    world.pledge("b", p, value="30")
    return p, q


def read_with(read: ReadSide, fn: Any) -> Any:
    with read.reader() as conn:
        return fn(conn, read.tables)


def test_publish_version_withdraw_adopt_ask_answer_give_their_rows(
    app: Collab, read: ReadSide, world: World
) -> None:
    # Given two partnerships followed live
    follow_commands(app, read)
    p, q = two_partnerships(world)
    # When P publishes a practice, then a second version
    first = publish(world, p, audience="anyone")
    pid = first.result["practice_id"]
    fields = practice_fields(world, title="Rounds 2")
    second = publish(world, p, practice_id=pid, fields=fields, audience="anyone")
    # Then the view shows version 2, and version 1 as it was
    view = read_with(read, lambda c, t: practice_view(c, t, pid))
    assert (view["number"], view["current"], view["status"]) == (2, 2, "published")
    assert view["content"]["title"] == "Rounds 2"
    assert view["position"] == second.position
    assert [v["number"] for v in view["versions"]] == [1, 2]
    assert view["versions"][0]["position"] == first.position
    old = read_with(read, lambda c, t: practice_view(c, t, pid, 1))
    assert old["content"]["title"] == "Care rounds by the parish"
    assert read_with(read, lambda c, t: practice_view(c, t, pid, 3)) is None
    # And every figure's citation carries its log position
    cited = [c for f in view["figures"].values() for c in f.get("rests_on", [])]
    assert cited and all(isinstance(c["position"], int) for c in cited)
    assert {c["position"] for c in cited} <= read_with(
        read, lambda c, t: practice_positions(c, t, pid)
    )
    # When Q adopts and adapts it, publishes its own, and asks a question that P answers
    adoption = adopt(world, q, pid)
    mine = publish(world, q, adapted_from=pid, contact="d").result["practice_id"]
    asked = ask(world, q, pid).result["exchange_id"]
    world.app.execute(world.as_broker(), AnswerExchange(asked, answer="From the parish choir"))
    # Then the adoption, the lineage and the exchange are read back
    assert [a["adoption_id"] for a in read_with(read, lambda c, t: adoptions_by(c, t, q))] == [
        adoption.result["adoption_id"]
    ]
    lineage = read_with(read, lambda c, t: lineage_of(c, t, pid))
    assert [a["generation"] for a in lineage["adoptions"]] == [1]
    assert [x["practice_id"] for x in lineage["adoptions"][0]["practices"]] == [mine]
    assert [
        x["practice_id"] for x in read_with(read, lambda c, t: lineage_of(c, t, mine))["ancestors"]
    ] == [pid]
    exchange = read_with(read, lambda c, t: exchange_view(c, t, asked))
    assert (exchange["status"], exchange["answer"], exchange["asker"]) == (
        "answered",
        "From the parish choir",
        q,
    )
    assert [e["exchange_id"] for e in read_with(read, lambda c, t: exchanges_of(c, t, [p]))] == [
        asked
    ]
    # When P withdraws its practice; another question is declined
    world.app.execute(world.as_broker(reason="outdated"), WithdrawPractice(mine))
    again = ask(world, q, pid).result["exchange_id"]
    world.app.execute(world.as_broker(reason="asked already"), DeclineExchange(again))
    # Then it reads withdrawn, its version kept; the declined exchange keeps its reason
    gone = read_with(read, lambda c, t: practice_view(c, t, mine))
    assert (gone["status"], gone["withdrawn_reason"], len(gone["versions"])) == (
        "withdrawn",
        "outdated",
        1,
    )
    declined = read_with(read, lambda c, t: exchange_view(c, t, again))
    assert (declined["status"], declined["decline_reason"]) == ("declined", "asked already")
    listed = read_with(read, lambda c, t: practice_list(c, t))
    assert [x["practice_id"] for x in listed] == [pid, mine]
    anyone = read_with(read, lambda c, t: practice_list(c, t, anyone_only=True))
    assert [x["practice_id"] for x in anyone] == [pid]


def test_a_rebuild_gives_the_same_practice_rows(app: Collab, read: ReadSide, world: World) -> None:
    # Given practices, an adoption and exchanges followed live
    follow_commands(app, read)
    p, q = two_partnerships(world)
    pid = publish(world, p).result["practice_id"]
    adopt(world, q, pid)
    publish(world, q, adapted_from=pid, contact="d")
    asked = ask(world, q, pid).result["exchange_id"]
    world.app.execute(world.as_broker(), AnswerExchange(asked, answer="Ask the choir"))
    live = views_of(read)
    assert live["practices"] != EMPTY and live["exchanges"] != EMPTY
    # When the views are rebuilt from position 0
    rebuild(read)
    # Then every table, the practices' included, has the same digest
    assert views_of(read) == live
