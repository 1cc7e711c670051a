"""Phrases of a partnership's own events: its life, its relations and its members."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.words.sentence import Part, Phrase, Say, listed, plain, territory


def initiated(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [*s.who(), " started the partnership ", s.text(d["title"])]
    parts.append(f" ({plain(d['partnership_type'])}) in {territory(d['territory'])}")
    lead = d.get("lead")
    if isinstance(lead, Mapping) and lead.get("organisation"):
        parts += [", led by ", s.org(lead["organisation"])]
    lineage = d.get("lineage")
    if isinstance(lineage, Mapping):
        parts.append(f", as a partnership that {plain(lineage.get('relation'))} another")
    return parts


def corrected(s: Say, d: Mapping[str, Any]) -> list[Part]:
    # An organisation's corrections share the event's name: one phrase says both.
    fields = listed(sorted(d["changes"]))
    if s.entry.get("stream_kind") == "organisation":
        return [*s.who(), f" corrected the {fields} of ", s.org(s.entry.get("stream_id"))]
    return [*s.who(), f" corrected the partnership's {fields}"]


def related(s: Say, d: Mapping[str, Any]) -> list[Part]:
    link = d["link"]
    where = territory(link.get("territory")) if link.get("territory") else "another territory"
    return [*s.who(), f" recorded that this partnership {plain(link['relation'])} one in {where}"]


def transferred(s: Say, d: Mapping[str, Any]) -> list[Part]:
    where = territory(d["territory"])
    return [*s.who(), f" transferred the practice to a new partnership in {where}"]


def of_partnership(verb: str) -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} the partnership", *s.decided(d)]


def membership(s: Say, verb: str, d: Mapping[str, Any]) -> list[Part]:
    m = d["membership"]
    terms = f"{plain(m['interest_group'])}, weight {m['weight']}"
    if not m.get("signatory", True):
        terms += ", not a signatory"
    roles = listed(m["roles"]) or "member"
    parts: list[Part] = [*s.who(), f" {verb} ", s.org(m["organisation"])]
    return [*parts, f" as {roles} ({terms})", *s.decided(d)]


def of_member(verb: str, tail: str = "") -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} ", s.org(d["org_id"]), tail, *s.decided(d)]


def joined_member(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [*s.who(), " accepted the invitation", *s.for_org(d["org_id"])]


def declined(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [*s.who(), " declined the invitation", *s.for_org(d["org_id"])]


def withdrew(s: Say, d: Mapping[str, Any]) -> list[Part]:
    exit = f" from the partnership, leaving on {d['exit_date']}"
    return [*s.who(), " withdrew ", s.org(d["org_id"]), exit]


def breach(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [
        *s.who(),
        " notified ",
        s.org(d["org_id"]),
        f" of a breach, to remedy by {d['remedy_until']}",
    ]


def noted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return ["The partnership noted a pledge", *s.for_org(d["org_id"])]


PHRASES: dict[str, Phrase] = {
    "Initiated": initiated,
    "BrokerAssigned": lambda s, d: [
        *s.who(),
        " assigned ",
        s.actor(d["broker_id"]),
        " as a partnership broker",
    ],
    "DetailsCorrected": corrected,
    "Cancelled": of_partnership("cancelled"),
    "PartnershipRelated": related,
    "PracticeTransferred": transferred,
    "Suspended": of_partnership("suspended"),
    "Resumed": of_partnership("resumed"),
    "MovingOnStarted": lambda s, d: [*s.who(), " started the moving-on phase", *s.decided(d)],
    "Concluded": of_partnership("concluded"),
    "Terminated": of_partnership("terminated"),
    "MemberInvited": lambda s, d: membership(s, "invited", d),
    "MemberAdmitted": lambda s, d: membership(s, "admitted", d),
    "MemberJoined": joined_member,
    "MemberDeclined": declined,
    "MemberWithdrew": withdrew,
    "BreachNotified": breach,
    "MemberDeclaredDefaulting": of_member("declared", " defaulting"),
    "DefaultRemedied": of_member("recorded that", " remedied its default"),
    "MemberRemoved": of_member("removed"),
    "CommitmentNoted": noted,
    "CommitmentConfirmationNoted": lambda s, d: ["The partnership noted a confirmed commitment"],
}
