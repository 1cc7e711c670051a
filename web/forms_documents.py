"""The upload form of documents (DESIGN §7, §9), and the documents agreement terms list.

A `multipart/form-data` form with its CSRF token, working without JavaScript: the file,
what it documents (one choice among the partnership's agreement versions, decisions,
deliveries, indicator reports and its need assessment), an optional name. The file is
received into the document store (hashed, measured, limited; its type sniffed from its
bytes), then the API's own command `AttachDocument` runs through `web.forms.submit`; the
file is committed only once its event is recorded, and discarded on any refusal, as the
API's upload does. A body past the size limit is the form again, saying the limit.

The terms form (web/forms_agreement.py) offers the partnership's documents as the person
sees them (`collab.documents.reads`, the API's read) to list in the draft terms: checkbox
inputs `terms.documents.<n>.sha256`, each named as listed or attached (`named`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from flask import g, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from api import authority
from api.errors import ApiProblem, on_api_problem, on_collab_error
from api.schemas import documents as s
from api.service import service
from api.upload import ENVELOPE_BYTES
from collab.documents.commands import AttachDocument
from collab.documents.reads import Visible, visible_documents
from collab.documents.store import EmptyFileError, Received, TooLargeError
from collab.domain import values as v
from collab.domain.errors import CollabError
from web.forms import Refused, acting_for, kept, submit
from web.frame import page, person, require_person, views_reached
from web.labels import label
from web.names import Names, names_for
from web.partnership_pages import live_or_as_of

UPLOAD_ENDPOINT = "web_documents.upload"
FORM = s.AttachDocumentForm()
NUMBERS = ("agreement_version", "report")
CHOICE_FIELDS = (
    *("documents", "agreement_version", "decision_id"),
    *("commitment_id", "delivery_id", "report"),
)
OFFERED = 100  # documents offered to the terms form: `index_of` reads two digits
BACK = re.compile(r"/partnerships/[0-9a-f-]{36}/(versions/new|amendments/new|documents)")


@dataclass(frozen=True)
class Subject:
    """Something a document may document: the form's value, its words, where it is shown."""

    value: str
    text: str
    href: str


def subjects(pid: str, view: Mapping[str, Any], names: Names) -> list[Subject]:
    """What a document of this partnership may document, as its view shows them."""
    here = f"/partnerships/{pid}"
    found = [Subject("need_assessment", _("The need assessment"), here)]
    for ver in view.get("versions", []):
        n, status = ver["number"], label(ver["status"])
        text = _("Agreement version %(n)s (%(status)s)", n=n, status=status)
        found.append(Subject(f"agreement_version:{n}", text, f"{here}#version-{n}"))
    for d in view.get("decisions", []):
        text = _("Decision of %(body)s: %(action)s", body=d["body"], action=label(d["action"]))
        found.append(
            Subject(f"decision:{d['decision_id']}", text, f"{here}#decision-{d['decision_id']}")
        )
    for m in view.get("members", []):
        who = names("organisation", m["organisation_id"]) or m["organisation_id"]
        for c in m["commitments"]:
            for d in c["deliveries"]:
                text = _(
                    "Delivery of %(quantity)s %(unit)s by %(who)s on %(date)s",
                    quantity=d["quantity"],
                    unit=label(c["unit"], "unit"),
                    who=who,
                    date=d["delivered_on"],
                )
                ref = f"{c['commitment_id']}/{d['delivery_id']}"
                found.append(
                    Subject(f"delivery:{ref}", text, f"{here}#commitment-{c['commitment_id']}")
                )
    for i in view.get("indicators", []):
        for r in i.get("series", []):
            text = _(
                "Report %(n)s on %(indicator)s (%(start)s to %(end)s)",
                n=r["report"],
                indicator=i["name"],
                start=r["period_start"],
                end=r["period_end"],
            )
            href = f"{here}#indicator-{i['indicator_id']}"
            found.append(Subject(f"indicator_report:{r['report']}", text, href))
    return found


