"""Handlers of decisions, decision-gated transitions, breaches, plans and results."""

from __future__ import annotations

import uuid

from collab.commands import Json, Result
from collab.domain.partnership_values import IndicatorData, MilestoneData
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
from collab.partnerships.handlers import membership, release, result
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(RecordDecision)
def record_decision(tx: Tx, c: RecordDecision) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    decision_id = str(uuid.uuid4())
    subject = c.subject.data()
    outcome = p.record_decision(
        decision_id, c.body, subject, c.votes, acting, tx.meta(), conflicts=c.conflicts
    )
    tx.save(p)
    return result(p, decision_id=decision_id, **outcome)


@handles(ApplyDecision)
def apply_decision(tx: Tx, c: ApplyDecision) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.apply_transition(c.action, c.decision_id, acting, tx.meta())
    tx.save(p)
    return result(p, status=p.status)


@handles(AdmitMember)
def admit_member(tx: Tx, c: AdmitMember) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    joining = membership(tx, c, c.organisation_id, c.roles)
    p.admit(joining, c.decision_id, acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(NotifyBreach)
def notify_breach(tx: Tx, c: NotifyBreach) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.notify_breach(c.organisation_id, c.remedy_days, acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(DecideMember)
def decide_member(tx: Tx, c: DecideMember) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.member_decision(c.action, c.organisation_id, c.decision_id, acting, tx.meta())
    released: list[Json] = []
    if c.action == "remove_member":
        released = release(tx, p, c.organisation_id, "removed")
        p.complete_if_signed(tx.meta())
    tx.save(p)
    return result(p, released_commitments=released)


@handles(SetMilestone)
def set_milestone(tx: Tx, c: SetMilestone) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    milestone_id = c.milestone_id or str(uuid.uuid4())
    milestone = MilestoneData(
        milestone_id=milestone_id, title=c.title, due_date=c.due_date, status=c.status
    )
    p.set_milestone(milestone, acting, tx.meta())
    tx.save(p)
    return result(p, milestone_id=milestone_id)


@handles(SetIndicator)
def set_indicator(tx: Tx, c: SetIndicator) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    indicator_id = c.indicator_id or str(uuid.uuid4())
    indicator = IndicatorData(
        indicator_id=indicator_id,
        kind=c.kind,
        name=c.name,
        unit=c.unit,
        baseline=c.baseline,
        target=c.target,
    )
    p.set_indicator(indicator, acting, tx.meta())
    tx.save(p)
    return result(p, indicator_id=indicator_id)


@handles(ReportResult)
def report_result(tx: Tx, c: ReportResult) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.report_result(c.indicator_id, c.actual, c.as_of, acting, tx.meta())
    tx.save(p)
    return result(p)
