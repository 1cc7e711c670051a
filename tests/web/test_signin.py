"""Signing in as a person: links, passphrases, sessions in a table, CSRF, attempt limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.service import Service, Settings
from collab.actors.commands import DisableActor
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.stores import StoreConfig
from tests.api.conftest import Auth, make_app
from tests.application.conftest import Clock
from tests.web.conftest import PASSPHRASE, Person, csrf_of
from web import people as tables
from web.signin import PER_NAME

PER_ADDRESS = Settings.signin_address_limit  # COLLAB_SIGNIN_ADDRESS_LIMIT's default


def service_of(app: Flask) -> Service:
    svc: Service = app.extensions["collab"]
    return svc


def session_rows(svc: Service, actor_id: str | None = None) -> int:
    s = tables.sessions
    query = select(func.count()).select_from(s)
    if actor_id is not None:
        query = query.where(s.c.actor_id == actor_id)
    with svc.read.readers.connect() as conn:
        return int(conn.execute(query).scalar_one())


def sign_in_form(client: FlaskClient, login: str, passphrase: str, next: str = "/") -> object:
    token = csrf_of(client.get("/signin").text)
    data = {"csrf_token": token, "login": login, "passphrase": passphrase, "next": next}
    return client.post("/signin", data=data)


def test_a_link_sets_a_passphrase_once_and_signs_the_person_in(
    flask_app: Flask, auth: Auth
) -> None:
    # Given a link issued for a broker
    svc = service_of(flask_app)
    broker = auth.broker
    token, _ = svc.people.issue_link(broker.actor_id, OPERATOR.id, svc.now(), 1)
    client = flask_app.test_client()
    # When the broker follows it: the address without the token is shown
    followed = client.get(f"/signin/link/{token}")
    assert followed.headers["Location"] == "/signin/welcome"
    form = client.get("/signin/welcome")
    assert "choose how you sign in as <strong>broker</strong>" in form.text
    done = client.post(
        "/signin/welcome",
        data={
            "csrf_token": csrf_of(form.text),
            "login": "Bruno",
            "passphrase": PASSPHRASE,
            "repeat": PASSPHRASE,
        },
    )
    # Then the broker is signed in, with a session row of its own and the use recorded
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "(broker)" in client.get("/").text
    assert session_rows(svc, broker.actor_id) == 1
    assert [r["outcome"] for r in svc.people.recorded(broker.actor_id)] == ["link_used"]
    assert svc.people.login_of(broker.actor_id) == "bruno"  # case-folded
    # And the link does not work twice
    again = flask_app.test_client().get(f"/signin/link/{token}")
    assert again.status_code == 404 and "not valid" in again.text


def test_a_welcome_form_refusal_keeps_the_link_and_the_input(flask_app: Flask, auth: Auth) -> None:
    svc = service_of(flask_app)
    taken = Person(flask_app, auth.admin).sign_in()
    token, _ = svc.people.issue_link(auth.broker.actor_id, OPERATOR.id, svc.now(), 1)
    client = flask_app.test_client()
    client.get(f"/signin/link/{token}")
    csrf = csrf_of(client.get("/signin/welcome").text)
    short = client.post(
        "/signin/welcome",
        data={"csrf_token": csrf, "login": "bruno", "passphrase": "short", "repeat": "short"},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert 'value="bruno"' in short.text
    clash = client.post(
        "/signin/welcome",
        data={
            "csrf_token": csrf,
            "login": taken.login.upper(),
            "passphrase": PASSPHRASE,
            "repeat": PASSPHRASE,
        },
    )
    assert clash.status_code == 422 and "is taken" in clash.text
    # Nothing was spent: the link still works
    assert svc.people.link(tables.digest(token), svc.now()) is not None
    assert svc.people.login_of(auth.broker.actor_id) is None


def test_signing_in_with_name_and_passphrase_and_refusals_that_tell_nothing(
    flask_app: Flask, auth: Auth
) -> None:
    svc = service_of(flask_app)
    known = Person(flask_app, auth.broker).sign_in()
    client = flask_app.test_client()
    wrong = sign_in_form(client, known.login, "not the passphrase at all")
    unknown = sign_in_form(client, "nobody-here", "not the passphrase at all")
    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    message = "do not match an active account"
    assert message in wrong.text and message in unknown.text  # type: ignore[attr-defined]
    assert session_rows(svc, auth.broker.actor_id) == 1  # only the link's session
    good = sign_in_form(client, known.login.upper(), PASSPHRASE, next="/organisations")
    assert good.headers["Location"] == "/organisations"  # type: ignore[attr-defined]
    outcomes = [r["outcome"] for r in svc.people.recorded()]
    assert outcomes.count("refused") == 2 and outcomes[-1] == "signed_in"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_after_sign_in_only_this_site_is_a_destination(
    flask_app: Flask, auth: Auth, target: str
) -> None:
    known = Person(flask_app, auth.broker).sign_in()
    response = sign_in_form(flask_app.test_client(), known.login, PASSPHRASE, next=target)
    assert response.headers["Location"] == "/"  # type: ignore[attr-defined]


def test_a_visitor_writes_nothing_and_the_session_cookie_changes_on_sign_in(
    flask_app: Flask, auth: Auth
) -> None:
    svc = service_of(flask_app)
    client = flask_app.test_client()
    for _ in range(50):  # a bot fetching the sign-in form: no row anywhere
        client.get("/signin")
    assert session_rows(svc) == 0
    visit = client.get_cookie("collab_visit")  # the form's CSRF token, signed, in a cookie
    assert visit is not None and client.get_cookie("collab_session") is None
    known = Person(flask_app, auth.broker).sign_in()
    token = csrf_of(client.get("/signin").text)
    response = client.post(
        "/signin", data={"csrf_token": token, "login": known.login, "passphrase": PASSPHRASE}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("collab_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    assert any(c.startswith("collab_visit=;") for c in cookies)  # the visitor's cookie goes
    # And a CSRF token from before signing in is not one after it
    stale = client.post("/signout", data={"csrf_token": token})
    assert stale.status_code == 400 and session_rows(svc, auth.broker.actor_id) == 2


def test_over_tls_the_cookies_are_secure_with_the_host_prefix(flask_app: Flask) -> None:
    client = flask_app.test_client()
    response = client.get("/signin", base_url="https://collab.example")
    header = response.headers["Set-Cookie"]
    assert header.startswith("__Host-collab_visit=") and "Secure" in header
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_a_forged_visitor_cookie_is_ignored(flask_app: Flask) -> None:
    client = flask_app.test_client()
    client.set_cookie("collab_visit", "eyJjc3JmX3Rva2VuIjoieCJ9.forged.signature")
    form = client.get("/signin")
    response = client.post("/signin", data={"csrf_token": "x", "login": "a", "passphrase": "b"})
    assert form.status_code == 200 and response.status_code == 400


def test_sign_out_removes_the_session_row_and_the_cookie_stops_working(
    flask_app: Flask, auth: Auth
) -> None:
    svc = service_of(flask_app)
    signed = Person(flask_app, auth.broker).sign_in()
    cookie = signed.client.get_cookie("collab_session")
    assert cookie is not None
    status, _ = signed.post("/signout", {})
    assert status == 303
    assert session_rows(svc, auth.broker.actor_id) == 0
    replay = flask_app.test_client()
    replay.set_cookie("collab_session", cookie.value)
    assert replay.get("/").status_code == 302  # to the sign-in form


def test_a_forged_csrf_token_is_refused_and_changes_nothing(flask_app: Flask, auth: Auth) -> None:
    svc = service_of(flask_app)
    signed = Person(flask_app, auth.broker).sign_in()
    recorded = len(svc.people.recorded())
    response = signed.client.post("/signout", data={"csrf_token": "forged"})
    assert response.status_code == 400 and "could not be accepted" in response.text
    assert "nothing was changed" in response.text
    assert session_rows(svc, auth.broker.actor_id) == 1
    assert len(svc.people.recorded()) == recorded
    assert signed.client.get("/").status_code == 200  # still signed in


def test_a_disabled_actor_is_signed_out_on_its_next_page(flask_app: Flask, auth: Auth) -> None:
    svc = service_of(flask_app)
    signed = Person(flask_app, auth.broker).sign_in()
    svc.app.execute(Context(OPERATOR), DisableActor(actor_id=auth.broker.actor_id))
    assert signed.client.get("/").status_code == 302
    assert session_rows(svc, auth.broker.actor_id) == 0


def clocked_app(config: StoreConfig, clock: Clock) -> Flask:
    from api import create_app

    return create_app(Settings(store=config, mode="embedded", clock=clock))


def test_an_idle_session_expires(memory_config: StoreConfig) -> None:
    # Given a person signed in at 09:00, idle for more than 30 minutes (the default)
    clock = Clock()
    app = clocked_app(memory_config, clock)
    try:
        auth = Auth(app)
        signed = Person(app, auth.broker).sign_in()
        clock.now += timedelta(minutes=20)
        assert signed.client.get("/").status_code == 200  # active: the idle time restarts
        clock.now += timedelta(minutes=29)
        assert signed.client.get("/").status_code == 200
        clock.now += timedelta(minutes=31)
        # Then the next page asks them to sign in again, and the row is gone
        assert signed.client.get("/").status_code == 302
        assert session_rows(service_of(app), auth.broker.actor_id) == 0
    finally:
        service_of(app).close()


def test_a_session_ends_after_its_lifetime_however_busy(memory_config: StoreConfig) -> None:
    clock = Clock()
    app = clocked_app(memory_config, clock)
    try:
        signed = Person(app, Auth(app).broker).sign_in()
        for _ in range(12 * 4 - 1):  # a page every 15 minutes, for almost 12 hours
            clock.now += timedelta(minutes=15)
            assert signed.client.get("/").status_code == 200
        clock.now += timedelta(minutes=16)
        assert signed.client.get("/").status_code == 302
    finally:
        service_of(app).close()


def test_sign_in_attempts_are_counted_in_the_database_across_workers(
    durable: StoreConfig,
) -> None:
    # Given two workers (two services) over one database
    from api import create_app

    apps = [create_app(Settings(store=durable, mode="embedded")) for _ in range(2)]
    try:
        known = Person(apps[0], Auth(apps[0]).broker).sign_in()
        clients = [a.test_client() for a in apps]
        # When attempts at one name alternate between the workers
        statuses = [
            sign_in_form(clients[i % 2], known.login, "wrong passphrase!!").status_code  # type: ignore[attr-defined]
            for i in range(PER_NAME)
        ]
        limited = sign_in_form(clients[0], known.login, PASSPHRASE)
        # Then the limit counts their failures together: the right passphrase is refused
        # too, for now (a limit must not tell which guess would have worked)
        assert statuses == [401] * PER_NAME
        assert limited.status_code == 429  # type: ignore[attr-defined]
        assert int(limited.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
        assert "Too many sign-in attempts" in limited.text  # type: ignore[attr-defined]
        with service_of(apps[1]).read.readers.connect() as conn:
            a = tables.attempts
            counted = conn.execute(
                select(a.c.count).where(a.c.bucket == f"name:{known.login}")
            ).scalar_one()
        assert counted == PER_NAME
    finally:
        for a in apps:
            service_of(a).close()


def test_an_api_caller_never_gets_a_session(flask_app: Flask, auth: Auth) -> None:
    response = flask_app.test_client().get("/v1/actors/me", headers=auth.broker.headers())
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_odd_names_and_destinations_never_fail_the_sign_in(
    durable_web: Flask,
) -> None:
    # Given a sign-in name with NUL (PostgreSQL text refuses it) and a `next` with a newline
    client = durable_web.test_client()
    for login in ("ab\x00c", "\x00", "x" * 5000):
        response = sign_in_form(client, login, "whatever passphrase")
        assert response.status_code == 401  # type: ignore[attr-defined]
    known = Person(durable_web, Auth(durable_web).broker).sign_in()
    for target in ("/\r\nx", "/%0A", "/\tevil", "/ok?x=1\x7f"):
        response = sign_in_form(durable_web.test_client(), known.login, PASSPHRASE, next=target)
        assert response.status_code == 303  # type: ignore[attr-defined]
        assert response.headers["Location"] in ("/", "/%0A")  # type: ignore[attr-defined]
    assert known.client.get("/signin?next=/%0A").status_code == 302


def test_a_link_followed_while_signed_in_asks_first(flask_app: Flask, auth: Auth) -> None:
    # Given someone signed in, and a link issued for another person
    svc = service_of(flask_app)
    signed = Person(flask_app, auth.admin).sign_in()
    token, _ = svc.people.issue_link(auth.broker.actor_id, OPERATOR.id, svc.now(), 1)
    # When they follow it (a link on another site could make their browser do so)
    status, html = signed.get(f"/signin/link/{token}")
    # Then nothing happens until they say so
    assert status == 200 and "Sign out and use this link" in html
    assert signed.get("/")[0] == 200
    confirmed = signed.client.post(f"/signin/link/{token}", data={"csrf_token": csrf_of(html)})
    assert confirmed.headers["Location"] == "/signin/welcome"
    assert signed.client.get("/").status_code == 302  # signed out
    assert session_rows(svc, auth.admin.actor_id) == 0
    assert "choose how you sign in as <strong>broker</strong>" in signed.get("/signin/welcome")[1]


def test_the_request_log_never_holds_a_link(
    flask_app: Flask, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    svc = service_of(flask_app)
    token, _ = svc.people.issue_link(auth.broker.actor_id, OPERATOR.id, svc.now(), 1)
    with caplog.at_level("INFO", logger="collab.requests"):
        flask_app.test_client().get(f"/signin/link/{token}")
    assert caplog.records and all(token not in r.getMessage() for r in caplog.records)


def test_after_idling_out_the_sign_in_form_works_at_once(memory_config: StoreConfig) -> None:
    clock = Clock()
    app = clocked_app(memory_config, clock)
    try:
        signed = Person(app, Auth(app).broker).sign_in()
        clock.now += timedelta(minutes=31)
        form = signed.client.get("/signin")
        response = signed.client.post(
            "/signin",
            data={
                "csrf_token": csrf_of(form.text),
                "login": signed.login,
                "passphrase": PASSPHRASE,
            },
        )
        assert response.status_code == 303
        assert signed.client.get("/").status_code == 200
    finally:
        service_of(app).close()


def test_ipv6_clients_are_counted_by_their_64(flask_app: Flask, auth: Auth) -> None:
    statuses = []
    for host in range(PER_ADDRESS + 1):
        client = flask_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"2001:db8::{host + 1:x}"
        statuses.append(sign_in_form(client, f"name{host}", "a wrong passphrase").status_code)  # type: ignore[attr-defined]
    assert statuses[:PER_ADDRESS] == [401] * PER_ADDRESS and statuses[-1] == 429
    other = flask_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "2001:db8:0:1::1"
    assert sign_in_form(other, "someone", "a wrong passphrase").status_code == 401  # type: ignore[attr-defined]


def test_an_operator_sets_how_many_attempts_one_address_may_make(
    memory_config: StoreConfig,
) -> None:
    # Given a site allowing 3 sign-in attempts per address (COLLAB_SIGNIN_ADDRESS_LIMIT)
    assert Settings.from_env({"COLLAB_SIGNIN_ADDRESS_LIMIT": "3"}).signin_address_limit == 3
    with pytest.raises(ValueError, match="COLLAB_SIGNIN_ADDRESS_LIMIT"):
        Settings.from_env({"COLLAB_SIGNIN_ADDRESS_LIMIT": "0"})
    app = make_app(memory_config, signin_address_limit=3)
    try:
        client = app.test_client()
        statuses = [
            sign_in_form(client, f"name{n}", "a wrong passphrase").status_code  # type: ignore[attr-defined]
            for n in range(4)
        ]
        # Then the fourth is refused before any passphrase is checked
        assert statuses == [401, 401, 401, 429]
    finally:
        service_of(app).close()