def value_of(about: Mapping[str, Any]) -> str:
    """A recorded `about` as the form's value for it."""
    kind = str(about["documents"])
    if kind == "agreement_version":
        return f"{kind}:{about['agreement_version']}"
    if kind == "decision":
        return f"{kind}:{about['decision_id']}"
    if kind == "delivery":
        return f"{kind}:{about['commitment_id']}/{about['delivery_id']}"
    if kind == "indicator_report":
        return f"{kind}:{about['report']}"
    return kind


def fields_for(value: str) -> dict[str, str]:
    """A form's value as the API's form fields (the kind and the references it names)."""
    kind, _colon, ref = value.partition(":")
    if kind == "agreement_version":
        return {"documents": kind, "agreement_version": ref}
    if kind == "decision":
        return {"documents": kind, "decision_id": ref}
    if kind == "delivery":
        commitment_id, _slash, delivery_id = ref.partition("/")
        return {"documents": kind, "commitment_id": commitment_id, "delivery_id": delivery_id}
    if kind == "indicator_report":
        return {"documents": kind, "report": ref}
    return {"documents": kind}


# -- the upload form -------------------------------------------------------------------


def size_text(n: int) -> str:
    """A size in the reader's words: bytes, kB, MB or GB (binary multiples)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{format_decimal(round(n / scale, 1))} {unit}"
    return str(_("%(n)s bytes", n=format_decimal(n)))


def upload_context(partnership_id: str) -> dict[str, Any]:
    """The API route's authority (404, 403), then what the form shows."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    authority.partnership(authority.reporter)(partnership_id=pid)
    view, _ = live_or_as_of(pid, None)
    names = names_for([m["organisation_id"] for m in view.get("members", [])])
    limit = service().documents.max_bytes
    found = subjects(pid, view, names)
    return {
        "pid": pid,
        "title": view.get("title", ""),
        "subjects": found,
        "choices": [(s.value, s.text) for s in found],
        "limit": size_text(limit),
        "limit_bytes": limit,
        "acting": acting_for(pid),
        "back": back_to(pid),
    }


def back_to(pid: str) -> str:
    """Where the form returns: the page that linked to it (a terms form, the documents
    page), else the documents page; never another site."""
    asked = request.args.get("next", "")
    found = BACK.fullmatch(asked)
    if found is not None and asked.startswith(f"/partnerships/{pid}/"):
        return asked
    return f"/partnerships/{pid}/documents"


