"""Lineage: which partnership took up which practice, across generations (DESIGN §8).

A practice's line is fixed when it is published: the practice it adapts (`adapted_from`),
that one's, and so on, each published by a partnership. An adoption records that line's
partnerships (`ancestry`, nearest first) and is refused when the adopter is among them:
taking up a descendant of one's own practice would close a cycle in that line. The line
being fixed, the rule needs no other state; one aggregate holds every adoption so that a
partnership adopts a practice once, even when two requests race (optimistic concurrency
orders them). Adoptions are few; the aggregate is snapshotted like the others.
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
    """Every adoption recorded, by adoption id."""

    @event("LineageStarted")
    def __init__(self, meta: Envelope) -> None:
        self.adoptions: dict[str, Record] = {}

    @classmethod
    def create_id(cls, **_: Any) -> UUID:
        return LINEAGE_ID

    def adopted(self, partnership_id: str, practice_id: str) -> bool:
        return any(
            a["adopter"] == partnership_id and a["practice_id"] == practice_id
            for a in self.adoptions.values()
        )

    def adopt(self, adoption: Record, meta: Envelope) -> None:
        """Record that a partnership adopts or adapts a practice; a cycle is refused.
        `adoption["ancestry"]`: the partnerships of the practice's line, nearest first."""
        adopter, ancestry = adoption["adopter"], adoption["ancestry"]
        if adopter == adoption["source"]:
            raise RuleViolationError("a partnership does not adopt its own practice")
        if adopter in ancestry:
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
