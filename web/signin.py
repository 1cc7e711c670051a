"""Signing in: a one-time link sets a sign-in name and passphrase; then name + passphrase.

Attempts are counted in the database per remote address and per sign-in name (every
worker and host shares the count); past the limit the answer is 429 with Retry-After,
and no passphrase is checked. Sign-ins, refusals, link uses and sign-outs are recorded in
`collab_signins`, outside the event log.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g, redirect, request
from werkzeug.wrappers import Response

from api.errors import ApiProblem
from api.service import service
from collab.domain.errors import NotFoundError
from web.frame import page, pages, the_session
from web.people import login_name, passphrase_problem

blp = pages("signin", signed_in=False)
WINDOW_SECONDS = 15 * 60
PER_ADDRESS = 30  # attempts from one address per window
PER_NAME = 10  # attempts at one sign-in name per window


def remote() -> str:
    return request.remote_addr or "unknown"


def limit(*buckets: tuple[str, int]) -> None:
    """Count this attempt; 429 (nothing else done) once any bucket is past its limit."""
    svc = service()
    for bucket, most in buckets:
        if svc.people.count([bucket], svc.now(), WINDOW_SECONDS) > most:
            svc.people.record(svc.now(), bucket, "limited", remote())
            raise ApiProblem(
                429,
                "too-many-attempts",
                "Too many sign-in attempts. Wait a few minutes, then try again.",
                headers={"Retry-After": str(WINDOW_SECONDS)},
            )


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    parts = urlsplit(raw)
    return "/" if parts.scheme or parts.netloc else raw


@blp.route("/signin", methods=["GET"])
def signin_form() -> str | Response:
    """The sign-in form (signed-in people go home)."""
    if g.person is not None:
        return redirect(safe_next(request.args.get("next")))
    return page("signin.html", next=safe_next(request.args.get("next")), login="", error=None)


@blp.route("/signin", methods=["POST"])
def signin() -> tuple[str, int] | Response:
    svc = service()
    raw = request.form.get("login", "")
    given = login_name(raw) or ""
    target = safe_next(request.form.get("next"))
    limit((f"addr:{remote()}", PER_ADDRESS), (f"name:{given}", PER_NAME))
    actor_id = svc.people.check_passphrase(given, request.form.get("passphrase", ""))
    if actor_id is not None and not active(actor_id):
        actor_id = None
    if actor_id is None:
        svc.people.record(svc.now(), given or raw[:64], "refused", remote())
        error = "That sign-in name and passphrase do not match an active account."
        return page("signin.html", next=target, login=raw, error=error), 401
    the_session().sign_in(actor_id)
    svc.people.record(svc.now(), given, "signed_in", remote(), actor_id)
    return redirect(target, 303)


def active(actor_id: str) -> bool:
    try:
        return service().app.get_binding(actor_id).active
    except NotFoundError:
        return False


@blp.route("/signin/link/<token>", methods=["GET"])
def follow_link(token: str) -> tuple[str, int] | Response:
    """A sign-in link: kept in the session, then the address without it is shown."""
    svc = service()
    found = svc.people.link(token, svc.now()) if len(token) <= 100 else None
    if found is None or not active(found.actor_id):
        return page("link_spent.html"), 404
    held = the_session()
    if held.actor_id is not None:  # someone else's session in this browser: not theirs
        held.restart()
    held["link"] = token
    return redirect("/signin/welcome", 303)


def welcome_page(error: dict[str, str] | None = None, login: str = "") -> tuple[str, int]:
    svc = service()
    token = the_session().get("link")
    found = svc.people.link(token, svc.now()) if token else None
    if found is None:
        return page("link_spent.html"), 404
    binding = svc.app.get_binding(found.actor_id)
    shown = login or svc.people.login_of(found.actor_id) or ""
    return page(
        "welcome.html",
        name=svc.credentials.name_of(found.actor_id),
        role=binding.role,
        expires_at=found.expires_at,
        login=shown,
        errors=error or {},
    ), (200 if error is None else 422)


@blp.route("/signin/welcome", methods=["GET"])
def welcome() -> tuple[str, int]:
    """Choose a sign-in name and passphrase (the link's one use)."""
    return welcome_page()


@blp.route("/signin/welcome", methods=["POST"])
def set_passphrase() -> tuple[str, int] | Response:
    svc = service()
    limit((f"addr:{remote()}", PER_ADDRESS))
    raw = request.form.get("login", "")
    passphrase = request.form.get("passphrase", "")
    errors: dict[str, str] = {}
    login = login_name(raw)
    if login is None:
        errors["login"] = "must be 3 to 64 characters, without spaces"
    problem = passphrase_problem(passphrase)
    if problem is not None:
        errors["passphrase"] = problem
    elif passphrase != request.form.get("repeat", ""):
        errors["repeat"] = "does not match the passphrase"
    if errors or login is None:
        return welcome_page(errors, raw)
    token = the_session().get("link", "")
    actor_id, why = svc.people.use_link(token, login, passphrase, svc.now())
    if why == "login":
        return welcome_page({"login": "is taken: choose another"}, raw)
    if actor_id is None:
        return page("link_spent.html"), 404
    held = the_session()
    held.pop("link", None)
    held.sign_in(actor_id)
    svc.people.record(svc.now(), login, "link_used", remote(), actor_id)
    return redirect("/", 303)


@blp.route("/signout", methods=["POST"])
def signout() -> Response:
    """End the session: its row goes, its cookie with it."""
    svc = service()
    if g.person is not None:
        svc.people.record(
            svc.now(), g.person.login or "", "signed_out", remote(), g.person.actor.id
        )
    the_session().end()
    return redirect("/signin?signed_out=1", 303)
