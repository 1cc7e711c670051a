"""Phrases of the agreement: its versions, amendments and signatures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.words.sentence import Part, Phrase, Say, joined


def drafted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    number = d["terms"]["version"]
    return [*s.who(), f" drafted version {number} (hash ", s.hash(d["text_hash"]), ")"]


def amended(s: Say, d: Mapping[str, Any]) -> list[Part]:
    number, base = d["terms"]["version"], d["base"]
    parts: list[Part] = [*s.who(), f" proposed version {number}, amending version {base} "]
    return [*parts, "(hash ", s.hash(d["text_hash"]), ")"]


def signed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    h = d["text_hash"]
    return [*s.who(), f" signed {s.version(h)} (hash ", s.hash(h), ")", *s.for_org(d["org_id"])]


def in_force(s: Say, d: Mapping[str, Any]) -> list[Part]:
    names: list[list[Part]] = [[s.org(o)] for o in d.get("signatories") or ()]
    parts: list[Part] = [f"Version {d['number']} (hash ", s.hash(d["text_hash"])]
    parts.append(") entered into force")
    return parts + ([", signed by ", *joined(names)] if names else [])


PHRASES: dict[str, Phrase] = {
    "VersionDrafted": drafted,
    "VersionOpenedForSignature": lambda s, d: [
        *s.who(),
        f" opened version {d['number']} for signature",
    ],
    "AgreementSigned": signed,
    "AgreementEnteredIntoForce": in_force,
    "AmendmentProposed": amended,
    "AmendmentRejected": lambda s, d: [*s.who(), f" rejected the amendment, version {d['number']}"],
}
