"""The explorer's search of practices: what a search page's GET parameters ask for (`q`,
`facet=name:value` repeated as the API takes them, `offset`), and the facets as the page
shows them — each value a link adding or removing it, the territory as a path of places
with their NUTS names. A parameter the page does not understand is left out, and the page
says so, rather than refused: an address typed or shared by hand still shows a search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import request

from api.seen import POSITION_RE
from collab.domain import reference
from projections import search_query as sq

# A search's GET parameters: `q` (at most MAX_TEXT characters kept), `facet=name:value`
# repeated (the API's shape), `offset`. A facet value is a code of a closed vocabulary, a
# NUTS code, an SDG goal or a language: anything else is left out, and the page says so.
MAX_TEXT = 200
MAX_CHOSEN = 20  # values of one facet a search keeps
VALUE_RE = re.compile(r"^[0-9A-Za-z_]{1,40}$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
ON_PAGE = 20


@dataclass(frozen=True)
class Asked:
    """What the person searched for, as the page understood it."""

    text: str = ""
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    offset: int = 0
    dropped: bool = False  # some facet parameters were not understood and left out

    def query(self) -> sq.Query:
        return sq.Query(text=self.text, facets=self.facets, limit=ON_PAGE, offset=self.offset)

    def url(self, facets: Mapping[str, tuple[str, ...]] | None = None, offset: int = 0) -> str:
        """The search page for this text and these facets (default the chosen ones)."""
        chosen = self.facets if facets is None else facets
        args = [("q", self.text)] if self.text else []
        args += [("facet", f"{n}:{val}") for n in sq.FACETS for val in chosen.get(n, ())]
        args += [("offset", str(offset))] if offset else []
        return f"/practices?{urlencode(args)}" if args else "/practices"

    def toggled(self, name: str, value: str) -> str:
        """The search with this facet value added, or removed if chosen; a territory is
        one place at a time: choosing one replaces the other."""
        now = self.facets.get(name, ())
        if value in now:
            kept = tuple(x for x in now if x != value)
        else:
            kept = (value,) if name == "territory" else (*now, value)
        return self.url({**self.facets, name: kept})


def asked_for(status: str | None) -> Asked:
    """The search a page's parameters ask for (`status`, checked, is the status facet)."""
    text = CONTROL_RE.sub(" ", request.args.get("q", ""))[:MAX_TEXT].strip()
    chosen: dict[str, list[str]] = {}
    dropped = False
    for raw in request.args.getlist("facet"):
        name, _, value = raw.partition(":")
        ok = name in sq.FACETS and VALUE_RE.fullmatch(value) is not None
        dropped = dropped or not ok
        values = chosen.setdefault(name, []) if ok else []
        if ok and value not in values and len(values) < MAX_CHOSEN:
            values.append(value)
    if status is not None and status not in chosen.setdefault("status", []):
        chosen["status"].append(status)
    raw_offset = request.args.get("offset", "")
    offset = int(raw_offset) if POSITION_RE.fullmatch(raw_offset) else 0
    chosen["territory"] = chosen.get("territory", [])[:1]  # one place at a time: a path
    facets = {n: tuple(vals) for n, vals in chosen.items() if vals}
    return Asked(text, facets, offset, dropped)


def facet_groups(asked: Asked, counted: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each facet but the territory (shown as a path): its values with their counts, each
    with the address that adds or removes it; a chosen value is always shown."""
    groups = []
    for name in sq.FACETS:
        if name == "territory":
            continue
        values = listed_values(asked, name, counted.get(name, []))
        if values:
            groups.append({"name": name, "values": values})
    return groups


def listed_values(asked: Asked, name: str, counted: Iterable[Mapping[str, Any]]) -> list[Any]:
    """A facet's values as counted, then any chosen one the count left out (as 0)."""
    found = {str(c["value"]): int(c["count"]) for c in counted}
    for value in asked.facets.get(name, ()):
        found.setdefault(value, 0)
    chosen = asked.facets.get(name, ())
    return [
        {"value": val, "count": n, "selected": val in chosen, "url": asked.toggled(name, val)}
        for val, n in found.items()
    ]


def places(counted: Iterable[Mapping[str, Any]], asked: Asked) -> dict[str, Any]:
    """The territory facet as a path: the larger places the chosen one is in (each a link
    choosing it instead), the chosen one (a link removing it), then the places within it
    (the countries when none is chosen), each with its count and NUTS name."""
    chosen = next(iter(asked.facets.get("territory", ())), "")
    counts = {str(c["value"]): int(c["count"]) for c in counted}

    def place(code: str) -> dict[str, Any]:
        found = reference.nuts().get(code)
        name = found.name if found is not None else ""
        count = counts.get(code)
        return {"code": code, "name": name, "count": count, "url": asked.toggled("territory", code)}

    path = [chosen[:n] for n in range(2, len(chosen))]  # PT181: PT, PT1, PT18
    return {
        "path": [place(c) for c in path],
        "here": place(chosen) if chosen else None,
        "within": [place(c) for c in counts if c != chosen and c not in path],
    }
