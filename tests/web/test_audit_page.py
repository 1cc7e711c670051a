"""The audit page: the latest checkpoint, how to verify offline, and the export download,
which is the API's export for the same person, byte for byte."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership
from tests.web.conftest import Person

Browser = Callable[..., Person]


def two_partnerships(auth: Auth, client: FlaskClient) -> tuple[Setup, Setup]:
    """Given P (orgs a, b) and Q (another a, b), both active, and a checkpoint over both."""
    p = active_partnership(auth, client, ("a", "b"))
    q = active_partnership(auth, client, ("a", "b"))
    p.pledge("a")
    auth.service.audit.sealer.seal()
    return p, q


def api_export(client: FlaskClient, caller: Caller) -> bytes:
    response = client.get("/v1/audit/export", headers=caller.headers())
    assert response.status_code == 200, response.text
    return response.get_data()


def test_the_download_is_the_api_export_for_the_same_person(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given two partnerships, a checkpoint, an auditor granted P only, and an admin
    p, _ = two_partnerships(auth, client)
    size = auth.service.audit.sealer.seal().size
    for caller in (auth.auditor(p.partnership_id), auth.admin):
        # When the person downloads the export from the audit page
        response = person(caller).client.get("/audit/export")
        # Then it is the API's export for that person, as a file named by its size
        assert response.status_code == 200 and response.mimetype == "application/jsonl"
        expected = f'attachment; filename="collab-log-{size}.jsonl"'
        assert response.headers["Content-Disposition"] == expected
        assert response.get_data() == api_export(client, caller), caller.role
    # And the auditor's is partial: Q's leaves are bare hashes
    auditor = auth.auditor(p.partnership_id)
    assert b'"partial":true' in api_export(client, auditor)


def test_the_audit_page_shows_the_latest_checkpoint_and_how_to_verify(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    two_partnerships(auth, client)
    sealed = auth.service.audit.sealer.seal()
    checkpoint = client.get("/v1/audit/checkpoint", headers=auth.admin.headers()).json
    assert checkpoint is not None
    status, html = person(auth.auditor()).get("/audit")
    assert status == 200 and "<h1>Audit: the verifiable log</h1>" in html
    assert checkpoint["root"] in html and f"<dd>{checkpoint['size']}</dd>" in html
    assert checkpoint["origin"] in html and sealed.root in html
    assert f"collab-log-{sealed.size}.jsonl --pubkey" in html and 'href="/audit/export"' in html
    key_id = next(iter(auth.service.audit.keys.verifiers))
    assert f"{checkpoint['origin']}+{key_id}+" in html  # the verifier key line


@pytest.mark.parametrize("path", ["/audit", "/audit/export"])
def test_a_partner_or_a_broker_may_not_open_the_audit_pages(
    auth: Auth, client: FlaskClient, person: Browser, path: str
) -> None:
    setup = active_partnership(auth, client, ("a", "b"))
    auth.service.audit.sealer.seal()
    for caller in (setup.partners["a"], auth.broker):
        status, html = person(caller).get(path)
        assert status == 403 and "<h1>You may not do this</h1>" in html, caller.role


@pytest.fixture
def unsealed(memory_config: StoreConfig) -> Iterator[Flask]:
    app = make_app(memory_config, seal_interval=math.inf)
    yield app
    app.extensions["collab"].close()


def test_before_the_first_checkpoint_the_page_says_so_and_there_is_no_export(
    unsealed: Flask,
) -> None:
    admin = Person(unsealed, Auth(unsealed).admin).sign_in()
    status, html = admin.get("/audit")
    assert status == 200 and "No checkpoint has been signed yet" in html
    assert 'href="/audit/export"' not in html
    status, html = admin.get("/audit/export")
    assert status == 404 and "<h1>Not found</h1>" in html
