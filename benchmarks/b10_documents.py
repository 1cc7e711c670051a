"""B10: a 20 MB document's upload and download through the API ÷ copying it on disk.

Measured: ``POST /v1/partnerships/<id>/documents`` (multipart/form-data, streamed into the
document store: hashed, sniffed, fsynced, renamed into place, its event recorded) and
``GET …/documents/<sha256>`` (re-hashed before its first byte, then streamed; the body
read to its end), each through the Flask test client in process, as the partnership's
broker. Ceiling, timed alternately in the same run: ``shutil.copyfile`` of the same bytes
from a file to another in the same folder, then ``fsync``. Ratio = copy time ÷ API time,
target (issue 18) ≥ 0.5. Each upload changes the file's last bytes, so every round stores
a new file. SQLite store (WAL); the document store and the copies on one file system.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from api import create_app
from api.service import Service, Settings
from benchmarks.harness import Result, compare
from collab.actors.commands import EnrolActor
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.domain.envelope import Actor
from collab.partnerships.commands import InitiatePartnership
from collab.stores import StoreConfig

TARGET = 0.5
SIZE = 20 * 1024 * 1024
BOUNDARY = "b10-0f3c9e1d"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


@contextmanager
def served(workdir: Path) -> Iterator[tuple[Flask, str, dict[str, str]]]:
    """An embedded service on a SQLite file, a broker's token and its partnership."""
    settings = Settings(
        store=StoreConfig(f"sqlite:///{workdir}/b10.db"),
        mode="embedded",
        documents_dir=workdir / "documents",
        max_document_bytes=2 * SIZE,
        seal_interval=3600,
    )
    app = create_app(settings)
    svc: Service = app.extensions["collab"]
    try:
        out = svc.app.execute(Context(OPERATOR), EnrolActor(role="broker"))
        broker = out.text("actor_id")
        token, _ = svc.credentials.issue(broker, "b10", svc.now(), 1)
        started = svc.app.execute(
            Context(Actor(broker, "broker")),
            InitiatePartnership(
                title="Evidence",
                need_statement="Large files",
                territory={"country": "PT", "nuts": None, "lau": None},
                partnership_type="social_innovation",
            ),
        )
        yield app, started.text("partnership_id"), {"Authorization": f"Bearer {token}"}
    finally:
        svc.close()


def multipart(data: bytes) -> bytes:
    """The request body a client sends: the form field and the file part."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="documents"\r\n\r\n'
        f'need_assessment\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    return head.encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def copy_on_disk(source: Path, target: Path) -> Callable[[], float]:
    def timed() -> float:
        start = time.perf_counter()
        shutil.copyfile(source, target)
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())
        elapsed = time.perf_counter() - start
        target.unlink()
        return elapsed

    return timed


def run(smoke: bool = False) -> list[Result]:
    rounds = 5 if smoke else 7
    workdir = Path(tempfile.mkdtemp(prefix="collab-b10-"))
    payload = bytearray(os.urandom(SIZE))
    source = workdir / "source.bin"
    source.write_bytes(payload)
    shas: list[str] = []
    try:
        with served(workdir) as (app, pid, auth):
            client = app.test_client()
            url = f"/v1/partnerships/{pid}/documents"

            def upload() -> float:
                payload[-8:] = len(shas).to_bytes(8, "big")  # a new file every time
                body = multipart(bytes(payload))  # the client's work, as a real client's
                start = time.perf_counter()
                response = client.post(url, data=body, content_type=FORM, headers=auth)
                elapsed = time.perf_counter() - start
                assert response.status_code == 201, response.get_data(as_text=True)
                shas.append(response.json["result"]["sha256"])  # type: ignore[index]
                return elapsed

            def download() -> float:
                start = time.perf_counter()
                response = client.get(f"{url}/{shas[-1]}", headers=auth)
                size = sum(len(chunk) for chunk in response.response)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200 and size == SIZE
                return elapsed

            ceiling = copy_on_disk(source, workdir / "copy.bin")
            settings = {"bytes": SIZE, "store": "sqlite", "client": "flask test client"}
            return [
                compare("B10.upload", upload, ceiling, target=TARGET, rounds=rounds,
                        settings=settings),
                compare("B10.download", download, ceiling, target=TARGET, rounds=rounds,
                        settings=settings),
            ]  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
