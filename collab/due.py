"""The due-date processor's write side: effects that take time (DESIGN §2 invariant 8).

A date that takes effect later changes nothing before it arrives; on that day the
processor records it as an event: a leaving member's exit, a breach's remedy period
ended, a mandate's end, a commitment's lapse proposed. What is due is read from each
aggregate's own state (`due_of`, which the read side's due table also follows); each
effect is one command, `RecordDue`, run through `Collab.execute` like any other: the
domain method records nothing when the effect is already recorded, and optimistic
concurrency makes a second process that raced it re-read and find nothing to do. So one
event per effect, however many processes run the processor.

Events it records name the processor's own actor (`PROCESSOR`, id "due-date-processor",
as the command line's is "operator"): never enrolled, so no credential can act as it, and
only it may issue `RecordDue` (no route offers it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from collab.commands import Command, Context, Outcome, Result
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Actor
from collab.domain.errors import CollabError, ForbiddenError, InvalidInputError
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.partnerships.handlers import release
from collab.tx import Handlers, Tx, registry

if TYPE_CHECKING:
    from collab.application import Collab

log = logging.getLogger(__name__)

# The actor of every event the processor records (docs/decisions.md, "Due-date processor").
PROCESSOR_ID = "due-date-processor"
PROCESSOR = Actor(PROCESSOR_ID, "admin")

EXIT, REMEDY, MANDATE, LAPSE = "exit", "remedy", "mandate", "lapse"
KINDS = (EXIT, REMEDY, MANDATE, LAPSE)
LAPSING = ("confirmed", "in_delivery")  # commitments whose period's end proposes a lapse


@dataclass(frozen=True)
class DueItem:
    """One effect: its kind, the stream it is recorded on, what in it (an organisation,
    a mandate; "" for a commitment) and the first day it takes effect."""

    kind: str
    stream_id: str
    subject: str
    due_on: str


def day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def due_of(aggregate: Aggregate) -> list[DueItem]:
    """The effects still to record for one aggregate, from its state alone."""
    sid = str(aggregate.id)
    if isinstance(aggregate, Partnership):
        found = []
        for org, m in aggregate.members.items():
            if m.status == "leaving" and m.exit_date is not None:
                found.append(DueItem(EXIT, sid, org, m.exit_date))
            elif m.status == "active" and m.remedy_until is not None and not m.remedy_ended:
                found.append(DueItem(REMEDY, sid, org, day_after(m.remedy_until)))
        return found
    if isinstance(aggregate, Organisation):
        return [
            DueItem(MANDATE, sid, mid, day_after(m["until"]))
            for mid, m in aggregate.mandates.items()
            if m["until"] is not None and not m["revoked"] and not m.get("ended")
        ]
    if isinstance(aggregate, Commitment):
        return lapse_due(aggregate)
    return []


def lapse_due(c: Commitment) -> list[DueItem]:
    """A confirmed commitment whose period has ended unfulfilled: its lapse is proposed
    once (`Commitment.propose_lapse`), never applied by the processor."""
    if c.status not in LAPSING or c.period is None or c.lapse_proposed is not None:
        return []
    return [DueItem(LAPSE, str(c.id), "", day_after(c.period["end"]))]


@dataclass(frozen=True)
class RecordDue(Command):
    """Record one effect whose date has come (the processor's own command)."""

    NAME = "record_due"
    kind: str
    stream_id: str
    subject: str

    def __post_init__(self) -> None:
        v.choice(self.kind, "kind", KINDS)
        self.normalise("stream_id", v.identifier(self.stream_id, "stream_id"))
        if not isinstance(self.subject, str):
            raise InvalidInputError("subject", "must be a text")


HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(RecordDue)
def record_due(tx: Tx, c: RecordDue) -> Result:
    if tx.ctx.actor != PROCESSOR:
        raise ForbiddenError("only the due-date processor records effects of dates")
    tx.acting = Acting(PROCESSOR, None)
    today = tx.now.date().isoformat()
    recorded = RECORDERS[c.kind](tx, c, today)
    return {"kind": c.kind, "stream_id": c.stream_id, "recorded": recorded}


def record_exit(tx: Tx, c: RecordDue, today: str) -> bool:
    p = tx.get(Partnership, c.stream_id)
    if not p.record_exit(c.subject, today, tx.meta()):
        return False
    # As a withdrawal at once: releases staged before the partnership (before the cut).
    release(tx, p, c.subject, "withdrawn")
    p.complete_if_signed(tx.meta())  # the remaining signatories may now be complete
    tx.save(p)
    return True


def record_remedy(tx: Tx, c: RecordDue, today: str) -> bool:
    p = tx.get(Partnership, c.stream_id)
    done = p.end_remedy_period(c.subject, today, tx.meta())
    if done:
        tx.save(p)
    return done


def record_mandate(tx: Tx, c: RecordDue, today: str) -> bool:
    org = tx.get(Organisation, c.stream_id)
    done = org.end_mandate(c.subject, today, tx.meta())
    if done:
        tx.save(org)
    return done


def record_lapse(tx: Tx, c: RecordDue, today: str) -> bool:
    commitment = tx.get(Commitment, c.stream_id)
    done = commitment.propose_lapse(today, tx.meta())
    if done:
        tx.save(commitment)
    return done


RECORDERS = {EXIT: record_exit, REMEDY: record_remedy, MANDATE: record_mandate, LAPSE: record_lapse}


def run_due(app: Collab, items: Iterable[DueItem]) -> list[Outcome]:
    """Record every item whose day has come (by the application's clock); the outcomes of
    those that recorded an event. One refused item is logged and the others go on."""
    today = app.clock().date().isoformat()
    done = []
    for item in items:
        if item.due_on > today:
            continue
        ctx = Context(PROCESSOR, effective_date=item.due_on)
        try:
            outcome = app.execute(ctx, RecordDue(item.kind, item.stream_id, item.subject))
        except CollabError as refused:
            log.warning("due %s on %s not recorded: %s", item.kind, item.stream_id, refused)
            continue
        if outcome.result["recorded"]:
            done.append(outcome)
    return done
