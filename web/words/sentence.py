"""The parts of a sentence in words, and `Say`: what every phrase uses to name things."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# (kind, key) -> what to call it, or None. Kinds: "organisation" (legal name), "actor"
# (display name), "version" (text hash -> number), "indicator" (id -> name), "commitment"
# (id -> committing organisation id), "unit" (commitment id -> unit), "delivery" (the
# position of a confirmation or dispute -> the quantity then reported). `known()` gives
# the last four from the entries themselves.
Lookup = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Named:
    """A part of a sentence that names something: kind organisation, actor, text, hash."""

    kind: str
    key: str
    text: str


Part = str | Named


@dataclass(frozen=True)
class Sentence:
    parts: tuple[Part, ...]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


def plain(code: Any) -> str:
    """A code as words: staff_time -> staff time."""
    return str(code).replace("_", " ")


def listed(items: Iterable[Any]) -> str:
    return ", ".join(plain(i) for i in items)


def joined(parts: list[list[Part]]) -> list[Part]:
    out: list[Part] = []
    for i, part in enumerate(parts):
        out += ([", "] if 0 < i < len(parts) - 1 else [" and "] if i else []) + part
    return out


def territory(t: Any) -> str:
    if not isinstance(t, Mapping):
        return "an unstated territory"
    lau = f", LAU {t['lau']}" if t.get("lau") else ""
    return f"{t.get('nuts') or t.get('country')} ({t.get('country')}{lau})"


def amount(q: Mapping[str, Any]) -> str:
    return f"{q['value']} {q['unit']}"


class Say:
    """Names and envelope of one entry, for the phrases."""

    def __init__(self, entry: Mapping[str, Any], lookup: Lookup) -> None:
        self.entry, self.lookup = entry, lookup

    def org(self, org_id: Any) -> Named:
        key = str(org_id)
        return Named("organisation", key, self.lookup("organisation", key) or "an organisation")

    def actor(self, actor_id: Any, *, first: bool = False) -> Named:
        key = str(actor_id)
        fallback = "the operator" if key == "operator" else "an actor"
        fallback = fallback.capitalize() if first else fallback
        return Named("actor", key, self.lookup("actor", key) or fallback)

    def text(self, value: Any) -> Named:
        return Named("text", "", str(value))

    def hash(self, value: Any, *, full: bool = False) -> Named:
        text = str(value)
        return Named("hash", text, text if full else text[:8] + "…")

    def who(self) -> list[Part]:
        """The actor, and for whom under which mandate when a broker acted for a partner."""
        e = self.entry
        parts: list[Part] = [self.actor(e["actor"], first=True) if e.get("actor") else "Someone"]
        if e.get("on_behalf_of"):
            parts += [" (for ", self.org(e["on_behalf_of"])]
            if e.get("mandate"):
                parts += [", under mandate ", self.hash(e["mandate"])]
            parts.append(")")
        return parts

    def for_org(self, org_id: Any) -> list[Part]:
        """' for ORG', unless the subject already said it acted for ORG."""
        return [] if org_id == self.entry.get("on_behalf_of") else [" for ", self.org(org_id)]

    def version(self, text_hash: Any) -> str:
        number = self.lookup("version", str(text_hash))
        return f"version {number}" if number else "the text"

    def commitment(self, *, first: bool = False) -> list[Part]:
        cid = str(self.entry.get("stream_id"))
        org = self.lookup("commitment", cid)
        head = "The commitment of " if first else "the commitment of "
        return [head, self.org(org)] if org else ["A commitment" if first else "a commitment"]

    def unit(self) -> str:
        unit = self.lookup("unit", str(self.entry.get("stream_id")))
        return f" {unit}" if unit else ""

    def decided(self, d: Mapping[str, Any]) -> list[Part]:
        return [" by a recorded decision"] if d.get("decision_id") else []


Phrase = Callable[[Say, Mapping[str, Any]], list[Part]]
