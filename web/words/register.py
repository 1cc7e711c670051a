"""Phrases of the register: organisations, their mandates and identifiers, and actors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import Named, Part, Phrase, Say, date_text, plain, said, territory


def registered(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s registered %(organisation)s (%(sector)s sector) in %(territory)s"),
        who=s.who(),
        organisation=Named("organisation", str(s.entry.get("stream_id")), str(d["legal_name"])),
        sector=plain(d["sector"], "sector"),
        territory=territory(d.get("territory")),
    )


def classified(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s classified %(organisation)s as %(sector)s (IATI type %(type)s)"),
        who=s.who(),
        organisation=s.org(s.entry.get("stream_id")),
        sector=plain(d["sector"], "sector"),
        type=str(d["org_type"]),
    )


def mandate_message(scoped: bool, until: bool) -> str:
    if scoped:
        if until:
            return str(
                _(
                    "%(who)s gave %(broker)s mandate %(mandate)s to act for "
                    "%(organisation)s in one partnership, until %(date)s"
                )
            )
        return str(
            _(
                "%(who)s gave %(broker)s mandate %(mandate)s to act for "
                "%(organisation)s in one partnership"
            )
        )
    if until:
        return str(
            _(
                "%(who)s gave %(broker)s mandate %(mandate)s to act for "
                "%(organisation)s in all its partnerships, until %(date)s"
            )
        )
    return str(
        _(
            "%(who)s gave %(broker)s mandate %(mandate)s to act for "
            "%(organisation)s in all its partnerships"
        )
    )


def mandate(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        mandate_message(bool(d.get("partnership_id")), bool(d.get("until"))),
        who=s.who(),
        broker=s.actor(d["broker_id"]),
        mandate=s.hash(d["mandate_id"]),
        organisation=s.org(s.entry.get("stream_id")),
        date=date_text(d.get("until")),
    )


def revoked(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s revoked mandate %(mandate)s of %(organisation)s"),
        who=s.who(),
        mandate=s.hash(d["mandate_id"]),
        organisation=s.org(s.entry.get("stream_id")),
    )


def mandate_ended(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("Mandate %(mandate)s of %(organisation)s ended after %(date)s (%(who)s)"),
        who=s.who(),
        mandate=s.hash(d["mandate_id"]),
        organisation=s.org(s.entry.get("stream_id")),
        date=date_text(d["until"]),
    )


def claimed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s claimed the identifier %(identifier)s for %(organisation)s"),
        who=s.who(),
        identifier=s.text(f"{d['scheme']} {d['identifier']}"),
        organisation=s.org(d["organisation_id"]),
    )


def bound(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = (
        _("%(who)s enrolled %(actor)s as %(role)s of %(organisation)s")
        if d.get("organisation_id")
        else _("%(who)s enrolled %(actor)s as %(role)s")
    )
    return said(
        message,
        who=s.who(),
        actor=s.actor(s.entry.get("stream_id")),
        role=plain(d["role"], "actor_role"),
        organisation=s.org(d.get("organisation_id")),
    )


AUDIT: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    "AuditGranted": (
        lambda: _("%(who)s granted audit access for %(actor)s to a partnership"),
        lambda: _("%(who)s granted audit access for %(actor)s to every partnership"),
    ),
    "AuditGrantRemoved": (
        lambda: _("%(who)s removed the audit access of %(actor)s to a partnership"),
        lambda: _("%(who)s removed the audit access of %(actor)s to every partnership"),
    ),
}


def audit(event: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        message = AUDIT[event][d["partnership_id"] == "*"]()
        return said(message, who=s.who(), actor=s.actor(s.entry.get("stream_id")))

    return phrase


def deactivated(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s deactivated %(organisation)s")
    return said(message, who=s.who(), organisation=s.org(s.entry.get("stream_id")))


def disabled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s disabled %(actor)s")
    return said(message, who=s.who(), actor=s.actor(s.entry.get("stream_id")))


# DetailsCorrected of an organisation is said by the partnership's phrase (one event name).
PHRASES: dict[str, Phrase] = {
    "Registered": registered,
    "Classified": classified,
    "Deactivated": deactivated,
    "MandateGranted": mandate,
    "MandateRevoked": revoked,
    "MandateEnded": mandate_ended,
    "Claimed": claimed,
    "Bound": bound,
    "Disabled": disabled,
    "AuditGranted": audit("AuditGranted"),
    "AuditGrantRemoved": audit("AuditGrantRemoved"),
}
