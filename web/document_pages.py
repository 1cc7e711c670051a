"""A partnership's documents (DESIGN §7, §9): the files the person sees, what each
documents, who attached it and when, and a download of each.

Who sees which file is the API's read (`collab.documents.reads`): a file named by a
`DocumentAttached` in the person's window on the partnership, or listed in the terms of
an agreement version in that window; anything else is the not-found page, as an unknown
id. A download is the API's own view (`api.documents.download_document`: re-hashed
before its first byte, an attachment unless an image or a PDF, `nosniff`); a file whose
bytes no longer match its hash is never served: the page says so instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from api.documents import download_document
from api.errors import ApiProblem
from api.service import service
from collab.documents.reads import visible_documents
from collab.domain import values as v
from collab.domain.errors import ForbiddenError, NotFoundError
from web import forms_documents as forms
from web.errors import error_page
from web.forms_documents import Subject, size_text, subjects, upload_context, value_of
from web.frame import page, pages, views_reached
from web.names import names_for
from web.partnership_pages import live_or_as_of

blp = pages("documents")
# The upload's size limit is set before the CSRF check reads the form (`pages`' checks).
blp.before_request_funcs.setdefault(None, []).insert(0, forms.limit_body)
blp.register_error_handler(RequestEntityTooLarge, forms.body_too_large)

DOCS = "/partnerships/<partnership_id>/documents"
DAMAGED = ("document-corrupt", "document-missing")


def described(about: Mapping[str, Any], known: dict[str, Subject], pid: str) -> Subject:
    """What an attached file documents, in words, with a link to it on the partnership's
    page (in general words where the page no longer shows it)."""
    value = value_of(about)
    found = known.get(value)
    if found is not None:
        return found
    kinds = {
        "agreement_version": _("Agreement version"),
        "decision": _("Decision"),
        "delivery": _("Delivery"),
        "indicator_report": _("Indicator report"),
        "need_assessment": _("The need assessment"),
    }
    kind, _colon, ref = value.partition(":")
    text = f"{kinds.get(kind, kind)} {ref}".strip()
    return Subject(value, text, f"/partnerships/{pid}")


def may_upload(pid: str) -> dict[str, Any] | None:
    """The upload form's context when the person may attach documents here (the API
    route's authority), else None."""
    if g.actor.role == "auditor":
        return None
    try:
        return upload_context(pid)
    except (ForbiddenError, NotFoundError):
        return None


@blp.route(DOCS, methods=["GET"])
def documents(partnership_id: str) -> str:
    """The partnership's documents the person sees, each with a download link."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    found = visible_documents(service().app, g.actor, pid)  # 404 as for its content
    view, _ = live_or_as_of(pid, None)
    named = [m["organisation_id"] for m in view.get("members", [])]
    named += [x for e in found.attached for x in (e["actor"], e["on_behalf_of"]) if x]
    names = names_for(named)
    known = {s.value: s for s in subjects(pid, view, names)}
    attached = [
        {**e, "what": described(e["about"], known, pid), "size_text": size_text(e["size"])}
        for e in reversed(found.attached)
    ]
    return page(
        "documents.html",
        pid=pid,
        title=view.get("title", ""),
        attached=attached,
        listed=found.listed,
        names=names,
        upload=may_upload(pid),
        form={},
        errors={},
        problem=None,
    )


@blp.route(f"{DOCS}/new", methods=["GET", "POST"])
def upload(partnership_id: str) -> ResponseReturnValue:
    """Upload a document and record what it documents (the API's POST …/documents)."""
    return forms.upload(partnership_id)


@blp.route(f"{DOCS}/<sha256>", methods=["GET"])
def download(partnership_id: str, sha256: str) -> ResponseReturnValue:
    """Download a document the person sees (the API's download), or say why it is not
    served."""
    try:
        served: Response = download_document(partnership_id=partnership_id, sha256=sha256)
        return served
    except ApiProblem as problem:
        if problem.code not in DAMAGED:
            raise
        if problem.code == "document-corrupt":
            detail = _(
                "This file is not served: its bytes no longer match the SHA-256 hash recorded "
                "for it, so it was altered or damaged after it was recorded. The record still "
                "names the original file by its hash; ask the site's operator to restore the "
                "file from a backup."
            )
        else:
            detail = _(
                "This file is not served: it is missing from the document store. The record "
                "still names it by its hash; ask the site's operator to restore the file from "
                "a backup."
            )
        return error_page(500, _("The document cannot be served"), str(detail))


@blp.app_template_global()
def documents_url(pid: str) -> str:
    """The address of a partnership's documents page."""
    return f"/partnerships/{pid}/documents"


@blp.app_template_global()
def evidence_url(pid: str, commitment_id: str, delivery_id: str) -> str:
    """The upload form, set to document a delivery (its evidence)."""
    return f"/partnerships/{pid}/documents/new?about=delivery:{commitment_id}/{delivery_id}"
