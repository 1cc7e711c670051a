"""Documents over HTTP (DESIGN §9): a multipart upload, the list a caller sees, and a
download that follows the visibility of the event naming the file."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.cli import main
from api.service import Settings
from collab.agreements.commands import ProposeAmendment
from collab.documents.store import DocumentStore
from collab.domain.errors import RuleViolationError
from collab.partnerships.commands import WithdrawMembership
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership, command, problem_type
from tests.application.world import terms

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 50


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


def store_of(setup: Setup) -> DocumentStore:
    store: DocumentStore = setup.auth.service.documents
    return store


def files(store: DocumentStore) -> list[Path]:
    """Every file under the store's root (temporary ones too)."""
    return [Path(d) / f for d, _, names in os.walk(store.root) for f in names]


def upload(
    setup: Setup, who: Caller, data: bytes | None, filename: str = "evidence.pdf", **form: str
) -> TestResponse:
    body: dict[str, Any] = {"documents": "need_assessment", **form}
    if data is not None:
        body["file"] = (io.BytesIO(data), filename, "text/html")  # the client's type is ignored
    return setup.client.post(
        f"/v1{setup.url}/documents",
        data=body,
        content_type="multipart/form-data",
        headers=who.headers(),
    )


def download(setup: Setup, who: Caller, sha256: str) -> TestResponse:
    return setup.client.get(f"/v1{setup.url}/documents/{sha256}", headers=who.headers())


def test_a_member_uploads_and_a_fellow_member_downloads_the_same_bytes(setup: Setup) -> None:
    # When member b uploads a PNG its browser called text/html
    response = upload(setup, setup.partners["b"], PNG, filename="photo.png")
    assert response.status_code == 201, response.json
    sha = hashlib.sha256(PNG).hexdigest()
    assert response.json["result"]["sha256"] == sha  # type: ignore[index]
    # Then the list shows the sniffed type, and member c downloads the same bytes, inline
    listed = setup.client.get(f"/v1{setup.url}/documents", headers=setup.partners["c"].headers())
    assert listed.status_code == 200
    (entry,) = listed.json["attached"]  # type: ignore[index]
    assert (entry["media_type"], entry["size"], entry["name"]) == (
        "image/png",
        len(PNG),
        "photo.png",
    )
    got = download(setup, setup.partners["c"], sha)
    assert got.status_code == 200
    assert got.data == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("inline;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Length"] == str(len(PNG))


def test_anything_but_an_image_or_a_pdf_is_an_attachment(setup: Setup) -> None:
    html = b"<html><script>alert(1)</script></html>"
    sha = upload(setup, setup.partners["a"], html, filename="page.html").json["result"]["sha256"]  # type: ignore[index]
    got = download(setup, setup.broker, sha)
    assert got.data == html
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    pdf = upload(setup, setup.partners["a"], PDF, filename="annex.pdf").json["result"]["sha256"]  # type: ignore[index]
    assert download(setup, setup.broker, pdf).headers["Content-Disposition"].startswith("inline;")


def test_a_file_altered_on_disk_is_reported_and_never_served(setup: Setup) -> None:
    sha = upload(setup, setup.partners["a"], PDF).json["result"]["sha256"]  # type: ignore[index]
    path = store_of(setup).path_of(sha)
    path.write_bytes(PDF.replace(b"obj", b"job", 1))
    got = download(setup, setup.partners["b"], sha)
    assert got.status_code == 500
    assert problem_type(got) == "document-corrupt"
    assert b"job" not in got.data


def test_a_file_missing_from_the_store_is_a_problem_too(setup: Setup) -> None:
    sha = upload(setup, setup.partners["a"], PDF).json["result"]["sha256"]  # type: ignore[index]
    store_of(setup).path_of(sha).unlink()
    got = download(setup, setup.partners["b"], sha)
    assert (got.status_code, problem_type(got)) == (500, "document-missing")
    assert setup.client.head(f"/v1{setup.url}/documents/{sha}").status_code == 401


