"""The form adopting a budget version under a passed `set_budget` decision (DESIGN §9):
its lines, its funding sources with what each puts on which line, and which commitments
go on which line and count as match funding for which source.

A route of the API as a form, run as `web.forms.submit` runs one: the steward's authority
first (the API's 404 or 403), then the API's schema (`POST /v1/partnerships/{id}/budget`)
and the same command. Without JavaScript, the lists are rows of plain inputs: a fixed number of
blank rows, and a "More rows" button that shows the form again with more. Blank rows are
dropped and the rows renumbered before the schema reads them, so a refusal names the row
the form shows again (web/budget_inputs.py). A refusal of the funds' rules (409) names a
line, a source or a commitment: the form marks that row's input too.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from api import authority
from api.schemas.budgets import AdoptBudget as AdoptBudgetBody
from collab.budgets.commands import AdoptBudget
from collab.commands import Outcome
from collab.domain import budget as b
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import STANDING
from web.budget_inputs import Rows, compacted, filled_from, placed, rows_of, with_defaults
from web.budget_pages import named_commitments, waiting_decisions
from web.forms import Refused, submit
from web.forms_agreement import ONE, acting_here, partnership_for
from web.frame import page, pages
from web.labels import label
from web.names import names_for
from web.partnership_pages import live_or_as_of

blp = pages("forms_budget")
SCHEMA = AdoptBudgetBody()


def choices(p: Partnership) -> dict[str, Any]:
    """The form's closed lists, as (code, label) pairs."""
    members = [o for o, m in p.members.items() if m.status in STANDING]
    names = names_for(members)
    orgs = sorted(((o, names("organisation", o) or o) for o in members), key=lambda x: x[1])
    variants = [
        (name, f"{label(name, 'budget_variant')} ({label(kind, 'source_kind')})")
        for kind in b.SOURCE_KINDS
        for name in b.rules_of(kind).get("variants") or {}
    ]
    return {
        "categories": [(c, label(c, "cost_category")) for c in b.CATEGORIES],
        "kinds": [(c, label(c, "source_kind")) for c in b.SOURCE_KINDS],
        "regions": [(c, label(c, "region_category")) for c in b.REGION_CATEGORIES],
        "variants": variants,
        "organisations": orgs,
    }


def commitment_choices(pid: str) -> list[tuple[str, str]]:
    """The partnership's commitments, by their names in words (what a match row picks)."""
    view, _at = live_or_as_of(pid, None)
    return sorted(named_commitments(view).items(), key=lambda pair: pair[1].casefold())


def show(p: Partnership, form: dict[str, str], rows: Rows, refused: Refused | None) -> str:
    return page(
        "budget_form.html",
        p=p,
        pid=str(p.id),
        form=with_defaults(form, rows),
        errors={} if refused is None else refused.errors,
        problem=None if refused is None else refused.problem,
        rows=rows,
        decisions=waiting_decisions(p),
        commitments=commitment_choices(str(p.id)),
        acting=acting_here(p),
        **choices(p),
    )


@blp.route(f"{ONE}/budget/new", methods=["GET", "POST"])
def adopt(partnership_id: str) -> ResponseReturnValue:
    """A steward adopts a budget version under a passed decision (the API's POST
    /v1/partnerships/{id}/budget), the form filled from the version in force."""
    p = partnership_for(partnership_id, authority.steward)
    pid = str(p.id)
    if request.method == "GET":
        form = filled_from(p.budget["budget"] if p.budget else None)
        form["decision_id"] = request.args.get("decision", "")
        return show(p, form, rows_of(form, more=False), None)
    form = compacted(request.form)
    if "more" in request.form:  # "More rows": the same input, more blank rows, nothing run
        kept = {k: form[k] for k in form if k not in ("csrf_token", "more")}
        return show(p, kept, rows_of(form, more=True), None)
    result = run(pid, form)
    if isinstance(result, Refused):
        kept = {k: form[k] for k in form if k != "csrf_token"}
        return show(p, kept, rows_of(form, more=False), result), result.status
    return redirect(f"/partnerships/{pid}/budget", 303)


def run(pid: str, form: MultiDict[str, str]) -> Outcome | Refused:
    """The command the form describes, as `web.forms.submit` runs a form's; a refusal of
    the funds' rules also marks the row it names (read from its own words)."""
    return submit(
        SCHEMA,
        lambda a: AdoptBudget(partnership_id=pid, **a),
        form,
        lambda message, text: placed(message, form, text),
    )
