"""The budget view (DESIGN §9), on every store: budget against committed against delivered
against funded per line and per source after pledges, deliveries and confirmations; the
co-financing rate reached; the same view as of a position; the budgets table rebuilt from
the log with the same digest."""

from __future__ import annotations

from hashlib import sha256
from typing import Any

from api.wiring import follow_commands
from collab.application import Collab
from collab.commitments.commands import (
    ConfirmDelivery,
    ReportDelivery,
    WithdrawCommitment,
)
from collab.domain.envelope import Actor
from collab.partnerships.commands import WithdrawMembership
from projections.asof import rows_as_of
from projections.budget import budget_for, budget_view
from projections.operations import rebuild
from projections.readside import ReadSide
from projections.views import partnership_rows_from
from tests.application.budgets import adopt, eafrd_plan, matched_plan, plan, valued
from tests.application.conftest import TEST_NOW
from tests.application.world import World
from tests.projections.support import views_of


def live(read: ReadSide, pid: str) -> dict[str, Any]:
    with read.reader() as conn:
        return budget_view(partnership_rows_from(conn, read.tables, pid))


def deliver(world: World, key: str, cid: str, hours: str, confirm: bool = True) -> None:
    out = world.app.execute(
        world.as_(key), ReportDelivery(cid, quantity=hours, delivered_on="2029-05-01")
    )
    if confirm:  # to the pool: the lead (a) confirms
        world.app.execute(world.as_("a"), ConfirmDelivery(cid, out.result["delivery_id"]))


def scenario(world: World) -> tuple[str, dict[str, str]]:
    """b's 100 hours valued 1500 EUR (matched for ESF+; the town's funds on the visits line
    lowered to 500 to leave room for them) and c's 3000 EUR cash on the visits line; b's
    second pledge of 800 on animation, withdrawn; deliveries partly confirmed."""
    pid = world.in_force()
    ids = {
        "hours": valued(world, "b", pid, "1500"),
        "cash": world.pledge("c", pid, value="3000", unit="EUR", kind="cash"),
        "gone": valued(world, "b", pid, "800"),
    }
    match = [
        {"commitment_id": ids["hours"], "line_id": "visits", "source_id": "esf"},
        {"commitment_id": ids["cash"], "line_id": "visits", "source_id": None},
        {"commitment_id": ids["gone"], "line_id": "animation", "source_id": None},
    ]
    adopt(world, pid, matched_plan(match))
    deliver(world, "b", ids["hours"], "40")  # confirmed: 600 EUR delivered
    deliver(world, "b", ids["hours"], "30", confirm=False)  # reported only: counts nothing yet
    deliver(world, "c", ids["cash"], "1000")  # confirmed: 1000 EUR
    world.app.execute(world.as_("b", reason="no time"), WithdrawCommitment(ids["gone"]))
    return pid, ids


def test_figures_per_line_and_source_follow_pledges_deliveries_and_confirmations(
    app: Collab, read: ReadSide, world: World
) -> None:
    # Given the scenario followed live
    follow_commands(app, read)
    pid, ids = scenario(world)
    # When the view is read
    view = live(read, pid)
    # Then each line shows its budget, the valuations committed on it (the withdrawn
    # commitment counts for nothing), the valued part delivered and confirmed, the funds
    visits, animation = view["lines"]
    assert {k: visits[k] for k in ("budget", "committed", "delivered", "funded")} == {
        "budget": "10000",
        "committed": "4500",
        "delivered": "1600",
        "funded": "8500",
    }
    assert visits["commitments"] == sorted([ids["hours"], ids["cash"]])
    assert {k: animation[k] for k in ("budget", "committed", "delivered", "funded")} == {
        "budget": "2000",
        "committed": "0",
        "delivered": "0",
        "funded": "2000",
    }
    # And each source its amount, its lines' figures, the match in kind counted for it and
    # the rate reached: its share of what finances its lines (every source's funds on them
    # and the match in kind delivered on them)
    esf, town = view["sources"]
    assert (esf["amount"], esf["lines"], esf["match_in_kind"]) == (
        "8000",
        {"budget": "10000", "committed": "4500", "delivered": "1600"},
        {"committed": "1500", "delivered": "600"},
    )
    # ESF 8000 of the visits line's 8000 + 500 funds and 600 in kind delivered: 87.91 %,
    # above the 85 % maximum while the match is not brought (8000 of 10000 once it is)
    assert (esf["rate_reached"], esf["within_max"], esf["max_rate"]["value"]) == (
        "87.91",
        False,
        "85",
    )
    assert (town["amount"], town["lines"]["budget"], town["rate_reached"]) == (
        "2500",
        "12000",
        "22.52",  # 2500 of 10500 funds on its two lines and 600 in kind delivered
    )
    assert (town["max_rate"], town["within_max"], town["in_kind_ceiling"]) == (None, None, None)
    assert view["totals"] == [
        {
            "currency": "EUR",
            "budget": "12000",
            "committed": "4500",
            "delivered": "1600",
            "funded": "10500",
        }
    ]


