"""Handlers of the network of learning: load, check, call one method each, save."""

from __future__ import annotations

import uuid
from typing import Any

from collab.commands import Result
from collab.domain import practice_figures
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting
from collab.domain.errors import ForbiddenError, NotFoundError, RuleViolationError
from collab.domain.exchange import Exchange
from collab.domain.lineage import LINEAGE_ID, Lineage
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import STANDING
from collab.domain.practice import Practice
from collab.practices.commands import (
    AdoptPractice,
    AnswerExchange,
    AskPractice,
    DeclineExchange,
    PublishPractice,
    WithdrawPractice,
)
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(PublishPractice)
def publish_practice(tx: Tx, c: PublishPractice) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.check_steward(acting)
    p.check_decision(c.decision_id, "publish_practice")
    check_contact(p, c.practice["contact"]["organisation_id"])
    earlier = None if c.practice_id is None else tx.get(Practice, c.practice_id)
    adapted_from = c.adapted_from if earlier is None else earlier.adapted_from
    if c.adapted_from is not None and c.adapted_from != adapted_from:
        raise RuleViolationError("a practice's versions keep the practice it adapts")
    if earlier is None and adapted_from is not None:
        check_adapted(tx, str(p.id), adapted_from)
    decision = p.decisions[c.decision_id]
    audience = decision.audience or "signed_in"
    figures = figure_of(tx, p, decision.publishes)
    meta = tx.meta()
    if earlier is None:
        practice = Practice(
            str(p.id), c.decision_id, audience, adapted_from, c.practice, figures, meta
        )
        number = 1
    else:
        practice = earlier
        number = practice.publish_version(
            str(p.id), c.decision_id, audience, c.practice, figures, meta
        )
    p.publish_practice(str(practice.id), number, c.decision_id, acting, meta)
    tx.save(p, practice)  # the practice's event last: its position is the publishing's
    return {"practice_id": str(practice.id), "version": practice.version, "number": number}


def figure_of(tx: Tx, p: Partnership, publishes: tuple[str, ...]) -> dict[str, Any]:
    """The figures a decision lists, from the ledger as it stands: the partnership's own
    events (reports, memberships) and its commitments."""
    if not publishes:
        return {}
    events = list(tx.app.events.get(p.id))
    commitments = [tx.get(Commitment, cid) for cid in p.commitments]
    return practice_figures.compute(publishes, p, commitments, events)


def check_contact(p: Partnership, organisation_id: str) -> None:
    member = p.member(organisation_id)
    if member is None or member.status not in STANDING:
        raise RuleViolationError("the contact is a role at a member organisation in standing")


def check_adapted(tx: Tx, partnership_id: str, practice_id: str) -> None:
    tx.get(Practice, practice_id)  # 404 for an unknown id
    lineage = tx.app.load_or_none(LINEAGE_ID)
    if not isinstance(lineage, Lineage) or not lineage.adopted(partnership_id, practice_id):
        raise RuleViolationError("a practice adapts one its partnership has adopted")


def stewarding(tx: Tx, partnership_id: str, what: str) -> tuple[Partnership, Acting]:
    """The partnership behind a practice or exchange the caller can read, and who acts in
    it: a caller outside it reads, but may not act (403, not 404)."""
    try:
        p, acting = tx.partnership(partnership_id, target=False)
    except NotFoundError:
        raise ForbiddenError(f"only the partnership that {what} may do this") from None
    return p, acting


@handles(WithdrawPractice)
def withdraw_practice(tx: Tx, c: WithdrawPractice) -> Result:
    practice = tx.target(tx.get(Practice, c.practice_id))
    p, acting = stewarding(tx, practice.partnership_id, "published the practice")
    p.check_steward(acting)
    practice.withdraw(str(p.id), tx.meta())
    tx.save(practice)
    return {"practice_id": str(practice.id), "version": practice.version}


@handles(AdoptPractice)
def adopt_practice(tx: Tx, c: AdoptPractice) -> Result:
    p, acting = tx.partnership(c.partnership_id, target=False)
    p.check_steward(acting)
    p.check_open()
    practice = tx.get(Practice, c.practice_id)
    practice.check_live()
    meta = tx.meta()
    lineage = tx.app.load_or_none(LINEAGE_ID)
    if not isinstance(lineage, Lineage):
        lineage = Lineage(meta)
    adoption_id = str(uuid.uuid4())
    adoption = {
        "adoption_id": adoption_id,
        "practice_id": str(practice.id),
        "practice_version": practice.current,
        "source": practice.partnership_id,
        "adopter": str(p.id),
        "relation": c.relation,
        "territory": c.territory,
        "why": c.why,
        "changes": c.changes,
        "ancestry": ancestry(tx, practice),
    }
    lineage.adopt(adoption, meta)
    tx.save(lineage)
    return {"adoption_id": adoption_id, "practice_id": str(practice.id)}


def ancestry(tx: Tx, practice: Practice) -> list[str]:
    """The partnerships of a practice's line, nearest first: its own, then those of the
    practices it adapts (fixed at each one's publishing, so the line has no cycle)."""
    found = [practice.partnership_id]
    while practice.adapted_from is not None:
        practice = tx.get(Practice, practice.adapted_from)
        found.append(practice.partnership_id)
    return found


@handles(AskPractice)
def ask_practice(tx: Tx, c: AskPractice) -> Result:
    p, acting = tx.partnership(c.partnership_id, target=False)
    p.check_reporter(acting)
    p.check_open()
    practice = tx.get(Practice, c.practice_id)
    practice.check_live()
    if practice.partnership_id == str(p.id):
        raise RuleViolationError("a partnership asks its questions of another's practice")
    exchange = Exchange(str(practice.id), practice.partnership_id, str(p.id), c.question, tx.meta())
    tx.save(exchange)
    return {"exchange_id": str(exchange.id), "version": exchange.version}


def answering(tx: Tx, exchange_id: str) -> tuple[Exchange, Partnership]:
    """The exchange and the practice's partnership, which answers: 404 to a caller that
    sees neither partnership, 403 to the asking side."""
    exchange = tx.target(tx.get(Exchange, exchange_id))
    try:
        p, acting = tx.partnership(exchange.owner, target=False)
    except NotFoundError:
        try:
            tx.partnership(exchange.asker, target=False)
        except NotFoundError:
            raise NotFoundError(f"no exchange {exchange_id}") from None
        raise ForbiddenError("only the practice's partnership answers its exchanges") from None
    p.check_reporter(acting)
    return exchange, p


@handles(AnswerExchange)
def answer_exchange(tx: Tx, c: AnswerExchange) -> Result:
    exchange, p = answering(tx, c.exchange_id)
    exchange.reply(str(p.id), c.answer, tx.meta())
    tx.save(exchange)
    return {"exchange_id": str(exchange.id), "version": exchange.version}


@handles(DeclineExchange)
def decline_exchange(tx: Tx, c: DeclineExchange) -> Result:
    exchange, p = answering(tx, c.exchange_id)
    exchange.decline(str(p.id), tx.meta())
    tx.save(exchange)
    return {"exchange_id": str(exchange.id), "version": exchange.version}
