"""Explorer tests: the Flask test client over a real service, signed in as people do.

`Person.sign_in` goes through the real flow: a sign-in link issued for the actor, the
link followed, a sign-in name and passphrase set on the welcome form with its CSRF token.
The API's fixtures (`flask_app`, `auth`, `client`) are reused; pages and API share them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.service import Service
from collab.stores import StoreConfig
from tests.api import conftest as api_fixtures
from tests.api.conftest import Caller, make_app

# The API tier's fixtures, shared: pages and API run over the same service.
flask_app = api_fixtures.flask_app
auth = api_fixtures.auth
client = api_fixtures.client
embedded_app = api_fixtures.embedded_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSPHRASE = "a long enough passphrase"


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = CSRF_RE.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


class Person:
    """A browser-like client for one actor, signed in through a one-time link."""

    def __init__(self, app: Flask, caller: Caller) -> None:
        self.app, self.caller = app, caller
        self.client: FlaskClient = app.test_client()
        self.login = f"p{uuid.uuid4().hex[:10]}"

    @property
    def service(self) -> Service:
        svc: Service = self.app.extensions["collab"]
        return svc

    def sign_in(self) -> Person:
        svc = self.service
        token, _ = svc.people.issue_link(self.caller.actor_id, "test", svc.now(), 1)
        followed = self.client.get(f"/signin/link/{token}")
        assert followed.status_code == 303, followed.text
        form = self.client.get("/signin/welcome")
        assert form.status_code == 200, form.text
        done = self.client.post(
            "/signin/welcome",
            data={
                "csrf_token": csrf_of(form.text),
                "login": self.login,
                "passphrase": PASSPHRASE,
                "repeat": PASSPHRASE,
            },
        )
        assert done.status_code == 303, done.text
        return self

    def get(self, path: str) -> tuple[int, str]:
        response = self.client.get(path)
        return response.status_code, response.text

    def post(self, path: str, data: dict[str, str], *, from_page: str = "/") -> tuple[int, str]:
        """Post a form with the CSRF token of `from_page` (as a browser would)."""
        token = csrf_of(self.client.get(from_page).text)
        response = self.client.post(path, data={"csrf_token": token, **data})
        return response.status_code, response.text


@pytest.fixture
def person(flask_app: Flask) -> Iterator[Callable[[Caller], Person]]:
    """`person(caller)`: that caller signed in to the explorer."""

    def make(caller: Caller) -> Person:
        return Person(flask_app, caller).sign_in()

    yield make


@pytest.fixture
def durable_web(durable: StoreConfig) -> Iterator[Flask]:
    app = make_app(durable)
    yield app
    app.extensions["collab"].close()
