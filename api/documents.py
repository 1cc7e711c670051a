"""Documents (DESIGN §9): files stored by SHA-256 outside the log, named by events.

Upload is `multipart/form-data` — the one exception to JSON-only bodies: a `file` part
and form fields saying what the file documents. The type is sniffed from the bytes (the
client's is ignored); the file is committed to the store only once its event is recorded.
A download follows the visibility of the events naming the file, is re-hashed before its
first byte is sent, and is served as an attachment (inline only for images and PDF)
with `X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, BinaryIO
from urllib.parse import quote

from flask import Response
from marshmallow import ValidationError

from api import authority, seen
from api.auth import current_actor
from api.authority import before_body
from api.errors import ApiProblem
from api.http import Blueprint, Reply, run
from api.schemas import documents as s
from api.schemas.common import Outcome
from api.service import service
from api.upload import read_upload
from collab.documents.commands import AttachDocument
from collab.documents.reads import visible_document, visible_documents
from collab.documents.store import SNIFF, CorruptDocumentError, chunks, sniff

log = logging.getLogger("collab.documents")
blp = Blueprint("documents", __name__, url_prefix="/v1", description=__doc__)

DOCS = "/partnerships/<partnership_id>/documents"
INLINE = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
NUMBERS = ("agreement_version", "report")
FORM = s.AttachDocumentForm()


@blp.route(DOCS, methods=["POST"])
@before_body(authority.partnership(authority.reporter))
@blp.doc(requestBody=s.upload_body())
@blp.response(201, Outcome)
def attach_document(partnership_id: str) -> Reply:
    """Upload a document and record what it documents (members, broker, lead); the result
    names the file by its SHA-256."""
    store = service().documents
    fields, filename, received = read_upload(store)
    try:
        body = form_body(fields, filename)
        body.update(sha256=received.sha256, size=received.size, media_type=received.media_type)
        reply = run(body, lambda a: AttachDocument(partnership_id, **a))
    except BaseException:
        store.discard(received)  # a refused command leaves nothing behind
        raise
    store.commit(received)
    return reply


def form_body(fields: Mapping[str, str], filename: str | None) -> dict[str, Any]:
    """The form's fields, checked (422 per field), numbers as numbers, the name defaulted."""
    try:
        form: dict[str, Any] = FORM.load(fields)
    except ValidationError as e:
        errors = e.messages if isinstance(e.messages, dict) else {"body": e.messages}
        raise ApiProblem(
            422, "invalid-input", "the form does not match its schema", errors=errors
        ) from None
    for name in NUMBERS:
        if name in form:
            form[name] = int(form[name])
    if form.get("name") is None:
        form["name"] = filename
    return form


@blp.route(DOCS, methods=["GET"])
@before_body(seen.path_content)
@blp.response(200, s.DocumentList)
def list_documents(partnership_id: str) -> Any:
    """The partnership's documents the caller sees: those attached by events in its window,
    and those its agreement versions list."""
    found = visible_documents(service().app, current_actor(), partnership_id)
    return {
        "partnership_id": found.partnership_id,
        "attached": found.attached,
        "listed": found.listed,
    }


@blp.route(f"{DOCS}/<sha256>", methods=["GET"])
@before_body(seen.path_content)
@blp.doc(
    responses={
        "200": {
            "description": "the file's bytes, as stored (re-hashed before sending)",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
)
def download_document(partnership_id: str, sha256: str) -> Response:
    """Download a document an event the caller sees names (404 otherwise)."""
    svc = service()
    entry = visible_document(svc.app, current_actor(), partnership_id, sha256)
    try:
        handle = svc.documents.open_verified(entry["sha256"])
    except CorruptDocumentError:
        raise ApiProblem(
            500, "document-corrupt", "the stored file no longer matches its hash; it is not served"
        ) from None
    except FileNotFoundError:
        log.error("collab: document %s is named by an event but not in the store", sha256)
        raise ApiProblem(500, "document-missing", "the file is not in the document store") from None
    media_type = entry.get("media_type") or sniffed(handle)  # a listing names no type
    size = os.fstat(handle.fileno()).st_size
    sent = headers(entry["name"], media_type, entry["sha256"], size)
    response = Response(chunks(handle), headers=sent, direct_passthrough=True)
    response.call_on_close(handle.close)  # also when the body is never read (HEAD)
    return response


def sniffed(handle: BinaryIO) -> str:
    head = handle.read(SNIFF)
    handle.seek(0)
    return sniff(head)


def headers(name: str, media_type: str, sha256: str, size: int) -> dict[str, str]:
    """Never rendered by the browser unless an image or a PDF (nosniff, a sandbox)."""
    disposition = "inline" if media_type in INLINE else "attachment"
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else "_" for ch in name)
    quoted = quote(name, safe="")
    return {
        "Content-Type": media_type,
        "Content-Length": str(size),
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private",
        "ETag": f'"{sha256}"',
    }
