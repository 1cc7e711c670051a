"""Names for a page, read once: one query for organisations, one for actors, never one
per row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.seen import read
from api.service import service
from projections.views import ids_in as any_ids_in
from projections.views import legal_names

OPERATOR = frozenset({"operator"})  # the command line's actor
CHUNK = 500  # ids per IN list: far below every database's limit on parameters


@dataclass
class Names:
    """A `words.Lookup` over names read once for a page, and facts from its entries."""

    organisations: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    facts: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, kind: str, key: str) -> str | None:
        if kind == "organisation":
            return self.organisations.get(key)
        if kind == "actor":
            return self.actors.get(key)
        return self.facts.get((kind, key))


def ids_in(value: Any) -> set[str]:
    """Every id (a UUID, or the operator) in a JSON value, as a key or a value."""
    return any_ids_in(value, also=OPERATOR)


def chunks(ids: Iterable[str]) -> list[list[str]]:
    """The ids, sorted and once each, in IN lists of at most `CHUNK`."""
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def names_for(ids: Iterable[str], facts: dict[tuple[str, str], str] | None = None) -> Names:
    """The register's legal names and the actors' display names of these ids."""
    wanted = sorted(set(ids))
    actors = service().credentials.names_of(wanted)
    found = read(lambda conn, t: legal_names(conn, t, wanted)) if wanted else {}
    return Names(found, actors, facts or {})