def test_the_size_limit_is_a_413_problem_and_leaves_nothing(
    memory_config: StoreConfig,
) -> None:
    app = make_app(memory_config, max_document_bytes=1000)
    try:
        setup = active_partnership(Auth(app), app.test_client())
        before = setup.head()
        response = upload(setup, setup.partners["a"], b"x" * 1001)
        assert response.status_code == 413
        assert problem_type(response) == "payload-too-large"
        assert setup.head() == before and files(store_of(setup)) == []
        assert upload(setup, setup.partners["a"], b"x" * 1000).status_code == 201
    finally:
        app.extensions["collab"].close()


def test_a_partnership_the_caller_cannot_see_is_404(setup: Setup) -> None:
    sha = upload(setup, setup.partners["a"], PDF).json["result"]["sha256"]  # type: ignore[index]
    outsider = setup.auth.actor("partner", setup.org("outsider"))
    assert download(setup, outsider, sha).status_code == 404
    listed = setup.client.get(f"/v1{setup.url}/documents", headers=outsider.headers())
    assert listed.status_code == 404
    assert upload(setup, outsider, PDF).status_code == 404
    # and a file no visible event names is 404 too, as is a malformed hash
    assert download(setup, setup.partners["a"], "0" * 64).status_code == 404
    assert download(setup, setup.partners["a"], "XYZ").status_code in (404, 422)


def test_a_former_member_cannot_download_what_was_attached_after_its_exit(setup: Setup) -> None:
    before = upload(setup, setup.partners["a"], PDF).json["result"]["sha256"]  # type: ignore[index]
    setup.app.execute(setup.as_("c"), WithdrawMembership(setup.partnership_id))
    after = upload(setup, setup.partners["a"], PNG).json["result"]["sha256"]  # type: ignore[index]
    former = setup.partners["c"]
    assert download(setup, former, before).data == PDF
    assert download(setup, former, after).status_code == 404


def test_a_refused_upload_leaves_no_file(setup: Setup) -> None:
    before = setup.head()
    response = upload(
        setup,
        setup.partners["a"],
        PDF,
        documents="decision",
        decision_id=str(uuid.uuid4()),
    )
    assert response.status_code == 409, response.json
    assert setup.head() == before
    assert files(store_of(setup)) == []


