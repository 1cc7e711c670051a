"""Sessions: a person's in a table, a visitor's in a signed cookie.

A signed-in person's session is a row (`People`'s sessions table) whose key, 32 random
bytes, is the cookie's value: sign-out and idle expiry are real (the row goes; a copied
cookie stops working), and the key changes on sign-in (no fixation). Before signing in,
a visitor's session (the sign-in form's CSRF token, a followed link's digest) lives in a
cookie signed with `keys/session.secret` and expires with the idle time: anonymous
requests never write to the database. Cookies are HttpOnly and SameSite=Lax, and Secure
with the `__Host-` prefix when the request came over TLS (directly, or through a proxy that
says so and is trusted: COLLAB_BEHIND_PROXY=1). The JSON API never reads or writes a
session: programs authenticate with bearer tokens only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from web.people import People, StoredSession

COOKIE, VISIT = "collab_session", "collab_visit"
SECURE = "__Host-"  # Secure, Path=/, no Domain: only this origin
# A session's last-seen time is written at most this often (not on every page).
TOUCH_EVERY = timedelta(seconds=60)
# What a session keeps only until the person signs in (a new session starts clean).
BEFORE_SIGN_IN = ("csrf_token", "link")


def is_page(path: str) -> bool:
    """Whether a path is the explorer's (HTML for people), not the API's or a probe's."""
    return not path.startswith(("/v1/", "/healthz", "/readyz")) and path != "/v1"


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's data, and what should happen to its row when the response goes."""

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        token: str | None = None,
        actor_id: str | None = None,
    ) -> None:
        def changed(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, changed)
        self.token = token  # the row's key, for a signed-in person
        self.actor_id = actor_id
        self.modified = False
        self.rotate = False  # a new row and key (sign-in)
        self.ended = False  # the row and every cookie go (sign-out)
        self.drop: str | None = None  # a row to delete (expired, or left for a link)
        self.touch = False  # the last-seen time is due

    def sign_in(self, actor_id: str) -> None:
        for name in BEFORE_SIGN_IN:  # a token seen before sign-in is not one after it
            self.pop(name, None)
        self.actor_id, self.rotate, self.modified = actor_id, True, True

    def restart(self) -> None:
        """Continue as a visitor: the signed-in row goes, the data with it."""
        self.drop, self.token, self.actor_id = self.token, None, None
        self.clear()
        self.modified = True

    def end(self) -> None:
        self.clear()
        self.actor_id, self.ended = None, True


class DatabaseSessions(SessionInterface):
    """Flask's session interface: rows for people, signed cookies for visitors."""

    def __init__(
        self,
        people: People,
        clock: Callable[[], datetime],
        idle: timedelta,
        lifetime: timedelta,
        secret: bytes,
    ) -> None:
        self.people, self.clock, self.idle, self.lifetime = people, clock, idle, lifetime
        self.visits = URLSafeTimedSerializer(secret, salt="collab-visit")

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if not is_page(request.path):
            return ServerSession()
        token = request.cookies.get(name(COOKIE), "")
        if token and len(token) <= 100:
            stored = self.people.open_session(token)
            now = self.clock()
            if stored is not None and stored.actor_id is not None and self.live(stored, now):
                found = ServerSession(stored.data, token, stored.actor_id)
                found.touch = now - stored.seen_at > TOUCH_EVERY
                return found
            expired = ServerSession()  # signed out: the row (if any) and the cookie go
            expired.drop = token
            return expired
        return ServerSession(self.visit(request.cookies.get(name(VISIT), "")))

    def live(self, stored: StoredSession, now: datetime) -> bool:
        """Neither idle too long nor past its lifetime."""
        return now - stored.seen_at <= self.idle and now - stored.created_at <= self.lifetime

    def visit(self, cookie: str) -> dict[str, Any]:
        """A visitor's data from its signed cookie (nothing if forged or idle too long)."""
        if not cookie or len(cookie) > 1000:
            return {}
        try:
            data = self.visits.loads(cookie, max_age=int(self.idle.total_seconds()))
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def save_session(  # type: ignore[override]  # Flask types the session as SessionMixin
        self, app: Flask, session: ServerSession, response: Response
    ) -> None:
        if not is_page(request.path):
            return
        secure = request.is_secure
        if session.drop is not None or session.ended:
            self.people.end_session(session.drop or session.token or "")
            response.delete_cookie(name(COOKIE), path="/", secure=secure, httponly=True)
        if session.ended:
            response.delete_cookie(name(VISIT), path="/", secure=secure, httponly=True)
        elif session.actor_id is not None:
            self.save_person(session, response, secure)
        elif session.modified:
            response.set_cookie(
                name(VISIT),
                self.visits.dumps(dict(session)),
                max_age=int(self.idle.total_seconds()),
                path="/",
                secure=secure,
                httponly=True,
                samesite="Lax",
            )
        response.vary.add("Cookie")

    def save_person(self, session: ServerSession, response: Response, secure: bool) -> None:
        now = self.clock()
        if session.token is None or session.rotate:
            token = secrets.token_urlsafe(32)
            self.people.save_session(
                token,
                session.actor_id,
                dict(session),
                now,
                self.lifetime,
                idle=self.idle,
                replaces=session.token,
            )
            cookie = {"path": "/", "secure": secure, "httponly": True, "samesite": "Lax"}
            response.set_cookie(name(COOKIE), token, **cookie)  # type: ignore[arg-type]
            response.delete_cookie(name(VISIT), path="/", secure=secure, httponly=True)
        elif session.modified or session.touch:
            data = dict(session) if session.modified else None
            self.people.update_session(session.token, data, now)


def name(cookie: str) -> str:
    """A cookie's name on this request: with the `__Host-` prefix over TLS."""
    return SECURE + cookie if request.is_secure else cookie
