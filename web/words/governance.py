"""Phrases of a partnership's governance: its decisions, milestones, indicators, results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import Part, Phrase, Say, date_text, plain, quantity, said


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


PHRASES: dict[str, Phrase] = {
    "DecisionRecorded": decision,
    "MilestoneSet": milestone,
    "IndicatorSet": indicator,
    "ResultReported": result,
}
