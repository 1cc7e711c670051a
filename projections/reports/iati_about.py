"""What an IATI activity is about: its descriptions, status, dates, country, sectors and
SDG tags, from the partnership's head, its terms and its classifications."""

from __future__ import annotations

from decimal import Decimal

from collab.domain import reference
from collab.domain.errors import RuleViolationError
from projections.reports.iati_xml import Element, amount, comment, sub, texted
from projections.reports.state import ReportState

# Partnership status → ActivityStatus.
STATUS = {
    "scoping": "1",
    "negotiating": "1",
    "awaiting_signatures": "1",
    "active": "2",
    "in_modification": "2",
    "moving_on": "3",
    "concluded": "4",
    "terminated": "4",
    "cancelled": "5",
    "suspended": "6",
}
# SectorVocabulary: 1 OECD DAC 5-digit, 4 NACE, 7 SDG goal, 8 SDG target.
SECTOR_VOCABULARY = {"dac5": "1", "nace": "4", "goal": "7", "target": "8"}
# TagVocabulary (IATI non-embedded list, not among the shared lists; read in the IATI
# Standard's reference, IATI/IATI-Standard-SSOT codelists/TagVocabulary): 2 UN SDG goals,
# 3 UN SDG targets.
TAG_VOCABULARY = {"goal": "2", "target": "3"}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def descriptions(activity: Element, state: ReportState) -> None:
    """Type 1 general: the need statement; type 2 objectives: the shared objectives."""
    texted(activity, "description", state.partnership["need_statement"], ("type", "1"))
    objectives = (state.terms or {}).get("shared_objectives") or []
    if objectives:
        texted(activity, "description", "\n".join(objectives), ("type", "2"))


def status(activity: Element, state: ReportState) -> None:
    sub(activity, "activity-status", ("code", STATUS[state.partnership["status"]]))


def activity_dates(state: ReportState) -> list[tuple[str, str]]:
    """(ActivityDateType, date): planned from the terms' period, actual from the events."""
    period = (state.terms or {}).get("period") or {}
    ended = state.dates.get("Concluded") or state.dates.get("Terminated")
    found = [
        ("1", period.get("start")),
        ("2", state.dates.get("AgreementEnteredIntoForce")),
        ("3", period.get("end")),
        ("4", ended),
    ]
    return [(kind, on) for kind, on in found if on]


def dates(activity: Element, state: ReportState) -> None:
    found = activity_dates(state)
    if not any(kind in ("1", "2") for kind, _ in found):
        raise RuleViolationError(
            "an IATI report needs a start date: draft terms with a period, or bring an "
            "agreement into force"
        )
    for kind, on in found:
        sub(activity, "activity-date", ("type", kind), ("iso-date", on))


def country(activity: Element, state: ReportState) -> None:
    sub(activity, "recipient-country", ("code", state.partnership["country"]))
    if state.partnership.get("nuts"):
        # IATI has no NUTS vocabulary among the shared code lists: the region is not reported.
        comment(activity, f"NUTS 2024 region {state.partnership['nuts']}: no IATI vocabulary")


def classified(state: ReportState) -> dict[str, list[str]]:
    """The classifications by kind (dac5, nace, goal, target, other), codes sorted."""
    found: dict[str, set[str]] = {}
    for c in state.partnership["classifications"]:
        kind = c["vocabulary"]
        if kind == "sdg_goal":
            kind = "target" if "." in c["code"] else "goal"
        if kind == "dac5" and c["code"] not in reference.dac5_codes():
            kind = "other"  # a code withdrawn from the IATI list since it was recorded
        found.setdefault(kind if kind in SECTOR_VOCABULARY else "other", set()).add(c["code"])
    return {k: sorted(v) for k, v in found.items()}


def shares(count: int) -> list[str | None]:
    """Percentages of `count` codes in one vocabulary: none for one code; else equal
    shares to two places, the last taking the remainder, so they add up to 100."""
    if count <= 1:
        return [None] * count
    each = (HUNDRED / count).quantize(CENT, rounding="ROUND_DOWN")
    found: list[str | None] = [amount(each)] * (count - 1)
    return [*found, amount(HUNDRED - each * (count - 1))]


def sectors(activity: Element, state: ReportState) -> None:
    found = classified(state)
    if not any(found.get(k) for k in SECTOR_VOCABULARY):
        raise RuleViolationError(
            "an IATI report needs a sector: classify the partnership with a DAC 5-digit, "
            "NACE or SDG code"
        )
    for kind, vocabulary in sorted(SECTOR_VOCABULARY.items(), key=lambda kv: int(kv[1])):
        codes = found.get(kind, [])
        for code, share in zip(codes, shares(len(codes)), strict=True):
            sub(
                activity,
                "sector",
                ("vocabulary", vocabulary),
                ("code", code),
                ("percentage", share),
            )
    if found.get("other"):
        comment(activity, f"classifications with no IATI vocabulary: {', '.join(found['other'])}")


def tags(activity: Element, state: ReportState) -> None:
    found = classified(state)
    for kind in ("goal", "target"):
        for code in found.get(kind, []):
            sub(activity, "tag", ("vocabulary", TAG_VOCABULARY[kind]), ("code", code))
