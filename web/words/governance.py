"""Phrases of a partnership's governance: its decisions, milestones, indicators, results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import (
    Part,
    Phrase,
    Say,
    date_text,
    joined,
    listed,
    plain,
    quantity,
    said,
)


def subject_of(s: Say, subject: Mapping[str, Any]) -> list[Part]:
    """What a decision is about: its action, the organisation it is about, its summary."""
    action: list[Part] = [plain(subject["action"], "decision")]
    if subject.get("organisation"):
        message = _("%(action)s %(organisation)s")
        action = said(message, action=action, organisation=s.org(subject["organisation"]))
    if subject.get("summary"):
        action = said(
            _("%(action)s: %(summary)s"), action=action, summary=s.text(subject["summary"])
        )
    return action


def decision(s: Say, d: Mapping[str, Any]) -> list[Part]:
    recorded = tallied(s, d)
    if not d.get("conflicts"):
        return recorded
    return said(
        _(
            "%(decision)s; declared a conflict of interest, so neither voted nor was present: "
            "%(members)s"
        ),
        decision=recorded,
        members=joined([[s.org(o)] for o in d["conflicts"]]),
    )


def tallied(s: Say, d: Mapping[str, Any]) -> list[Part]:
    subject, result = d["subject"], d.get("result") or {}
    message = _(
        "%(who)s recorded a decision of %(body)s to %(subject)s — %(outcome)s (%(in_favour)s for, "
        "%(against)s against, of %(present)s present and %(total)s in all)"
    )
    return said(
        message,
        who=s.who(),
        body=s.text(d["body"]),
        subject=subject_of(s, subject),
        outcome=str(_("passed") if result.get("passed") else _("not passed")),
        in_favour=quantity(result.get("for_weight", "?")),
        against=quantity(result.get("against_weight", "?")),
        present=quantity(result.get("present_weight", "?")),
        total=quantity(result.get("total_weight", "?")),
    )


def settled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s applied the partnership's decision settling a disputed delivery"),
        who=s.who(),
    )


def term_changes(changes: Mapping[str, Any]) -> str:
    """A membership's new terms as words: "weight 5, roles lead", …"""
    said_terms = []
    if "weight" in changes:
        said_terms.append(_("weight %(weight)s", weight=quantity(changes["weight"])))
    if "roles" in changes:
        roles = listed(changes["roles"], "member_role")
        said_terms.append(_("roles %(roles)s", roles=roles))
    if "interest_group" in changes:
        group = plain(changes["interest_group"], "interest_group")
        said_terms.append(_("interest group %(group)s", group=group))
    if "signatory" in changes:
        said_terms.append(_("a signatory") if changes["signatory"] else _("not a signatory"))
    return ", ".join(str(t) for t in said_terms)


def membership_changed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    changed = said(
        _("%(who)s changed the terms of %(organisation)s by a recorded decision: %(terms)s"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        terms=term_changes(d["changes"]),
    )
    if not d.get("previous_lead"):
        return changed
    return said(
        _("%(changed)s; %(previous)s no longer leads"),
        changed=changed,
        previous=s.org(d["previous_lead"]),
    )


def broker_unassigned(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s unassigned %(broker)s as a partnership broker")
    return said(message, who=s.who(), broker=s.actor(d["broker_id"]))


def milestone(s: Say, d: Mapping[str, Any]) -> list[Part]:
    m = d["milestone"]
    return said(
        _("%(who)s set the milestone %(title)s, due %(date)s: %(status)s"),
        who=s.who(),
        title=s.text(m["title"]),
        date=date_text(m["due_date"]),
        status=plain(m["status"], "milestone_status"),
    )


def indicator(s: Say, d: Mapping[str, Any]) -> list[Part]:
    i = d["indicator"]
    return said(
        _("%(who)s set the %(kind)s indicator %(name)s: from %(baseline)s to %(target)s %(unit)s"),
        who=s.who(),
        kind=plain(i["kind"], "indicator_kind"),
        name=s.text(i["name"]),
        baseline=quantity(i["baseline"]),
        target=quantity(i["target"]),
        unit=s.text(i["unit"]),
    )


def result(s: Say, d: Mapping[str, Any]) -> list[Part]:
    name = s.lookup("indicator", str(d["indicator_id"]))
    return said(
        _("%(who)s reported %(actual)s as of %(date)s for %(indicator)s"),
        who=s.who(),
        actual=quantity(d["actual"]),
        date=date_text(d["as_of"]),
        indicator=s.text(name) if name else str(_("an indicator")),
    )


def indicator_named(s: Say, d: Mapping[str, Any]) -> Part:
    name = s.lookup("indicator", str(d["indicator_id"]))
    return s.text(name) if name else str(_("an indicator"))


def period_result(s: Say, d: Mapping[str, Any]) -> list[Part]:
    period = d["period"]
    if period["start"] == period["end"]:
        message = _("%(who)s reported %(actual)s for %(indicator)s for %(start)s, as of %(date)s")
    else:
        message = _(
            "%(who)s reported %(actual)s for %(indicator)s for %(start)s to %(end)s, as of %(date)s"
        )
    return said(
        message,
        who=s.who(),
        actual=quantity(d["actual"]),
        indicator=indicator_named(s, d),
        start=date_text(period["start"]),
        end=date_text(period["end"]),
        date=date_text(d["as_of"]),
    )


def corrected_result(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s corrected report %(report)s of %(indicator)s to %(actual)s"),
        who=s.who(),
        report=quantity(d["report"]),
        indicator=indicator_named(s, d),
        actual=quantity(d["actual"]),
    )


PHRASES: dict[str, Phrase] = {
    "DecisionRecorded": decision,
    "SettlementApplied": settled,
    "MembershipChanged": membership_changed,
    "BrokerUnassigned": broker_unassigned,
    "MilestoneSet": milestone,
    "IndicatorSet": indicator,
    "ResultReported": result,
    "ResultReportedForPeriod": period_result,
    "ResultCorrected": corrected_result,
}