@pytest.mark.parametrize(
    ("data", "name", "form"),
    [
        (None, "x", {}),  # no file part
        (b"", "empty.pdf", {}),
        (PDF, "n" * 300, {}),
        (PDF, "nul\x00.pdf", {}),
        (PDF, "x.pdf", {"documents": "everything"}),
        (PDF, "x.pdf", {"documents": "agreement_version", "agreement_version": "one"}),
        (PDF, "x.pdf", {"documents": "decision", "decision_id": "not-a-uuid"}),
        (PDF, "x.pdf", {"unknown": "field"}),
        (PDF, "x.pdf", {"name": "a/b"}),
    ],
)
def test_hostile_multipart_is_a_4xx_problem_and_leaves_nothing(
    setup: Setup, data: bytes | None, name: str, form: dict[str, str]
) -> None:
    before = setup.head()
    response = upload(setup, setup.partners["a"], data, filename=name, **form)
    assert 400 <= response.status_code < 500, response.json
    assert response.mimetype == "application/problem+json"
    assert setup.head() == before
    assert files(store_of(setup)) == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data", b"--x\r\n"),  # no boundary parameter
        ("multipart/form-data; boundary=x", b"garbage without parts"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
        ),
        ("multipart/form-data; boundary=x", b"--x\r\nno headers\r\n\r\nabc\r\n--x--\r\n"),
    ],
)
def test_a_malformed_body_is_a_4xx_problem(setup: Setup, content_type: str, body: bytes) -> None:
    response = setup.client.post(
        f"/v1{setup.url}/documents",
        data=body,
        headers={**setup.partners["a"].headers(), "Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, response.data
    assert response.mimetype == "application/problem+json"
    assert files(store_of(setup)) == []


def test_collab_documents_check_reports_altered_files(tmp_path: Path) -> None:
    env = {"COLLAB_DATA_DIR": str(tmp_path), "COLLAB_DATABASE_URL": "memory://"}
    store = DocumentStore(tmp_path / "documents")
    good, bad = (store.commit(store.receive(io.BytesIO(b))) for b in (b"good", b"bad"))
    runner = CliRunner()
    assert runner.invoke(main, ["documents", "check"], env=env).exit_code == 0
    bad.write_bytes(b"worse")
    result = runner.invoke(main, ["documents", "check"], env=env)
    assert result.exit_code == 1
    assert f"MISMATCH {bad}" in result.output and str(good) not in result.output


@pytest.fixture
def durable_setup(durable_app: Flask) -> Iterator[Setup]:
    yield active_partnership(Auth(durable_app), durable_app.test_client())


def test_upload_and_download_on_durable_stores(durable_setup: Setup) -> None:
    setup = durable_setup
    sha = upload(setup, setup.partners["b"], PDF).json["result"]["sha256"]  # type: ignore[index]
    assert download(setup, setup.partners["c"], sha).data == PDF


def test_the_documents_folder_is_configured_and_required_in_server_mode(tmp_path: Path) -> None:
    env = {"COLLAB_DATABASE_URL": "memory://", "COLLAB_DATA_DIR": str(tmp_path)}
    embedded = Settings.from_env(env)
    embedded.require_documents_dir()
    assert embedded.document_store().root == tmp_path / "documents"
    server = Settings.from_env({**env, "COLLAB_MODE": "server"})
    with pytest.raises(ValueError, match="COLLAB_DOCUMENTS_DIR is required in server mode"):
        server.require_documents_dir()
    result = CliRunner().invoke(main, ["documents", "check"], env={**env, "COLLAB_MODE": "server"})
    assert result.exit_code != 0 and "COLLAB_DOCUMENTS_DIR" in result.output
    shared = Settings.from_env({**env, "COLLAB_MODE": "server", "COLLAB_DOCUMENTS_DIR": "/srv/d"})
    shared.require_documents_dir()
    assert shared.document_store().root == Path("/srv/d")
    with pytest.raises(ValueError, match="COLLAB_MAX_DOCUMENT_BYTES"):
        Settings.from_env({**env, "COLLAB_MAX_DOCUMENT_BYTES": "0"})


def test_a_file_the_terms_list_is_downloaded_by_whoever_sees_the_terms(setup: Setup) -> None:
    # Given a file only in the store (never attached here): terms may not list it, since
    # listing another partnership's file would open it here
    store = store_of(setup)
    loose = store.commit(store.receive(io.BytesIO(PDF + b"loose"))).name
    refused = {**terms("Amended"), "documents": [{"sha256": loose, "name": "x.pdf"}]}
    with pytest.raises(RuleViolationError):
        setup.app.execute(
            command(setup.broker),
            ProposeAmendment(setup.partnership_id, base_version=1, terms=refused),
        )
    # And an annex uploaded to the partnership, listed by a drafted amendment's terms
    uploaded = upload(setup, setup.broker, PDF, "annex.pdf")
    assert uploaded.status_code == 201, uploaded.json
    sha = hashlib.sha256(PDF).hexdigest()
    listed = {**terms("Amended"), "documents": [{"sha256": sha, "name": "annex.pdf"}]}
    setup.app.execute(
        command(setup.broker),
        ProposeAmendment(setup.partnership_id, base_version=1, terms=listed),
    )
    # Then a member downloads it, typed from its bytes; an outsider gets 404
    got = download(setup, setup.partners["c"], sha)
    assert (got.status_code, got.data, got.headers["Content-Type"]) == (200, PDF, "application/pdf")
    outsider = setup.auth.actor("partner", setup.org("outsider"))
    assert download(setup, outsider, sha).status_code == 404


def test_data_before_any_part_is_refused_not_a_500(tmp_path: Path) -> None:
    # Given a decoder that hands over bytes before any part's headers (the fuzz tier found
    # one: werkzeug gave Data with no Field or File before it)
    from werkzeug.sansio.multipart import Data

    from api.errors import ApiProblem
    from api.upload import Parts
    from collab.documents.store import DocumentStore

    parts = Parts(DocumentStore(tmp_path / "documents", max_bytes=1024))
    # When it is read, Then it is the 422 of a malformed body, and no file is begun
    with pytest.raises(ApiProblem) as refused:
        parts.data(Data(data=b"abc", more_data=False))
    assert refused.value.status == 422
    assert parts.target is None
