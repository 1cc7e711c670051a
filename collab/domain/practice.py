"""Practice: what a partnership learned, published by its decision (DESIGN §8).

A practice is versioned and never edited: each version is published by a passed decision
of the partnership and carries the record's own fields, the figures computed from the
ledger as of that moment and the events they rest on. Withdrawing it is an event; the
record stays in history, marked withdrawn.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Envelope
from collab.domain.errors import InvalidInputError, RuleViolationError

Record = dict[str, Any]


class Practice(Aggregate):
    """A published practice: its versions, its audience, its source practice if adapted."""

    @event("Published")
    def __init__(
        self,
        partnership_id: str,
        decision_id: str,
        audience: str,
        adapted_from: str | None,
        content: Record,
        figures: Record,
        meta: Envelope,
    ) -> None:
        self.partnership_id = partnership_id
        self.adapted_from = adapted_from
        self.audience = audience
        self.decisions = [decision_id]
        self.content = content
        self.figures = figures
        self.current = 1  # the number of the version in force
        self.withdrawn: str | None = None  # the reason, once withdrawn

    def check_owner(self, partnership_id: str) -> None:
        """Only the partnership that published a practice revises or withdraws it."""
        if partnership_id != self.partnership_id:
            raise RuleViolationError(
                "a practice is changed only by the partnership that published it"
            )

    def check_live(self) -> None:
        if self.withdrawn is not None:
            raise RuleViolationError("the practice is withdrawn")

    def publish_version(
        self,
        partnership_id: str,
        decision_id: str,
        audience: str,
        content: Record,
        figures: Record,
        meta: Envelope,
    ) -> int:
        """A new version, by another passed decision; the earlier ones stay as they were."""
        self.check_owner(partnership_id)
        self.check_live()
        self._version_published(self.current + 1, decision_id, audience, content, figures, meta)
        return self.current

    @event("VersionPublished")
    def _version_published(
        self,
        number: int,
        decision_id: str,
        audience: str,
        content: Record,
        figures: Record,
        meta: Envelope,
    ) -> None:
        self.current = number
        self.decisions = [*self.decisions, decision_id]
        self.audience = audience
        self.content = content
        self.figures = figures

    def withdraw(self, partnership_id: str, meta: Envelope) -> None:
        """Withdrawn with a reason (the envelope's): read as withdrawn, never deleted."""
        self.check_owner(partnership_id)
        self.check_live()
        if not meta["reason"]:
            raise InvalidInputError("reason", "withdrawing a practice states its reason")
        self._withdrawn(meta)

    @event("Withdrawn")
    def _withdrawn(self, meta: Envelope) -> None:
        self.withdrawn = meta["reason"]
