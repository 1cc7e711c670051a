"""The parts of a sentence in words, and `Say`: what every phrase uses to name things.

Each sentence is one translatable message with named placeholders (`said`): a language
puts the names where its word order wants them. A placeholder is filled with plain words,
a `Named` part, or a list of parts (a smaller message: a noun phrase, an optional clause).
Codes are said by their labels (web/labels.py); numbers and dates in the reader's locale
when there is a reader (outside a request, as recorded: the phrases stay pure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import has_request_context
from flask_babel import gettext as _

from web.i18n import day, number
from web.labels import label

# (kind, key) -> what to call it, or None. Kinds: "organisation" (legal name), "actor"
# (display name), "version" (text hash -> number), "indicator" (id -> name), "commitment"
# (id -> committing organisation id), "unit" (commitment id -> unit), "delivery" (the
# position of a confirmation or dispute -> the quantity then reported). `known()` gives
# the last four from the entries themselves.
Lookup = Callable[[str, str], str | None]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Named:
    """A part of a sentence that names something: kind organisation, actor, text, hash."""

    kind: str
    key: str
    text: str


Part = str | Named
Filling = Part | Sequence[Part]


@dataclass(frozen=True)
class Sentence:
    parts: tuple[Part, ...]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


def said(message: str, **values: Filling) -> list[Part]:
    """A translated message (gettext's text, not yet formatted) with its placeholders
    filled by parts: names stay parts of their own, never merged into the words."""
    out: list[Part] = []
    at = 0
    for found in PLACEHOLDER.finditer(message):
        out.append(message[at : found.start()].replace("%%", "%"))
        value = values.get(found.group(1), "")
        out += [value] if isinstance(value, str | Named) else list(value)
        at = found.end()
    out.append(message[at:].replace("%%", "%"))
    return [p for p in out if p != ""]


def plain(code: Any, kind: str = "any") -> str:
    """A code as words in the reader's language: staff_time -> staff time."""
    return label(code, kind)


def listed(items: Iterable[Any], kind: str = "any") -> str:
    return ", ".join(plain(i, kind) for i in items)


def quantity(value: Any) -> str:
    """A recorded number in the reader's locale (every recorded digit kept)."""
    return number(value) if has_request_context() else str(value)


def date_text(value: Any) -> str:
    """A recorded date (YYYY-MM-DD) in the reader's locale."""
    return day(value) if has_request_context() else str(value)


def joined(parts: list[list[Part]]) -> list[Part]:
    """Names as one list: "A", "A and B", "A, B and C"."""
    if len(parts) < 2:
        return [p for part in parts for p in part]
    head: list[Part] = []
    for i, part in enumerate(parts[:-1]):
        head += ([", "] if i else []) + part
    return said(_("%(items)s and %(last)s"), items=head, last=parts[-1])


def territory(t: Any) -> str:
    if not isinstance(t, Mapping):
        return str(_("an unstated territory"))
    region, country = t.get("nuts") or t.get("country"), t.get("country")
    if t.get("lau"):
        return str(
            _("%(region)s (%(country)s, LAU %(lau)s)", region=region, country=country, lau=t["lau"])
        )
    return str(_("%(region)s (%(country)s)", region=region, country=country))


def amount(q: Mapping[str, Any]) -> str:
    return f"{quantity(q['value'])} {plain(q['unit'], 'unit')}"


class Say:
    """Names and envelope of one entry, for the phrases."""

    def __init__(self, entry: Mapping[str, Any], lookup: Lookup) -> None:
        self.entry, self.lookup = entry, lookup

    def org(self, org_id: Any) -> Named:
        key = str(org_id)
        return Named("organisation", key, self.lookup("organisation", key) or _("an organisation"))

    def actor(self, actor_id: Any, *, first: bool = False) -> Named:
        key = str(actor_id)
        if key == "operator":
            fallback = _("The operator") if first else _("the operator")
        elif key == "due-date-processor":  # collab.due.PROCESSOR_ID: dates taking effect
            fallback = _("The due-date processor") if first else _("the due-date processor")
        else:
            fallback = _("An actor") if first else _("an actor")
        return Named("actor", key, self.lookup("actor", key) or str(fallback))

    def text(self, value: Any) -> Named:
        return Named("text", "", str(value))

    def hash(self, value: Any, *, full: bool = False) -> Named:
        text = str(value)
        return Named("hash", text, text if full else text[:8] + "…")

    def who(self) -> list[Part]:
        """The actor, and for whom under which mandate when a broker acted for a partner."""
        e = self.entry
        if not e.get("actor"):
            return [str(_("Someone"))]
        actor = self.actor(e["actor"], first=True)
        if not e.get("on_behalf_of"):
            return [actor]
        org = self.org(e["on_behalf_of"])
        if e.get("mandate"):
            message = _("%(actor)s (for %(organisation)s, under mandate %(mandate)s)")
            return said(message, actor=actor, organisation=org, mandate=self.hash(e["mandate"]))
        return said(_("%(actor)s (for %(organisation)s)"), actor=actor, organisation=org)

    def acts_for(self, org_id: Any) -> bool:
        """Whether the subject already said it acted for this organisation."""
        return bool(org_id == self.entry.get("on_behalf_of"))

    def version(self, text_hash: Any) -> str:
        found = self.lookup("version", str(text_hash))
        return str(_("version %(number)s", number=found)) if found else str(_("the text"))

    def commitment(self, *, first: bool = False) -> list[Part]:
        org = self.lookup("commitment", str(self.entry.get("stream_id")))
        if org:
            message = (
                _("The commitment of %(organisation)s")
                if first
                else _("the commitment of %(organisation)s")
            )
            return said(message, organisation=self.org(org))
        return [str(_("A commitment") if first else _("a commitment"))]

    def unit(self) -> str:
        found = self.lookup("unit", str(self.entry.get("stream_id")))
        return plain(found, "unit") if found else ""

    def decided(self, d: Mapping[str, Any]) -> bool:
        return bool(d.get("decision_id"))


Phrase = Callable[[Say, Mapping[str, Any]], list[Part]]
