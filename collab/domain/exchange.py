"""Exchange: a question one partnership asks of a practice's partnership (DESIGN §8),
recorded, then answered or declined. Only the two partnerships see it."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Envelope
from collab.domain.errors import RuleViolationError


class Exchange(Aggregate):
    """A learning exchange between the asking partnership and the practice's."""

    @event("ExchangeRequested")
    def __init__(
        self,
        practice_id: str,
        owner: str,
        asker: str,
        question: str,
        meta: Envelope,
    ) -> None:
        self.practice_id = practice_id
        self.owner = owner  # the practice's partnership, which answers
        self.asker = asker
        self.question = question
        self.status = "asked"
        self.answer: str | None = None

    def check_owner(self, partnership_id: str) -> None:
        if partnership_id != self.owner:
            raise RuleViolationError("only the practice's partnership answers its exchanges")
        if self.status != "asked":
            raise RuleViolationError(f"the exchange is already {self.status}")

    def reply(self, partnership_id: str, answer: str, meta: Envelope) -> None:
        self.check_owner(partnership_id)
        self._answered(answer, meta)

    @event("ExchangeAnswered")
    def _answered(self, answer: str, meta: Envelope) -> None:
        self.status = "answered"
        self.answer = answer

    def decline(self, partnership_id: str, meta: Envelope) -> None:
        """Declined, with the envelope's reason when one is given."""
        self.check_owner(partnership_id)
        self._declined(meta)

    @event("ExchangeDeclined")
    def _declined(self, meta: Envelope) -> None:
        self.status = "declined"
