"""Signing in: a one-time link sets a sign-in name and passphrase; then name + passphrase.

Attempts are counted in the database (every worker and host shares the count): every
attempt per client address (an IPv6 client by its /64), failed ones per sign-in name;
past a limit the answer is 429 with Retry-After and no passphrase is checked. Sign-ins,
refusals, link uses and sign-outs are recorded in `collab_signins`, outside the event log.
A link's token is kept only as its digest, in the visitor's signed cookie, and leaves the
address bar at once.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import g, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api.credentials import digest
from api.errors import ApiProblem
from api.service import service
from collab.domain.errors import NotFoundError
from web.frame import page, pages, the_session
from web.people import PASSPHRASE_MAX, PASSPHRASE_MIN, login_name, passphrase_problem

blp = pages("signin", signed_in=False)
WINDOW_SECONDS = 15 * 60
PER_NAME = 10  # failed attempts at one sign-in name per window
UNUSABLE = "(unusable name)"  # what the record says of a name that is no sign-in name


def remote() -> str:
    """The client's address as the limits count it: IPv6 clients by their /64 (one
    subscriber's whole allocation)."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def too_many(bucket: str) -> ApiProblem:
    return ApiProblem(
        429,
        "too-many-attempts",
        _("Too many sign-in attempts. Wait a few minutes, then try again."),
        headers={"Retry-After": str(WINDOW_SECONDS)},
    )


def count_address() -> None:
    """Count this attempt from this address; 429 past the limit (recorded once a window)."""
    svc, bucket = service(), f"addr:{remote()}"
    counted = svc.people.count(bucket, svc.now(), WINDOW_SECONDS)
    limit = svc.settings.signin_address_limit  # attempts from one address per window
    if counted > limit:
        if counted == limit + 1:
            svc.people.record(svc.now(), bucket, "limited", remote())
        raise too_many(bucket)


def check_name(login: str) -> None:
    """429 when this name has failed too often this window (a right passphrase too: the
    limit must not tell a guess that would have worked)."""
    svc = service()
    if svc.people.counted(f"name:{login}", svc.now(), WINDOW_SECONDS) >= PER_NAME:
        raise too_many(f"name:{login}")


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect, nothing
    a Location header could not carry)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    if not raw.isprintable() or any(ch.isspace() for ch in raw) or len(raw) > 2000:
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
    given = login_name(raw)
    target = safe_next(request.form.get("next"))
    count_address()
    if given is not None:
        check_name(given)
    found = svc.people.check_passphrase(given or "", request.form.get("passphrase", ""))
    if found is not None and not active(found):
        found = None
    if found is None:
        if given is not None:
            svc.people.count(f"name:{given}", svc.now(), WINDOW_SECONDS)
        svc.people.record(svc.now(), given or UNUSABLE, "refused", remote())
        error = _("That sign-in name and passphrase do not match an active account.")
        return page("signin.html", next=target, login=raw, error=error), 401
    the_session().sign_in(found)
    svc.people.record(svc.now(), given or UNUSABLE, "signed_in", remote(), found)
    return redirect(target, 303)


def active(actor_id: str) -> bool:
    try:
        return service().app.get_binding(actor_id).active
    except NotFoundError:
        return False


def valid_link(token: str) -> str | None:
    """The digest of a usable link for an active actor, or None."""
    svc = service()
    if len(token) > 100:
        return None
    found = svc.people.link(digest(token), svc.now())
    return digest(token) if found is not None and active(found.actor_id) else None


@blp.route("/signin/link/<token>", methods=["GET"])
def follow_link(token: str) -> tuple[str, int] | Response:
    """A sign-in link: its digest kept in the visitor's session, then the address without
    the token. Someone signed in is asked first (a link from elsewhere must not sign
    them out)."""
    held = valid_link(token)
    if held is None:
        return page("link_spent.html"), 404
    if g.person is not None:
        return page("link_confirm.html", token=token), 200
    the_session()["link"] = held
    return redirect("/signin/welcome", 303)


@blp.route("/signin/link/<token>", methods=["POST"])
def switch_to_link(token: str) -> tuple[str, int] | Response:
    """Signed in, and sure: end this session and go on with the link."""
    held = valid_link(token)
    if held is None:
        return page("link_spent.html"), 404
    session = the_session()
    session.restart()
    session["link"] = held
    return redirect("/signin/welcome", 303)


def welcome_page(error: dict[str, str] | None = None, login: str = "") -> tuple[str, int]:
    svc = service()
    held = the_session().get("link")
    found = svc.people.link(held, svc.now()) if isinstance(held, str) else None
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
    count_address()
    raw = request.form.get("login", "")
    passphrase = request.form.get("passphrase", "")
    login = login_name(raw)
    errors = refusals(login, passphrase, request.form.get("repeat", ""))
    if errors or login is None:
        return welcome_page(errors, raw)
    actor_id, why = svc.people.use_link(the_session().get("link", ""), login, passphrase, svc.now())
    if why == "login":
        return welcome_page({"login": _("Sign-in name is taken: choose another.")}, raw)
    if actor_id is None:
        return page("link_spent.html"), 404
    the_session().sign_in(actor_id)
    svc.people.record(svc.now(), login, "link_used", remote(), actor_id)
    return redirect("/", 303)


def refusals(login: str | None, passphrase: str, repeat: str) -> dict[str, str]:
    """Why the chosen sign-in name and passphrase are refused, per field, in words."""
    errors: dict[str, str] = {}
    if login is None:
        errors["login"] = _("Sign-in name must be 3 to 64 characters, without spaces.")
    if passphrase_problem(passphrase) is not None:
        errors["passphrase"] = (
            _("Passphrase must be at least %(count)s characters.", count=PASSPHRASE_MIN)
            if len(passphrase) < PASSPHRASE_MIN
            else _("Passphrase must be at most %(count)s characters.", count=PASSPHRASE_MAX)
        )
    elif passphrase != repeat:
        errors["repeat"] = _("The repeated passphrase does not match the passphrase.")
    return errors


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