def test_before_any_match_is_delivered_the_rate_reached_is_the_share_of_the_funds(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    pid = world.in_force()
    adopt(world, pid)
    view = live(read, pid)
    # ESF: 8000 of the visits line's 10000 funds; the town: 4000 of its lines' 12000
    assert [(s["rate_reached"], s["within_max"]) for s in view["sources"]] == [
        ("80.00", True),
        ("33.33", None),
    ]


def test_the_view_as_of_a_position_equals_the_live_view_then(
    app: Collab, read: ReadSide, world: World
) -> None:
    # Given the live view captured right after the budget was adopted
    follow_commands(app, read)
    pid = world.in_force()
    cid = valued(world, "b", pid, "1500")
    out = adopt(world, pid, plan([{"commitment_id": cid, "line_id": "visits"}]))
    then = live(read, pid)
    # When b delivers and the lead confirms, and a second budget is adopted
    deliver(world, "b", cid, "100")
    adopt(world, pid)
    assert live(read, pid)["number"] == 2
    # Then the view as of the first adoption's position is the one captured then
    assert budget_view(rows_as_of(app, pid, out.position)) == then


def test_a_former_member_sees_the_budget_as_at_its_exit(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    pid = world.in_force(keys=("a", "b", "c", "d"))
    adopt(world, pid)
    world.app.execute(world.as_("d"), WithdrawMembership(pid))
    changed = plan()
    changed["lines"][0]["amount"] = "11000"
    adopt(world, pid, changed)
    viewer = app.viewer(world.partners["d"], TEST_NOW)
    with read.reader() as conn:
        seen = budget_for(conn, read.tables, viewer, pid, lambda p, n: rows_as_of(app, p, n))
    assert (seen["number"], seen["lines"][0]["budget"]) == (1, "10000")
    steward = app.viewer(Actor(world.broker.id, "broker"), TEST_NOW)  # sees it live
    with read.reader() as conn:
        now = budget_for(conn, read.tables, steward, pid, lambda p, n: rows_as_of(app, p, n))
    assert now["number"] == 2


def test_a_rebuild_from_zero_gives_the_same_budgets_and_digest(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    pid, _ = scenario(world)
    before, view = views_of(read), live(read, pid)
    assert before["budgets"] != sha256(b"").hexdigest()  # the table has a row
    rebuild(read)
    assert views_of(read) == before
    assert live(read, pid) == view


def test_the_eafrd_rate_reached_counts_only_the_public_funds(
    app: Collab, read: ReadSide, world: World
) -> None:
    # Given the visits line (10000) funded 6000 by the EAFRD, 2000 national, 2000 private
    follow_commands(app, read)
    pid = world.in_force()
    adopt(world, pid, eafrd_plan("75"))
    view = live(read, pid)
    # Then the EAFRD's rate is a share of the public expenditure only (Reg. 2021/2115
    # art. 91(2)): 6000 of 6000 + 2000, not of the line's 10000; the others' of all funds
    reached = {s["source_id"]: (s["rate_reached"], s["within_max"]) for s in view["sources"]}
    assert reached == {
        "feader": ("75.00", True),
        "state": ("20.00", None),
        "bank": ("20.00", None),
    }
