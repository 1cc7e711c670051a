"""Lineage: which partnership took up which practice, across generations (DESIGN §8).

One aggregate holds every adoption, so that two adoptions recorded at once are ordered by
its version (optimistic concurrency) and no pair of them can close a cycle between them:
the graph of partnerships (an edge from a practice's partnership to the one that adopted
it) stays acyclic. Adoptions are few; the aggregate is snapshotted like the others.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Envelope
from collab.domain.errors import RuleViolationError

LINEAGE_ID: UUID = uuid5(NAMESPACE_URL, "https://collab.example/lineage")
Record = dict[str, Any]


class Lineage(Aggregate):
    """Every adoption recorded: by adoption id, and the sources each partnership took up."""

    @event("LineageStarted")
    def __init__(self, meta: Envelope) -> None:
        self.adoptions: dict[str, Record] = {}
        self.sources: dict[str, list[str]] = {}  # adopter partnership -> source partnerships

    @classmethod
    def create_id(cls, **_: Any) -> UUID:
        return LINEAGE_ID

    def ancestors(self, partnership_id: str) -> set[str]:
        """Every partnership whose practice reached this one, through any generation."""
        found: set[str] = set()
        todo = [partnership_id]
        while todo:
            for source in self.sources.get(todo.pop(), []):
                if source not in found:
                    found.add(source)
                    todo.append(source)
        return found

    def adopted(self, partnership_id: str, practice_id: str) -> bool:
        return any(
            a["adopter"] == partnership_id and a["practice_id"] == practice_id
            for a in self.adoptions.values()
        )

    def adopt(self, adoption: Record, meta: Envelope) -> None:
        """Record that a partnership adopts or adapts a practice; a cycle is refused."""
        adopter, source = adoption["adopter"], adoption["source"]
        if adopter == source:
            raise RuleViolationError("a partnership does not adopt its own practice")
        if adopter in self.ancestors(source):
            raise RuleViolationError(
                "the practice descends from this partnership's own: adopting it would "
                "close a cycle in the lineage"
            )
        if self.adopted(adopter, adoption["practice_id"]):
            raise RuleViolationError("this partnership has already adopted the practice")
        self._adopted(adoption, meta)

    @event("PracticeAdopted")
    def _adopted(self, adoption: Record, meta: Envelope) -> None:
        self.adoptions[adoption["adoption_id"]] = adoption
        adopter = adoption["adopter"]
        self.sources[adopter] = [*self.sources.get(adopter, []), adoption["source"]]
