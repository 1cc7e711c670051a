"""What every explorer page shares: who is signed in, the CSRF check, rendering.

A page blueprint made by `pages()` loads the signed-in person from the session before
every view (an actor disabled since, or a session past its time, is signed out), sends
anyone else to the sign-in page, and checks the CSRF token of every form it receives.
Reads then go through `api.seen` and the views exactly as the JSON API's do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, redirect, render_template, request, session
from werkzeug.wrappers import Response

from api.http import wait_for_views
from api.seen import POSITION_RE
from api.service import service
from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError
from web.sessions import ServerSession


@dataclass(frozen=True)
class Person:
    """The signed-in person: its actor, display name and sign-in name."""

    actor: Actor
    name: str | None
    login: str | None

    @property
    def label(self) -> str:
        return self.name or self.login or self.actor.id


def person() -> Person | None:
    found: Person | None = g.get("person")
    return found


def the_session() -> ServerSession:
    current: ServerSession = session  # type: ignore[assignment]  # our interface's class
    return current


def load_person() -> None:
    """The session's person as `g.actor` (what `api.seen` reads), or nobody."""
    g.person = None
    held = the_session()
    if held.actor_id is None:
        return
    svc = service()
    try:
        binding = svc.app.get_binding(held.actor_id)
    except NotFoundError:
        binding = None
    if binding is None or not binding.active:
        held.end()
        return
    actor = binding.actor()
    g.actor = actor
    g.person = Person(actor, svc.credentials.name_of(actor.id), svc.people.login_of(actor.id))


def check_form() -> None:
    """Every form the explorer receives carries the session's CSRF token (Flask-WTF)."""
    if request.method == "POST":
        current_app.extensions["collab.csrf"].protect()


def require_person() -> Response | None:
    if person() is None:
        here = request.full_path.rstrip("?")
        return redirect("/signin?" + urlencode({"next": here}))
    return None


def pages(name: str, *, signed_in: bool = True) -> Blueprint:
    """A blueprint of explorer pages (for signed-in people only, unless `signed_in` is
    False)."""
    blp = Blueprint(f"web_{name}", __name__)  # the API has blueprints of the same names
    blp.before_request(load_person)
    blp.before_request(check_form)
    if signed_in:
        blp.before_request(require_person)
    return blp


def page(template: str, **context: Any) -> str:
    return render_template(template, person=person(), **context)


def views_reached() -> int:
    """Read-your-writes for pages, as the API's `min_position`: wait (bounded, then 503)
    for the views to reach the position a `min_position` query names, and the last one
    this person's own actions reached (kept in the session). The position reached."""
    wanted = [the_session().get("position", 0)]
    raw = request.args.get("min_position", "")
    if POSITION_RE.fullmatch(raw):
        wanted.append(min(int(raw), service().head()))
    return wait_for_views(max(int(w) for w in wanted) or None)


def acted_at(position: int) -> None:
    """Remember the log position of this person's latest action: their next page waits
    for the views to reach it (server mode)."""
    held = the_session()
    held["position"] = max(int(held.get("position", 0)), position)
