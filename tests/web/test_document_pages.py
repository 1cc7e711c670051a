"""A partnership's documents in the explorer: the list a person sees, downloads (the API's
bytes and headers; a file altered on disk never served, the page saying so), the upload
form (multipart with its CSRF token; bad input is the form again with its message, never
a 500), and documents listed in draft terms, shown on the sign page before its button.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.agreements.commands import OpenForSignature
from collab.documents.store import DocumentStore
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.web.conftest import Person, csrf_of
from tests.web.test_forms_agreement import draft_form, inputs, negotiating, versions

People = Callable[[Caller], Person]
PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 50
TEXT = "Ata da assembleia — نص".encode()
NOTHING = "Nothing was recorded."


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


def store_of(setup: Setup) -> DocumentStore:
    store: DocumentStore = setup.auth.service.documents
    return store


def upload(
    who: Person, setup: Setup, data: bytes | None, filename: str = "minutes.pdf", **form: str
) -> tuple[int, str]:
    """Post the upload form as a browser does: multipart, with the page's CSRF token."""
    url = f"{setup.url}/documents/new"
    body: dict[str, Any] = {"csrf_token": csrf_of(who.client.get(url).text)}
    body.update({"about": "need_assessment", **form})
    if data is not None:
        body["file"] = (io.BytesIO(data), filename, "text/html")
    response = who.client.post(url, data=body, content_type="multipart/form-data")
    return response.status_code, response.text


def test_a_member_uploads_on_the_form_and_a_fellow_member_sees_and_downloads_it(
    setup: Setup, person: People
) -> None:
    # Given member a on the upload form, which says the size limit
    a = person(setup.partners["a"])
    status, page = a.get(f"{setup.url}/documents/new")
    assert status == 200 and 'enctype="multipart/form-data"' in page and "At most 50 MB" in page
    # When it uploads a PDF documenting version 1 of the agreement
    status, _ = upload(a, setup, PDF, "annex.pdf", about="agreement_version:1")
    assert status == 303
    sha = hashlib.sha256(PDF).hexdigest()
    # Then member b sees it listed: name, type, size, hash, what it documents, who, a link
    b = person(setup.partners["b"])
    status, page = b.get(f"{setup.url}/documents")
    assert status == 200
    row = re.search(rf'<tr id="document-{sha}">(.*?)</tr>', page, re.S)
    assert row is not None, page
    shown = row.group(1)
    assert "annex.pdf" in shown and "application/pdf" in shown and sha in shown
    assert f'href="{setup.url}#version-1"' in shown and "Agreement version 1" in shown
    assert f'href="{setup.url}/documents/{sha}"' in shown
    # And downloads the same bytes, with the API's headers
    got = b.client.get(f"{setup.url}/documents/{sha}")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("inline;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Length"] == str(len(PDF))


