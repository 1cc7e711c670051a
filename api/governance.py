"""Governance: recorded decisions, the transitions they allow, breaches, plans and results.

A transition's path names the decision's subject action (`start_moving_on` →
`/start-moving-on`); its body cites the passed decision.
"""

from __future__ import annotations

from api import authority
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run
from api.schemas import governance as s
from api.schemas.common import Outcome
from collab.governance.commands import (
    AdmitMember,
    ApplyDecision,
    DecideMember,
    NotifyBreach,
    RecordDecision,
    ReportResult,
    SetIndicator,
    SetMilestone,
)

blp = Blueprint("governance", __name__, url_prefix="/v1", description=__doc__)

PARTNERSHIP = "/partnerships/<partnership_id>"
MEMBER = f"{PARTNERSHIP}/members/<organisation_id>"


def transition(body: Body, partnership_id: str, action: str) -> Reply:
    return run(body, lambda a: ApplyDecision(partnership_id, action, **a))


def decide_member(body: Body, partnership_id: str, org_id: str, action: str) -> Reply:
    return run(body, lambda a: DecideMember(partnership_id, action, org_id, **a))


@blp.route(f"{PARTNERSHIP}/decisions", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.RecordDecision)
@blp.response(201, Outcome)
def record_decision(body: Body, partnership_id: str) -> Reply:
    """Record a meeting's decision with votes by member; the outcome says if it passed."""
    return run(body, lambda a: RecordDecision(partnership_id=partnership_id, **a))


@blp.route(f"{PARTNERSHIP}/suspend", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def suspend(body: Body, partnership_id: str) -> Reply:
    """Suspend an active partnership under a passed decision."""
    return transition(body, partnership_id, "suspend")


@blp.route(f"{PARTNERSHIP}/resume", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def resume(body: Body, partnership_id: str) -> Reply:
    """Resume a suspended partnership under a passed decision."""
    return transition(body, partnership_id, "resume")


@blp.route(f"{PARTNERSHIP}/start-moving-on", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def start_moving_on(body: Body, partnership_id: str) -> Reply:
    """Start moving on (the exit strategy) under a passed decision."""
    return transition(body, partnership_id, "start_moving_on")


@blp.route(f"{PARTNERSHIP}/conclude", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def conclude(body: Body, partnership_id: str) -> Reply:
    """Conclude a partnership that is moving on, under a passed decision."""
    return transition(body, partnership_id, "conclude")


@blp.route(f"{PARTNERSHIP}/terminate", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def terminate(body: Body, partnership_id: str) -> Reply:
    """Terminate an active, suspended or moving-on partnership under a passed decision."""
    return transition(body, partnership_id, "terminate")


@blp.route(f"{PARTNERSHIP}/admissions", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.AdmitMember)
@blp.response(201, Outcome)
def admit_member(body: Body, partnership_id: str) -> Reply:
    """After entry into force, invite a member under a passed admission decision."""
    return run(body, lambda a: AdmitMember(partnership_id=partnership_id, **a))


@blp.route(f"{MEMBER}/breaches", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.NotifyBreach)
@blp.response(201, Outcome)
def notify_breach(body: Body, partnership_id: str, organisation_id: str) -> Reply:
    """Notify an active member of a breach, with a remedy period (broker, lead)."""
    return run(body, lambda a: NotifyBreach(partnership_id, organisation_id, **a))


@blp.route(f"{MEMBER}/declare-defaulting", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def declare_defaulting(body: Body, partnership_id: str, organisation_id: str) -> Reply:
    """Declare a member defaulting once its remedy period has passed, under a decision."""
    return decide_member(body, partnership_id, organisation_id, "declare_defaulting")


@blp.route(f"{MEMBER}/remedied", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def remedied(body: Body, partnership_id: str, organisation_id: str) -> Reply:
    """Record that a defaulting member has remedied its breach, under a decision."""
    return decide_member(body, partnership_id, organisation_id, "remedied")


@blp.route(f"{MEMBER}/remove-member", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ApplyDecision)
@blp.response(200, Outcome)
def remove_member(body: Body, partnership_id: str, organisation_id: str) -> Reply:
    """Remove a defaulting member under a decision; its open commitments are released."""
    return decide_member(body, partnership_id, organisation_id, "remove_member")


@blp.route(f"{PARTNERSHIP}/milestones", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.SetMilestone)
@blp.response(201, Outcome)
def set_milestone(body: Body, partnership_id: str) -> Reply:
    """Add a milestone, or update one named by milestone_id (broker, lead)."""
    return run(body, lambda a: SetMilestone(partnership_id=partnership_id, **a))


@blp.route(f"{PARTNERSHIP}/indicators", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.SetIndicator)
@blp.response(201, Outcome)
def set_indicator(body: Body, partnership_id: str) -> Reply:
    """Add an indicator with baseline and target, or update one named by indicator_id."""
    return run(body, lambda a: SetIndicator(partnership_id=partnership_id, **a))


@blp.route(f"{PARTNERSHIP}/results", methods=["POST"])
@before_body(authority.partnership(authority.reporter))
@blp.arguments(s.ReportResult)
@blp.response(201, Outcome)
def report_result(body: Body, partnership_id: str) -> Reply:
    """Report an indicator's figure for the single day `as_of` (members, broker, lead): a
    report as `POST …/indicators/{indicator_id}/reports` records for a period of one day."""
    return run(body, lambda a: ReportResult(partnership_id=partnership_id, **a))
