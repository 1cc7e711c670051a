"""`collab actors`, `tokens`, `grants`, `people`: the operator's commands (database access).

They act as the operator identity (`collab.actors.handlers.OPERATOR`, an admin), so the
role bindings and grants they record name "operator" as their actor.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import click

from api.service import Service, Settings
from collab.actors.commands import DisableActor, EnrolActor, GrantAudit, RemoveAuditGrant
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.domain.actor import ALL
from collab.domain.envelope import ROLES, Role
from collab.domain.errors import CollabError


def configured() -> Settings:
    """The settings from the environment; a misconfiguration says which, no traceback."""
    try:
        return Settings.from_env()
    except ValueError as wrong:
        raise click.ClickException(str(wrong)) from None


@contextmanager
def operator() -> Iterator[Service]:
    svc = Service(configured())
    try:
        yield svc
    except CollabError as refused:
        click.echo(f"refused: {refused.message}", err=True)
        sys.exit(1)
    finally:
        svc.close()


@click.group()
def actors() -> None:
    """Actors: people or services with one role."""


@actors.command("create")
@click.option("--name", required=True, help="display name (erasable; never in the log)")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organisation", "organisation_id", help="the organisation a partner acts for")
@click.option("--with-token", is_flag=True, help="also issue a token and print it")
def actors_create(name: str, role: str, organisation_id: str | None, with_token: bool) -> None:
    """Enrol an actor; prints its id (and a token with --with-token)."""
    with operator() as svc:
        command = EnrolActor(cast(Role, role), organisation_id)
        actor_id = svc.enrol(Context(OPERATOR), name, command).text("actor_id")
        click.echo(f"actor {actor_id} ({role})")
        if with_token:
            token, info = svc.issue_token(actor_id, "cli", None)
            click.echo(f"token {token} (expires {info.expires_at}; shown once)")


@actors.command("disable")
@click.argument("actor_id")
def actors_disable(actor_id: str) -> None:
    """Disable an actor: its tokens stop working at once."""
    with operator() as svc:
        svc.app.execute(Context(OPERATOR), DisableActor(actor_id))
        click.echo(f"actor {actor_id} disabled")


@click.group()
def tokens() -> None:
    """Bearer tokens: stored hashed, expiring, revocable."""


@tokens.command("create")
@click.option("--actor", "actor_id", required=True)
@click.option("--label", default="cli", show_default=True)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="lifetime (default COLLAB_TOKEN_DAYS; at most COLLAB_TOKEN_MAX_DAYS)",
)
def tokens_create(actor_id: str, label: str, days: int | None) -> None:
    """Issue a token for an actor; it is printed once and stored only as a hash."""
    with operator() as svc:
        token, info = svc.issue_token(actor_id, label, days)
        click.echo(f"token {token}")
        click.echo(f"id {info.token_id} expires {info.expires_at} (the token is shown once)")


@tokens.command("list")
@click.option("--actor", "actor_id", required=True)
def tokens_list(actor_id: str) -> None:
    """An actor's tokens: ids, labels, expiry and revocation; never the secrets."""
    with operator() as svc:
        svc.app.get_binding(actor_id)
        for t in svc.credentials.list(actor_id):
            state = f"revoked {t.revoked_at}" if t.revoked_at else f"expires {t.expires_at}"
            click.echo(f"{t.token_id} {t.label!r} created {t.created_at} {state}")


@tokens.command("revoke")
@click.option("--actor", "actor_id", required=True)
@click.option("--token", "token_id", required=True, help="the token's id (from `tokens list`)")
def tokens_revoke(actor_id: str, token_id: str) -> None:
    """Revoke one token of an actor."""
    with operator() as svc:
        if not svc.credentials.revoke(token_id, svc.now(), actor_id):
            click.echo(f"no live token {token_id} for actor {actor_id}", err=True)
            sys.exit(1)
        click.echo(f"token {token_id} revoked")


@click.group()
def grants() -> None:
    """Auditors' grants: every partnership, or a list of them."""


def _grant_target(partnership_id: str | None, every: bool) -> str:
    if every == (partnership_id is not None):
        raise click.UsageError("give exactly one of --partnership ID and --all")
    return ALL if every else str(partnership_id)


@grants.command("add")
@click.option("--auditor", "auditor_id", required=True)
@click.option("--partnership", "partnership_id")
@click.option("--all", "every", is_flag=True)
def grants_add(auditor_id: str, partnership_id: str | None, every: bool) -> None:
    """Let an auditor read one partnership, or all of them."""
    target = _grant_target(partnership_id, every)
    with operator() as svc:
        svc.app.execute(Context(OPERATOR), GrantAudit(auditor_id, target))
        click.echo(f"auditor {auditor_id} granted {target}")


@grants.command("remove")
@click.option("--auditor", "auditor_id", required=True)
@click.option("--partnership", "partnership_id")
@click.option("--all", "every", is_flag=True)
def grants_remove(auditor_id: str, partnership_id: str | None, every: bool) -> None:
    """Withdraw one of an auditor's grants."""
    target = _grant_target(partnership_id, every)
    with operator() as svc:
        svc.app.execute(Context(OPERATOR), RemoveAuditGrant(auditor_id, target))
        click.echo(f"auditor {auditor_id} no longer granted {target}")


@click.group()
def people() -> None:
    """People in the explorer: one-time sign-in links (docs/explorer.md)."""


@people.command("link")
@click.argument("actor_id")
def people_link(actor_id: str) -> None:
    """Print a one-time sign-in link for an actor (any older unused one stops working)."""
    with operator() as svc:
        token, expires_at = svc.issue_signin_link(OPERATOR, actor_id)
        click.echo(f"{svc.signin_url(token, default_base())}  (one use; until {expires_at})")


def default_base() -> str:
    """Where `collab serve` listens unless told otherwise (COLLAB_PUBLIC_URL wins)."""
    return f"http://{os.environ.get('COLLAB_BIND', '127.0.0.1:8000')}"


FIRST_ADMIN = "Administrator"


def first_admin_link(svc: Service, base: str) -> str | None:
    """On an install where no admin has set a passphrase yet: a sign-in link for the first
    admin (enrolled now if there is none), else None. `make run`'s two commands then lead
    to a browser."""
    from web.roster import enrolled

    if min(svc.read.follower.positions().values()) < svc.head():
        return None  # server mode, views behind: never enrol a second "first" admin
    with svc.read.reader() as conn:
        admins = [e for e in enrolled(conn, svc.read.tables) if e.role == "admin" and e.active]
    if any(svc.people.login_of(a.actor_id) for a in admins):
        return None
    if admins:
        actor_id = admins[0].actor_id
    else:
        command = EnrolActor("admin", None)
        actor_id = svc.enrol(Context(OPERATOR), FIRST_ADMIN, command).text("actor_id")
    token, _ = svc.issue_signin_link(OPERATOR, actor_id)
    return svc.signin_url(token, base)
