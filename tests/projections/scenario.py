"""A demo-like partnership life, through the service like a real caller (api.demo + more)."""

from __future__ import annotations

from api.demo import Demo, terms
from collab.actors.commands import EnrolActor
from collab.actors.handlers import OPERATOR
from collab.agreements.commands import ProposeAmendment, RejectAmendment
from collab.application import Actor, Collab, Context
from collab.governance.commands import (
    ApplyDecision,
    RecordDecision,
    ReportResult,
    SetIndicator,
    SetMilestone,
)
from collab.indicators.commands import CorrectReport, ReportIndicator
from collab.partnerships.commands import AssignBroker, CorrectPartnership, RelatePartnerships


def enrich(app: Collab, broker: Actor, pid: str, other: str) -> None:
    """What the demo leaves out: plans, results, a correction, a relation, a second broker."""
    by = Context(broker)
    kick_off = app.execute(by, SetMilestone(pid, title="Kick-off", due_date="2027-01-15"))
    app.execute(
        by,
        SetMilestone(
            pid,
            title="Kick-off",
            due_date="2027-01-15",
            status="reached",
            milestone_id=kick_off.result["milestone_id"],
        ),
    )
    app.execute(by, SetMilestone(pid, title="Mid-term review", due_date="2028-06-30"))
    visits = dict(kind="output", name="Home visits", unit="visit", baseline="0")
    iid = app.execute(by, SetIndicator(pid, **visits, target="2400.5")).result["indicator_id"]
    app.execute(by, ReportResult(pid, indicator_id=iid, actual="1210.25", as_of="2028-06-30"))
    # Reporting periods (issue 15 part 5): a quarter after that day, then corrected
    summer = {"start": "2028-07-01", "end": "2028-09-30"}
    n = app.execute(by, ReportIndicator(pid, iid, summer, actual="1500")).result["report"]
    app.execute(Context(broker, reason="recounted"), CorrectReport(pid, iid, n, actual="1499.5"))
    app.execute(by, SetIndicator(pid, **visits, target="2600", indicator_id=iid))
    app.execute(
        by,
        SetIndicator(
            pid, kind="impact", name="Isolation index", unit="score", baseline="7.10", target="5"
        ),
    )
    app.execute(
        by,
        CorrectPartnership(
            pid, changes={"title": "Baixo Alentejo Mobile Care"}, corrects_version=1
        ),
    )
    app.execute(by, RelatePartnerships(other, other_id=pid, relation="scales"))
    another = app.execute(Context(OPERATOR), EnrolActor(role="broker")).result["actor_id"]
    app.execute(by, AssignBroker(pid, broker_id=another))


def detour(demo: Demo, pid: str) -> None:
    """A rejected amendment, then a suspension and a resumption, each on a decision."""
    app, broker = demo.app, Context(demo.broker)
    base = app.get_partnership(demo.broker, pid).in_force
    app.execute(
        broker,
        ProposeAmendment(
            pid,
            base_version=base,
            terms=terms("Nobody in Mértola ages alone, nor goes hungry.", notice=90),
        ),
    )
    app.execute(demo.by("health"), RejectAmendment(pid))
    voters = {
        demo.orgs[k]: "for"
        for k in ("municipality", "health", "association", "olive_mill", "transport")
    }
    for action in ("suspend", "resume"):
        decision = app.execute(
            broker,
            RecordDecision(pid, body="General assembly", subject={"action": action}, votes=voters),
        )
        app.execute(
            broker, ApplyDecision(pid, action=action, decision_id=decision.result["decision_id"])
        )


def drive(app: Collab) -> tuple[str, str]:
    """The demo's whole life with a detour and the extras; returns both partnership ids."""
    demo = Demo(app)
    demo.register()
    pid = demo.found()
    demo.deliver(pid)
    demo.amend_and_withdraw(pid)
    detour(demo, pid)
    other = demo.move_on(pid)
    enrich(app, demo.broker, pid, other)
    return pid, other
