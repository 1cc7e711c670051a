"""Handlers of budgets: load the partnership and the commitments the budget names, call
one method, save."""

from __future__ import annotations

from collab.budgets.commands import AdoptBudget
from collab.commands import Result
from collab.domain import budget
from collab.domain.commitment import Commitment
from collab.domain.errors import NotFoundError, RuleViolationError
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.partnerships.handlers import result
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(AdoptBudget)
def adopt_budget(tx: Tx, c: AdoptBudget) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.check_steward(acting)  # authority before the work of loading commitments
    check_organisations(tx, c.budget["sources"])
    facts = commitment_facts(tx, p, [m["commitment_id"] for m in c.budget["match"]])
    number = p.adopt_budget(c.budget, c.decision_id, facts, acting, tx.meta())
    tx.save(p)
    return result(p, budget_number=number)


def check_organisations(tx: Tx, sources: list[budget.Record]) -> None:
    """A source names a registered organisation, if any (409: the body names it)."""
    for s in sources:
        if s["organisation_id"] is not None:
            try:
                tx.get(Organisation, s["organisation_id"])
            except NotFoundError:
                raise RuleViolationError(
                    f"source {s['source_id']} names no registered organisation"
                ) from None


def commitment_facts(tx: Tx, p: Partnership, ids: list[str]) -> dict[str, budget.Record]:
    """What the budget checks of each commitment it names: only those pledged in this
    partnership are loaded (its markers), so a foreign id is never read."""
    found = {}
    for cid in ids:
        if cid in p.commitments:
            x = tx.get(Commitment, cid)
            found[cid] = budget.fact(x.partnership_id, x.status, x.contribution_type, x.valuation)
    return found
