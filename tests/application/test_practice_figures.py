"""The figures a practice publishes, checked against the ledger as of its publishing
(DESIGN §8): the sector mix, the resources, the outcomes, and the events they rest on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from collab.commitments.commands import ConfirmDelivery, ReportDelivery
from collab.domain.practice_figures import citations
from collab.governance.commands import SetIndicator
from collab.indicators.commands import CorrectReport, ReportIndicator
from collab.partnerships.commands import WithdrawMembership
from tests.application.practices import practice_of, publish
from tests.application.world import World


def ledger(world: World) -> str:
    """Members a (public, lead), b (civil society), c (private) in force, and d (civil
    society) that withdrew after pledging."""
    world.org("a", "public")
    world.org("c", "private")
    pid = world.in_force(keys=("a", "b", "c", "d"))
    world.pledge("d", pid, value="20")
    world.app.execute(world.as_("d"), WithdrawMembership(pid))
    return pid


def deliver(world: World, key: str, cid: str, quantity: str, confirm: bool) -> None:
    out = world.app.execute(
        world.as_(key), ReportDelivery(cid, quantity=Decimal(quantity), delivered_on="2028-03-01")
    )
    if confirm:  # the pool's deliveries are confirmed by the lead
        world.app.execute(world.as_("a"), ConfirmDelivery(cid, out.text("delivery_id")))


def events_of(world: World, pid: str) -> list[Any]:
    return list(world.app.events.get(UUID(pid)))


def test_the_sector_mix_counts_the_members_in_standing(world: World) -> None:
    # Given members from three sectors in standing and one that withdrew
    pid = ledger(world)
    # When a practice publishes its sector mix
    figure = practice_of(world, publish(world, pid).text("practice_id")).figures["sector_mix"]
    # Then it counts the members in standing by sector, in its bucket
    assert figure["members"] == {"public": 1, "civil_society": 1, "private": 1}
    assert figure["bucket"] == "public_civil_society_private"
    # And it rests on, for each, the event stating its sector and the latest naming it
    events = events_of(world, pid)
    cited = {c["version"] for c in figure["rests_on"]}
    assert {c["stream"] for c in figure["rests_on"]} == {pid}
    for key in "abc":
        org = world.orgs[key]
        invited = [e for e in events if getattr(e, "membership", {}).get("organisation") == org]
        latest = [e for e in [*invited, *events] if getattr(e, "org_id", None) == org]
        assert invited[-1].membership["sector"] == world.partnership_of(pid).members[org].sector
        assert {invited[-1].originator_version, latest[-1].originator_version} <= cited
    assert len(cited) == 6  # three members, two events each; none of d's


def test_the_resources_are_the_commitments_as_recorded_at_publishing(world: World) -> None:
    # Given pledges: 100 + 50 hours confirmed, 30 of b's delivered and confirmed, 5 more
    # reported; 1000 EUR cash; and d's 20 hours released when it withdrew
    pid = ledger(world)
    world.pledge("a", pid, value="100")
    hours = world.pledge("b", pid, value="50")
    deliver(world, "b", hours, "30", confirm=True)
    deliver(world, "b", hours, "5", confirm=False)
    world.pledge("c", pid, value="1000", unit="EUR", kind="cash")
    # When a practice publishes its resources
    practice_id = publish(world, pid).text("practice_id")
    figure = practice_of(world, practice_id).figures["resources"]
    # Then each contribution type and unit sums committed, delivered and confirmed
    lines = {
        (line["contribution_type"], line["unit"]): tuple(
            Decimal(line[k]) for k in ("committed", "delivered", "confirmed", "surplus")
        )
        for line in figure["lines"]
    }
    assert lines == {
        ("cash", "EUR"): (Decimal(1000), 0, 0, 0),
        ("staff_time", "hour"): (Decimal(150), Decimal(35), Decimal(30), 0),
    }
    # And it rests on every commitment at its latest version, the released one too
    partnership = world.partnership_of(pid)
    expected = {(cid, world.commitment_of(cid).version) for cid in partnership.commitments}
    assert {(c["stream"], c["version"]) for c in figure["rests_on"]} == expected
    # And a pledge after publishing does not change the published figures
    world.pledge("b", pid, value="7")
    assert practice_of(world, practice_id).figures["resources"] == figure


def test_the_outcomes_are_each_periods_actual_as_corrected(world: World) -> None:
    # Given an indicator reported for two quarters, the first corrected
    pid = world.in_force()
    by = world.as_broker()
    visits = dict(kind="output", name="Home visits", unit="visit", baseline="0", target="2400")
    iid = world.app.execute(by, SetIndicator(pid, **visits)).text("indicator_id")
    defined = world.partnership_of(pid).version
    q1, q2 = (
        {"start": "2028-01-01", "end": "2028-03-31"},
        {"start": "2028-04-01", "end": "2028-06-30"},
    )
    first = world.app.execute(by, ReportIndicator(pid, iid, q1, actual=Decimal("500")))
    second = world.app.execute(by, ReportIndicator(pid, iid, q2, actual=Decimal("700")))
    report = first.result["report"]
    correction = world.app.execute(
        world.as_broker(reason="recounted"), CorrectReport(pid, iid, report, Decimal("480"))
    )
    # When a practice publishes its outcomes
    practice_id = publish(world, pid).text("practice_id")
    (indicator,) = practice_of(world, practice_id).figures["outcomes"]["indicators"]
    # Then the indicator shows baseline, target, and each period's actual as corrected
    assert (indicator["indicator_id"], indicator["name"], indicator["unit"]) == (
        iid,
        "Home visits",
        "visit",
    )
    assert Decimal(indicator["baseline"]) == 0 and Decimal(indicator["target"]) == 2400
    periods = [
        (p["start"], p["end"], Decimal(p["actual"]), p["corrected"]) for p in indicator["periods"]
    ]
    assert periods == [
        ("2028-01-01", "2028-03-31", Decimal(480), True),
        ("2028-04-01", "2028-06-30", Decimal(700), False),
    ]
    # And each figure names the events it rests on: the definition, the reports, the correction
    assert indicator["rests_on"] == [{"stream": pid, "version": defined}]
    versions = [[c["version"] for c in p["rests_on"]] for p in indicator["periods"]]
    assert versions == [[report, correction.result["version"]], [second.result["report"]]]
    topics = {e.originator_version: type(e).__name__ for e in events_of(world, pid)}
    assert [topics[v] for v in versions[0]] == ["ResultReportedForPeriod", "ResultCorrected"]
    assert topics[defined] == "IndicatorSet"
    # And a report after publishing changes nothing published; a new version shows it
    q3 = {"start": "2028-07-01", "end": "2028-09-30"}
    world.app.execute(by, ReportIndicator(pid, iid, q3, actual=Decimal("900")))
    assert practice_of(world, practice_id).figures["outcomes"]["indicators"] == [indicator]
    publish(world, pid, practice_id)
    (revised,) = practice_of(world, practice_id).figures["outcomes"]["indicators"]
    assert len(revised["periods"]) == 3


def test_every_cited_event_exists_in_the_ledger(world: World) -> None:
    # Given a practice publishing every figure
    pid = ledger(world)
    world.pledge("a", pid, value="10")
    practice = practice_of(world, publish(world, pid).text("practice_id"))
    # Then every citation names a recorded event, at or before the publishing
    cited = citations(practice.figures)
    assert cited
    for c in cited:
        found = world.app.recorder.select_events(UUID(c["stream"]), gt=c["version"] - 1, limit=1)
        assert found and found[0].originator_version == c["version"]
