"""Phrases of a partnership's governance: its decisions, milestones, indicators, results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.words.sentence import Part, Phrase, Say, plain


def decision(s: Say, d: Mapping[str, Any]) -> list[Part]:
    subject, result = d["subject"], d.get("result") or {}
    parts: list[Part] = [*s.who(), " recorded a decision of ", s.text(d["body"])]
    parts.append(f" to {plain(subject['action'])}")
    if subject.get("organisation"):
        parts += [" ", s.org(subject["organisation"])]
    if subject.get("summary"):
        parts += [": ", s.text(subject["summary"])]
    outcome = "passed" if result.get("passed") else "not passed"
    parts.append(
        f" — {outcome} ({result.get('for_weight', '?')} for, {result.get('against_weight', '?')}"
        f" against, of {result.get('present_weight', '?')} present"
        f" and {result.get('total_weight', '?')} in all)"
    )
    return parts


def milestone(s: Say, d: Mapping[str, Any]) -> list[Part]:
    m = d["milestone"]
    tail = f", due {m['due_date']}: {plain(m['status'])}"
    return [*s.who(), " set the milestone ", s.text(m["title"]), tail]


def indicator(s: Say, d: Mapping[str, Any]) -> list[Part]:
    i = d["indicator"]
    parts: list[Part] = [*s.who(), f" set the {plain(i['kind'])} indicator ", s.text(i["name"])]
    return [*parts, f": from {i['baseline']} to {i['target']} ", s.text(i["unit"])]


def result(s: Say, d: Mapping[str, Any]) -> list[Part]:
    name = s.lookup("indicator", str(d["indicator_id"]))
    what: list[Part] = [s.text(name)] if name else ["an indicator"]
    return [*s.who(), f" reported {d['actual']} as of {d['as_of']} for ", *what]


PHRASES: dict[str, Phrase] = {
    "DecisionRecorded": decision,
    "MilestoneSet": milestone,
    "IndicatorSet": indicator,
    "ResultReported": result,
}
