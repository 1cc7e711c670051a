"""One try of a command, as a handler sees it: load, check, act, stage for one save.

A handler gets a `Tx` and its command: `tx.partnership(id)` loads the partnership, answers
404 unless the caller sees it, resolves who acts (a broker under a mandate acts for the
organisation named in the context) and checks If-Match; the handler calls one domain
method and stages what changed with `tx.save(...)`; `Collab.execute` saves it all in one
transaction, retrying on a version conflict.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.domain import Aggregate

from collab import access
from collab.commands import Command, Context, Result
from collab.domain.actor import ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Envelope, make_envelope
from collab.domain.errors import (
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
)
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.visibility import Window

if TYPE_CHECKING:
    from collab.application import Collab

A = TypeVar("A", bound=Aggregate)
C = TypeVar("C", bound=Command)
Handler = Callable[["Tx", C], Result]
Handlers = dict[type[Command], Callable[["Tx", Any], Result]]


def registry(table: Handlers) -> Callable[[type[C]], Callable[[Handler[C]], Handler[C]]]:
    """`@handles(SignAgreement)` puts a handler in its area's table."""

    def handles(command: type[C]) -> Callable[[Handler[C]], Handler[C]]:
        def put(handler: Handler[C]) -> Handler[C]:
            table[command] = handler
            return handler

        return put

    return handles


def correction(aggregate: Aggregate, version: int | None) -> dict[str, object]:
    """Invariant 6: what a correction names as the event it corrects (default: the latest)."""
    number = aggregate.version if version is None else version
    if number > aggregate.version:
        raise RuleViolationError("the corrected event does not exist")
    return {"stream": str(aggregate.id), "version": number}


# How a 404 names what was asked for (an actor binding is, to the caller, an actor).
KINDS: dict[type[Aggregate], str] = {ActorBinding: "actor"}


@dataclass
class Tx:
    """One try: the caller, the time, aggregates loaded fresh, what to save."""

    app: Collab
    ctx: Context
    now: datetime
    acting: Acting | None = None
    window: Window | None = None  # the caller's window on the target partnership
    staged: list[Aggregate] = field(default_factory=list)
    # One correlation id for every event of the command (DESIGN §2 envelope).
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # The command's first try: what only the store's uniqueness can settle may be left to
    # it (a taken identifier fails the insert, and the next try reads and refuses).
    first: bool = False

    # -- loading -----------------------------------------------------------------------

    def get(self, cls: type[A], aggregate_id: str) -> A:
        """The aggregate (404 "no <kind> <id>" alike for an unknown id and another's)."""
        return self.app.get(cls, aggregate_id, KINDS.get(cls, cls.__name__.lower()))

    def target(self, aggregate: A) -> A:
        """The aggregate the caller's expected version (If-Match) refers to."""
        expected = self.ctx.expected_version
        if expected is not None and expected != aggregate.version:
            raise StaleVersionError(
                f"expected version {expected}, current version is {aggregate.version}"
            )
        return aggregate

    def partnership(
        self, partnership_id: str, *, target: bool = True
    ) -> tuple[Partnership, Acting]:
        """A partnership the caller sees (404 otherwise), who acts in it, If-Match checked."""
        p = self.get(Partnership, partnership_id)
        self.window = access.check_visible(self, p)
        acting = self.act_as(partnership_id)
        if target:
            self.target(p)
        return p, acting

    def commitment(self, commitment_id: str) -> tuple[Commitment, Partnership, Acting]:
        """A commitment in the caller's window, its partnership, who acts; If-Match checked
        on the commitment."""
        c = self.get(Commitment, commitment_id)
        try:
            p, acting = self.partnership(c.partnership_id, target=False)
        except NotFoundError:  # the same answer as an unknown id: no partnership named
            raise NotFoundError(f"no commitment {commitment_id}") from None
        assert self.window is not None
        access.check_commitment_visible(self.app, c, self.window)
        return self.target(c), p, acting

    def organisation(self, organisation_id: str) -> Organisation:
        """An active registered organisation (404 unknown, 409 deactivated)."""
        org = self.get(Organisation, organisation_id)
        org.check_active()
        return org

    def act_as(self, partnership_id: str | None) -> Acting:
        """Who acts: the caller, or the organisation whose mandate a broker holds here."""
        self.acting = access.resolve_acting(self, partnership_id)
        return self.acting

    # -- recording ---------------------------------------------------------------------

    def meta(self) -> Envelope:
        assert self.acting is not None, "resolve the acting identity first"
        effective = self.ctx.effective_date
        if effective is not None and effective > self.now.date().isoformat():
            # Business dates of facts are past or today: a future one would let a caller
            # skip a remedy period or lapse a commitment early.
            raise InvalidInputError("effective_date", "must not be later than today (UTC)")
        return make_envelope(
            self.acting,
            recorded_at=self.now,
            effective_date=self.ctx.effective_date,
            reason=self.ctx.reason,
            correlation_id=self.ctx.correlation_id or self.correlation_id,
        )

    def save(self, *aggregates: Aggregate) -> None:
        """Stage aggregates for the command's one save, in this order (the log's order)."""
        for aggregate in aggregates:
            if all(aggregate is not s for s in self.staged):
                self.staged.append(aggregate)
