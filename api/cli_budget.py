"""`collab budget`: a partnership's budget against its commitments, deliveries and
funding, as the operator reads it from the views (DESIGN §9)."""

from __future__ import annotations

import json

import click


@click.group()
def budget() -> None:
    """The budget view: per line and per funding source, the co-financing rate reached."""


@budget.command("show")
@click.argument("partnership_id")
def show(partnership_id: str) -> None:
    """Print the partnership's budget view as JSON (the current version; empty lines and
    sources when none was adopted). Exit 1 for an unknown partnership."""
    from api.cli_admin import operator
    from collab.domain import values as v
    from collab.domain.errors import CollabError
    from projections.budget import budget_view
    from projections.views import partnership_rows_from

    try:
        pid = v.identifier(partnership_id, "partnership_id")
    except CollabError as wrong:
        raise click.ClickException(wrong.message) from None
    with operator() as svc:
        svc.read.catch_up()  # the views as of now, whoever wrote last
        with svc.read.reader() as conn:  # an unknown partnership: "refused: no partnership"
            view = budget_view(partnership_rows_from(conn, svc.read.tables, pid))
    click.echo(json.dumps(view, indent=2, ensure_ascii=False, sort_keys=True))
