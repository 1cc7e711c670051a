"""Server-side sessions: Flask's `session` kept in a table, the cookie holding a random key.

Sign-out and idle expiry are real (the row goes; a stolen cookie stops working), and the
session key changes on sign-in (no fixation). The cookie is HttpOnly and SameSite=Lax,
and Secure with the `__Host-` prefix when the request came over TLS (directly, or through
a proxy that says so and is trusted: COLLAB_BEHIND_PROXY=1). The JSON API never reads or
writes a session: programs authenticate with bearer tokens only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from web.people import People

COOKIE = "collab_session"
SECURE_COOKIE = "__Host-collab_session"  # Secure, Path=/, no Domain: only this origin
# A session's last-seen time is written at most this often (not on every page).
TOUCH_EVERY = timedelta(seconds=60)


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
        self.token = token
        self.actor_id = actor_id
        self.modified = False
        self.rotate = False  # a new key (sign-in)
        self.ended = False  # the row goes (sign-out, expiry)
        self.touch = False  # the last-seen time is due

    def sign_in(self, actor_id: str) -> None:
        self.actor_id, self.rotate, self.modified = actor_id, True, True

    def restart(self) -> None:
        """A fresh, anonymous session under a new key (the old row goes)."""
        self.clear()
        self.actor_id, self.rotate, self.modified = None, True, True

    def end(self) -> None:
        self.clear()
        self.actor_id, self.ended = None, True


class DatabaseSessions(SessionInterface):
    """Flask's session interface over `People`'s sessions table."""

    def __init__(
        self, people: People, clock: Callable[[], datetime], idle: timedelta, lifetime: timedelta
    ) -> None:
        self.people, self.clock, self.idle, self.lifetime = people, clock, idle, lifetime

    def cookie_name(self, request: Request) -> str:
        return SECURE_COOKIE if request.is_secure else COOKIE

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if not is_page(request.path):
            return ServerSession()
        token = request.cookies.get(self.cookie_name(request), "")
        if not token or len(token) > 100:
            return ServerSession()
        stored = self.people.open_session(token)
        now = self.clock()
        if stored is None:
            return ServerSession()
        if now - stored.seen_at > self.idle or now - stored.created_at > self.lifetime:
            expired = ServerSession(token=token)
            expired.ended = True
            return expired
        found = ServerSession(stored.data, token, stored.actor_id)
        found.touch = now - stored.seen_at > TOUCH_EVERY
        return found

    def save_session(  # type: ignore[override]  # Flask types the session as SessionMixin
        self, app: Flask, session: ServerSession, response: Response
    ) -> None:
        request_secure = request.is_secure
        name = SECURE_COOKIE if request_secure else COOKIE
        if session.ended:
            if session.token is not None:
                self.people.end_session(session.token)
            response.delete_cookie(name, path="/", secure=request_secure, httponly=True)
            return
        now = self.clock()
        if session.token is None or session.rotate:
            if not session.modified:
                return  # nothing to keep: no row, no cookie
            token = secrets.token_urlsafe(32)
            self.people.save_session(
                token, session.actor_id, dict(session), now, self.lifetime, replaces=session.token
            )
            response.set_cookie(
                name,
                token,
                path="/",
                secure=request_secure,
                httponly=True,
                samesite="Lax",
            )
        elif session.modified or session.touch:
            self.people.update_session(
                session.token, dict(session) if session.modified else None, now
            )
        response.vary.add("Cookie")
