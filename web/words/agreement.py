"""Phrases of the agreement: its versions, amendments and signatures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import Part, Phrase, Say, joined, said


def drafted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s drafted version %(number)s (hash %(hash)s)"),
        who=s.who(),
        number=str(d["terms"]["version"]),
        hash=s.hash(d["text_hash"]),
    )


def amended(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s proposed version %(number)s, amending version %(base)s (hash %(hash)s)"),
        who=s.who(),
        number=str(d["terms"]["version"]),
        base=str(d["base"]),
        hash=s.hash(d["text_hash"]),
    )


def signed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    h, org = d["text_hash"], d["org_id"]
    message = (
        _("%(who)s signed %(version)s (hash %(hash)s)")
        if s.acts_for(org)
        else _("%(who)s signed %(version)s (hash %(hash)s) for %(organisation)s")
    )
    return said(message, who=s.who(), version=s.version(h), hash=s.hash(h), organisation=s.org(org))


def in_force(s: Say, d: Mapping[str, Any]) -> list[Part]:
    names: list[list[Part]] = [[s.org(o)] for o in d.get("signatories") or ()]
    message = (
        _("Version %(number)s (hash %(hash)s) entered into force, signed by %(signatories)s")
        if names
        else _("Version %(number)s (hash %(hash)s) entered into force")
    )
    number, h = str(d["number"]), s.hash(d["text_hash"])
    return said(message, number=number, hash=h, signatories=joined(names))


def opened(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s opened version %(number)s for signature")
    return said(message, who=s.who(), number=str(d["number"]))


def rejected(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s rejected the amendment, version %(number)s")
    return said(message, who=s.who(), number=str(d["number"]))


PHRASES: dict[str, Phrase] = {
    "VersionDrafted": drafted,
    "VersionOpenedForSignature": opened,
    "AgreementSigned": signed,
    "AgreementEnteredIntoForce": in_force,
    "AmendmentProposed": amended,
    "AmendmentRejected": rejected,
}
