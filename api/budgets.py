"""Budgets (DESIGN §9): a partnership's budget version adopted by decision, the one view of
budget against committed against delivered against funded, and the funds' rules.

The view follows the partnership's content: 404 for a caller who sees only an invitation
or nothing; a former member sees it as at its exit.
"""

from __future__ import annotations

from api import authority
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run, wait_for_views
from api.schemas import budgets as s
from api.schemas.common import Outcome
from api.schemas.views import ViewQuery
from api.seen import content_on, path_content, read, viewer
from api.service import service
from api.views import as_of_position
from collab.budgets.commands import AdoptBudget
from collab.domain import budget, reference
from collab.domain import values as v
from projections.asof import rows_as_of
from projections.budget import budget_for, budget_view

blp = Blueprint("budgets", __name__, url_prefix="/v1", description=__doc__)
BUDGET = "/partnerships/<partnership_id>/budget"


@blp.route(BUDGET, methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.AdoptBudget)
@blp.response(201, Outcome)
def adopt(body: Body, partnership_id: str) -> Reply:
    """A steward adopts a budget version under the partnership's passed `set_budget`
    decision; it replaces the version before it (earlier ones stay in the history)."""
    return run(body, lambda a: AdoptBudget(partnership_id, **a))


@blp.route(BUDGET, methods=["GET"])
@before_body(path_content)
@blp.arguments(ViewQuery, location="query")
@blp.response(200, s.BudgetView)
def show(query: Body, partnership_id: str) -> dict[str, object]:
    """Budget, committed, delivered and funded per line and per funding source, with the
    co-financing rate reached; live, or as of a log position or a time."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    position = as_of_position(query)
    app = service().app
    if position is None:
        who = viewer()
        return read(lambda c, t: budget_for(c, t, who, pid, lambda p, n: rows_as_of(app, p, n)))
    until = content_on(pid).until
    return budget_view(rows_as_of(app, pid, position if until is None else min(position, until)))


@blp.route("/budget-rules", methods=["GET"])
@blp.response(200, s.BudgetRules)
def rules() -> dict[str, object]:
    """The funding sources' rules as recorded (co-financing ceilings per region category,
    in kind, the in-kind ceiling; each value with its article and `verified`), and the
    budget's vocabularies."""
    found = {name: list(values) for name, values in budget.vocabularies().items()}
    return {"rules": reference.fund_rules(), "vocabularies": found}