def form_page(
    context: dict[str, Any],
    status: int,
    problem: str | None,
    errors: Mapping[str, str],
    form: Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    """The form: blank (what it documents as the link asked), or again with the input."""
    if form is None:
        form = kept() if request.method == "POST" else {"about": request.args.get("about", "")}
    shown = page("document_upload.html", form=form, errors=dict(errors), problem=problem, **context)
    return shown, status


def upload(partnership_id: str) -> ResponseReturnValue:
    """The upload form (web/document_pages.py routes it): GET shows it, POST records."""
    context = upload_context(partnership_id)
    if request.method == "GET":
        return form_page(context, 200, None, {})
    allowed = {s.value for s in context["subjects"]}
    errors: dict[str, str] = {}
    about = request.form.get("about", "")
    if about not in allowed:
        errors["about"] = _("Choose what the document documents from the list.")
    file = request.files.get("file")
    if file is None or not file.filename:
        errors["file"] = _("Choose the file to upload.")
    if errors:
        return form_page(context, 422, refused_text(errors), errors)
    assert file is not None
    return record(context, file, fields_for(about))


def refused_text(errors: Mapping[str, str]) -> str:
    listed = "; ".join(errors.values())
    return str(_("Please check what you entered: %(fields)s", fields=listed))


def record(
    context: dict[str, Any], file: FileStorage, about: dict[str, str]
) -> ResponseReturnValue:
    """The file into the store, then the command; the file kept only once recorded."""
    store = service().documents
    try:
        received = store.receive(cast(BinaryIO, file.stream))
    except TooLargeError:
        return too_large_page(context)
    except EmptyFileError:
        errors = {"file": str(_("The file is empty: a document holds at least one byte."))}
        return form_page(context, 422, refused_text(errors), errors)
    finally:
        file.close()
    form = MultiDict(
        {
            **about,
            **{k: x for k, x in request.form.items() if k in ("name", "reason", "on_behalf_of")},
        }
    )
    if not form.get("name", "").strip():
        form["name"] = file.filename or ""
    try:
        result = submit(FORM, attach(context["pid"], received), form)
    except BaseException:
        store.discard(received)  # a refused command leaves nothing behind
        raise
    if isinstance(result, Refused):
        store.discard(received)
        errors = {("about" if k in CHOICE_FIELDS else k): x for k, x in result.errors.items()}
        return form_page(context, result.status, result.problem, errors)
    store.commit(received)
    return redirect(f"{context['back']}#document-{received.sha256}", 303)


def attach(pid: str, received: Received) -> Callable[[dict[str, Any]], AttachDocument]:
    def build(a: dict[str, Any]) -> AttachDocument:
        numbered: dict[str, Any] = {k: int(x) if k in NUMBERS else x for k, x in a.items()}
        return AttachDocument(
            pid,
            sha256=received.sha256,
            size=received.size,
            media_type=received.media_type,
            **numbered,
        )

    return build


def too_large_page(
    context: dict[str, Any], form: Mapping[str, str] | None = None
) -> ResponseReturnValue:
    text = _(
        "The file is larger than the limit of %(limit)s: nothing was uploaded. Choose a "
        "smaller file, or split it.",
        limit=context["limit"],
    )
    return form_page(context, 413, str(text), {"file": str(text)}, form)


def limit_body() -> None:
    """An upload's body may hold a document up to the store's limit (the site's limit for
    other forms is smaller); past it, werkzeug refuses before reading the rest. Run before
    the CSRF check reads the form (web/document_pages.py registers it first)."""
    if request.method == "POST" and request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = service().documents.max_bytes + ENVELOPE_BYTES


def body_too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Past the limit (raised while the form was read): the form again, saying the limit,
    for whoever may see it (the same authority checks as the form)."""
    if person() is None:
        return require_person() or ("", 401)
    partnership_id = (request.view_args or {}).get("partnership_id", "")
    try:
        context = upload_context(str(partnership_id))
    except CollabError as refused:
        return on_collab_error(refused)
    except ApiProblem as problem:
        return on_api_problem(problem)
    return too_large_page(context, {})  # the body is not read: nothing to show again


# -- documents the terms list ----------------------------------------------------------


def offered(pid: str) -> list[dict[str, str]]:
    """The partnership's documents the person sees, once each (newest first), as terms
    would list them: by hash, with the name last attached or listed."""
    found: Visible = visible_documents(service().app, g.actor, pid)
    seen: dict[str, dict[str, str]] = {}
    for entry in (*reversed(found.attached), *reversed(found.listed)):
        if entry["sha256"] not in seen:
            seen[entry["sha256"]] = {"sha256": entry["sha256"], "name": entry["name"]}
    return list(seen.values())[:OFFERED]


def chosen(form: Mapping[str, str]) -> set[str]:
    """The hashes a terms form lists (`terms.documents.<n>.sha256`)."""
    marker = "terms.documents."
    return {x for k, x in form.items() if k.startswith(marker) and k.endswith(".sha256")}


def named(terms: dict[str, Any]) -> dict[str, Any]:
    """Terms whose listed documents have their names (the form posts hashes only): the
    name the partnership's documents give each, else the one the person gave."""
    listed = terms.get("documents")
    pid = (request.view_args or {}).get("partnership_id")
    if not isinstance(listed, list) or not pid:
        return terms
    names = {d["sha256"]: d["name"] for d in offered(str(pid))}
    # A hash the person does not see keeps itself as its name: the domain then says
    # whether the store holds it (409), rather than a missing name.
    filled = [
        {**d, "name": d.get("name") or names.get(str(d.get("sha256")), str(d.get("sha256")))}
        if isinstance(d, dict)
        else d
        for d in listed
    ]
    return {**terms, "documents": filled}