def test_anything_but_an_image_or_a_pdf_downloads_as_an_attachment(
    setup: Setup, person: People
) -> None:
    a = person(setup.partners["a"])
    status, _ = upload(a, setup, TEXT, "ata.txt", name="Ata nº 3.txt")
    assert status == 303
    got = a.client.get(f"{setup.url}/documents/{hashlib.sha256(TEXT).hexdigest()}")
    assert got.status_code == 200 and got.data == TEXT
    assert got.headers["Content-Type"] == "application/octet-stream"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Ata%20n%C2%BA%203.txt" in disposition
    assert got.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_altered_on_disk_is_not_served_and_the_page_says_so(
    setup: Setup, person: People
) -> None:
    a = person(setup.partners["a"])
    upload(a, setup, PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    store_of(setup).path_of(sha).write_bytes(PDF.replace(b"obj", b"job", 1))
    got = a.client.get(f"{setup.url}/documents/{sha}")
    assert got.status_code == 500
    assert got.mimetype == "text/html"
    assert b"job" not in got.data
    assert "no longer match the SHA-256 hash recorded" in got.text
    store_of(setup).path_of(sha).unlink()
    missing = a.client.get(f"{setup.url}/documents/{sha}")
    assert missing.status_code == 500 and "missing from the document store" in missing.text


def test_a_person_who_does_not_see_the_partnership_gets_not_found(
    setup: Setup, person: People
) -> None:
    a = person(setup.partners["a"])
    upload(a, setup, PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    outsider = person(setup.auth.actor("partner", setup.org("outsider")))
    for path in ("documents", f"documents/{sha}", "documents/new"):
        status, page = outsider.get(f"{setup.url}/{path}")
        assert status == 404, path
        assert "minutes.pdf" not in page and "Upload the document" not in page
    # An unknown hash, and a hash that is no hash, for a member: not found, or a 422 page
    assert a.get(f"{setup.url}/documents/{'0' * 64}")[0] == 404
    assert a.get(f"{setup.url}/documents/not-a-hash")[0] == 422
    # An auditor without a grant sees nothing either; signed out: the sign-in page
    assert setup.client.get(f"{setup.url}/documents").status_code in (302, 303)


def test_bad_upload_input_is_the_form_again_with_its_message(setup: Setup, person: People) -> None:
    a = person(setup.partners["a"])
    before = setup.head()
    # No file chosen
    status, page = upload(a, setup, None)
    assert status == 422 and NOTHING in page and "Choose the file to upload" in page
    # An empty file
    status, page = upload(a, setup, b"")
    assert status == 422 and NOTHING in page
    # What it documents: not one of the choices offered
    for about in ("", "delivery:nope", "agreement_version:99", "x" * 5000, "need_assessment\x00"):
        status, page = upload(a, setup, PDF, about=about)
        assert status == 422, about
        assert NOTHING in page and "Choose what the document documents" in page
    # A name with a slash: the command's own check, beside the name input
    status, page = upload(a, setup, PDF, name="../etc/passwd")
    assert status == 422 and NOTHING in page and 'id="f-name-error"' in page
    # Without the CSRF token: refused, nothing recorded
    response = a.client.post(
        f"{setup.url}/documents/new",
        data={"about": "need_assessment", "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert setup.head() == before
    assert [p for p in store_of(setup).root.rglob("*") if p.is_file()] == []


def test_an_auditor_sees_no_upload_form(setup: Setup, person: People) -> None:
    auditor = setup.auth.actor("auditor")
    setup.client.post(
        f"/v1/actors/{auditor.actor_id}/grants",
        json={"partnership_id": setup.partnership_id},
        headers=setup.auth.admin.headers(),
    )
    seen = person(auditor)
    status, page = seen.get(f"{setup.url}/documents")
    assert status == 200 and "Upload the document" not in page
    assert seen.get(f"{setup.url}/documents/new")[0] in (403, 404)


def test_a_file_past_the_size_limit_is_the_form_saying_the_limit(
    memory_config: StoreConfig,
) -> None:
    app = make_app(memory_config, max_document_bytes=1000)
    try:
        setup = active_partnership(Auth(app), app.test_client())
        a = Person(app, setup.partners["a"]).sign_in()
        before = setup.head()
        status, page = upload(a, setup, b"x" * 1001)
        assert status == 413 and NOTHING in page
        assert "larger than the limit of 1,000 bytes" in page
        # A body far past the limit is refused before it is read: the same form
        status, page = upload(a, setup, b"x" * 400_000)
        assert status == 413 and "larger than the limit of 1,000 bytes" in page
        assert setup.head() == before
        assert upload(a, setup, b"x" * 1000)[0] == 303
    finally:
        app.extensions["collab"].close()


def test_delivery_evidence_is_uploaded_from_a_link_naming_the_delivery(
    setup: Setup, person: People
) -> None:
    cid = setup.pledge("b")
    did = setup.deliver("b", cid)
    b = person(setup.partners["b"])
    about = f"delivery:{cid}/{did}"
    status, page = b.get(f"{setup.url}/documents/new?about={about}")
    assert status == 200 and inputs(page)["about"] == about
    assert upload(b, setup, PDF, "evidence.pdf", about=about)[0] == 303
    listed = setup.client.get(
        f"/v1{setup.url}/documents", headers=setup.partners["c"].headers()
    ).json
    assert listed is not None
    (entry,) = listed["attached"]
    assert entry["about"] == {"documents": "delivery", "commitment_id": cid, "delivery_id": did}


def test_a_steward_lists_an_annex_in_the_draft_and_the_sign_page_shows_it(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership with no text yet, and an annex the broker uploaded
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    status, page = broker.get(url)
    assert "Upload an annex" in page
    status, _ = upload(broker, setup, PDF, "annex.pdf", about="need_assessment")
    assert status == 303
    sha = hashlib.sha256(PDF).hexdigest()
    # When the broker drafts, ticking the annex offered on the terms form
    status, page = broker.get(url)
    assert f'value="{sha}"' in page and "annex.pdf" in page
    form = draft_form(setup, **{"terms.documents.0.sha256": sha})
    status, _ = broker.post(url, form, from_page=url)
    assert status == 303
    (version,) = versions(setup)["items"]
    assert version["terms"]["documents"] == [{"sha256": sha, "name": "annex.pdf"}]
    # Then, once open, the sign page lists it before the button, saying signing binds it
    setup.app.execute(
        command(setup.broker), OpenForSignature(setup.partnership_id, agreement_version=1)
    )
    a = person(setup.partners["a"])
    status, page = a.get(f"{setup.url}/sign")
    assert status == 200
    listed_at = page.index(f'href="{setup.url}/documents/{sha}"')
    assert listed_at < page.index("Sign this text") and "signing binds them" in page
    assert a.client.get(f"{setup.url}/documents/{sha}").data == PDF
    # And the next draft starts with it ticked
    status, page = broker.get(url)
    assert re.search(rf'value="{sha}" checked', page)


def test_a_hash_posted_that_no_document_has_is_refused_beside_the_form(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    before = setup.head()
    for bad in ("f" * 64, "not a hash"):
        form = draft_form(setup, **{"terms.documents.0.sha256": bad})
        status, page = broker.post(url, form, from_page=url)
        assert status in (409, 422) and NOTHING in page, page
    assert setup.head() == before
