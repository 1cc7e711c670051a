"""Commands of the network of learning (DESIGN §8): publish, withdraw, adopt, ask, answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.commands import Command
from collab.domain import practice_terms as pt
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.partnerships.commands import OnPartnership


@dataclass(frozen=True)
class PublishPractice(OnPartnership):
    """Publish a practice (or, naming it, a new version of it) under a passed decision of
    the partnership; the figures the decision lists are computed from the ledger."""

    NAME = "publish_practice"
    partnership_id: str
    decision_id: str
    practice: dict[str, Any]
    practice_id: str | None = None  # a new version of this practice
    adapted_from: str | None = None  # the practice this partnership adopted and adapted

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))
        self.normalise("practice", pt.content(self.practice))
        for name in ("practice_id", "adapted_from"):
            value = getattr(self, name)
            if value is not None:
                self.normalise(name, v.identifier(value, name))


@dataclass(frozen=True)
class WithdrawPractice(Command):
    """Withdraw a practice (the envelope's reason says why); it stays in history."""

    NAME = "withdraw_practice"
    practice_id: str

    def __post_init__(self) -> None:
        self.normalise("practice_id", v.identifier(self.practice_id, "practice_id"))


@dataclass(frozen=True)
class AdoptPractice(OnPartnership):
    """Record that this partnership adopts a practice as it is, or adapts it (what it
    changed and why), in its own territory."""

    NAME = "adopt_practice"
    partnership_id: str
    practice_id: str
    relation: str
    territory: dict[str, Any]
    why: str
    changes: str | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("practice_id", v.identifier(self.practice_id, "practice_id"))
        v.choice(self.relation, "relation", pt.ADOPTIONS)
        self.normalise("territory", pt.place(self.territory))
        self.normalise("why", v.text(self.why, "why", max_length=v.LONG))
        changes = v.optional_text(self.changes, "changes", max_length=v.LONG)
        if self.relation == "adapts" and not changes:
            raise InvalidInputError("changes", "an adaptation says what it changed")
        if self.relation == "adopts" and changes:
            raise InvalidInputError("changes", "a practice adopted as it is changes nothing")
        self.normalise("changes", changes)


@dataclass(frozen=True)
class AskPractice(OnPartnership):
    """Ask a question of a practice's partnership (a learning exchange)."""

    NAME = "ask_practice"
    partnership_id: str
    practice_id: str
    question: str

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("practice_id", v.identifier(self.practice_id, "practice_id"))
        self.normalise("question", v.text(self.question, "question", max_length=v.LONG))


@dataclass(frozen=True)
class AnswerExchange(Command):
    """Answer a learning exchange asked of this partnership's practice."""

    NAME = "answer_exchange"
    exchange_id: str
    answer: str

    def __post_init__(self) -> None:
        self.normalise("exchange_id", v.identifier(self.exchange_id, "exchange_id"))
        self.normalise("answer", v.text(self.answer, "answer", max_length=v.TEXT))


@dataclass(frozen=True)
class DeclineExchange(Command):
    """Decline a learning exchange (the envelope's reason, if any, says why)."""

    NAME = "decline_exchange"
    exchange_id: str

    def __post_init__(self) -> None:
        self.normalise("exchange_id", v.identifier(self.exchange_id, "exchange_id"))
