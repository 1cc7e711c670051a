"""The organisations of an IATI activity: the reporting organisation (the partnership's
lead) and the participating organisations with their IATI roles (OrganisationRole)."""

from __future__ import annotations

from typing import Any

from collab.domain.errors import RuleViolationError
from projections.reports.iati_xml import Element, comment, narrative, sub
from projections.reports.state import Org, ReportState

# Membership roles → OrganisationRole codes; broker, knowledge and observer have none.
ROLES = {"funder": "1", "lead": "2", "intermediary": "3", "implementer": "4"}
FUNDING = "1"
# Invited or declined organisations never took part in the activity.
NEVER_TOOK_PART = ("invited", "declined")

# (role, ref, type, name): one participating-org element.
Participant = tuple[str, str | None, str | None, str]


def lead_of(state: ReportState) -> Org:
    """The reporting organisation: the lead, which needs an org-id and a type."""
    lead_id = state.partnership.get("lead_organisation")
    lead = state.organisations.get(lead_id) if lead_id else None
    if lead is None or lead.ref is None or lead.org_type is None:
        raise RuleViolationError(
            "the partnership's lead organisation needs a registered identifier "
            "(and an organisation type) for an IATI report"
        )
    return lead


def reporting_org(activity: Element, lead: Org) -> None:
    found = sub(activity, "reporting-org", ("ref", lead.ref), ("type", str(lead.org_type)))
    narrative(found, lead.legal_name)


def org_attrs(org: Org | None) -> tuple[str | None, str | None]:
    """An organisation's (ref, type) attributes; None where the register has none."""
    if org is None:
        return None, None
    return org.ref, None if org.org_type is None else str(org.org_type)


def org_name(state: ReportState, organisation_id: str) -> str:
    org = state.organisations.get(organisation_id)
    return org.legal_name if org else organisation_id


def participants(state: ReportState) -> tuple[list[Participant], list[str]]:
    """One participant per (organisation, IATI role), sorted, and the names of members
    whose roles have no IATI equivalent."""
    found: set[Participant] = set()
    without: list[str] = []
    for m in state.members:
        if m["status"] in NEVER_TOOK_PART:
            continue
        codes = {ROLES[r] for r in m["roles"] if r in ROLES}
        if not codes:
            without.append(org_name(state, m["organisation_id"]))
        for code in codes:
            found.add(participant(state, code, m["organisation_id"]))
    for s in (state.plan or {}).get("sources", []):
        found.add(source_participant(state, s))
    # Every field in the key: two organisations may share a name (a set's order varies).
    return sorted(found, key=lambda p: (p[0], p[1] or "", p[3], p[2] or "")), sorted(without)


def participant(state: ReportState, role: str, organisation_id: str) -> Participant:
    ref, kind = org_attrs(state.organisations.get(organisation_id))
    return role, ref, kind, org_name(state, organisation_id)


def source_participant(state: ReportState, s: dict[str, Any]) -> Participant:
    """A funding source: its organisation where it names one, else its name only."""
    if s.get("organisation_id"):
        return participant(state, FUNDING, s["organisation_id"])
    return FUNDING, None, None, s["name"]


def participating_orgs(activity: Element, state: ReportState) -> None:
    found, without = participants(state)
    for role, ref, kind, name in found:
        narrative(
            sub(activity, "participating-org", ("ref", ref), ("type", kind), ("role", role)), name
        )
    if without:
        listed = "; ".join(without)
        comment(
            activity,
            f"members without an IATI organisation role (broker, knowledge, observer): {listed}",
        )
