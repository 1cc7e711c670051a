"""Phrases of the register: organisations, their mandates and identifiers, and actors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.words.sentence import Named, Part, Phrase, Say, plain, territory


def registered(s: Say, d: Mapping[str, Any]) -> list[Part]:
    name = Named("organisation", str(s.entry.get("stream_id")), str(d["legal_name"]))
    where = territory(d.get("territory"))
    return [*s.who(), " registered ", name, f" ({plain(d['sector'])} sector) in {where}"]


def classified(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = s.org(s.entry.get("stream_id"))
    return [*s.who(), " classified ", org, f" as {plain(d['sector'])} (IATI type {d['org_type']})"]


def mandate(s: Say, d: Mapping[str, Any]) -> list[Part]:
    scope = "in one partnership" if d.get("partnership_id") else "in all its partnerships"
    until = f", until {d['until']}" if d.get("until") else ""
    org = s.org(s.entry.get("stream_id"))
    parts: list[Part] = [*s.who(), " gave ", s.actor(d["broker_id"]), " mandate "]
    return [*parts, s.hash(d["mandate_id"]), " to act for ", org, f" {scope}{until}"]


def revoked(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = s.org(s.entry.get("stream_id"))
    return [*s.who(), " revoked mandate ", s.hash(d["mandate_id"]), " of ", org]


def claimed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        " claimed the identifier ",
        s.text(f"{d['scheme']} {d['identifier']}"),
    ]
    return [*parts, " for ", s.org(d["organisation_id"])]


def bound(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        " enrolled ",
        s.actor(s.entry.get("stream_id")),
        f" as {plain(d['role'])}",
    ]
    return parts + ([" of ", s.org(d["organisation_id"])] if d.get("organisation_id") else [])


def audit(verb: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        scope = "every partnership" if d["partnership_id"] == "*" else "a partnership"
        return [*s.who(), f" {verb} ", s.actor(s.entry.get("stream_id")), f" to {scope}"]

    return phrase


# DetailsCorrected of an organisation is said by the partnership's phrase (one event name).
PHRASES: dict[str, Phrase] = {
    "Registered": registered,
    "Classified": classified,
    "Deactivated": lambda s, d: [*s.who(), " deactivated ", s.org(s.entry.get("stream_id"))],
    "MandateGranted": mandate,
    "MandateRevoked": revoked,
    "Claimed": claimed,
    "Bound": bound,
    "Disabled": lambda s, d: [*s.who(), " disabled ", s.actor(s.entry.get("stream_id"))],
    "AuditGranted": audit("granted audit access for"),
    "AuditGrantRemoved": audit("removed the audit access of"),
}
