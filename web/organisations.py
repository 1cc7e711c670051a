"""Explorer pages: the organisation register, one organisation, its field history.

The register is public to every signed-in person (DESIGN §3); an organisation's
partnerships and ledger are filtered as the API's are, by the partnerships the person
sees. Contacts (personal data) are not shown here.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Connection, select

from api.organisations import as_body
from api.seen import read, viewer
from api.service import service
from api.views import at_cut
from collab.domain import codes
from collab.domain import values as v
from collab.domain.errors import InvalidInputError, NotFoundError
from projections.ledger import ledger
from projections.queries import organisation_partnerships
from projections.tables import Tables
from projections.views import field_history
from web import words
from web.frame import page, pages, views_reached

blp = pages("organisations")

PER_PAGE = 50
MAX_QUERY = 200  # characters of a search term
MAX_PAGE = 1_000_000


def folded(text: str) -> str:
    """Text compared without case or accents ("São" finds "sao")."""
    apart = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in apart if not unicodedata.combining(ch)).casefold()


def identifier_forms(identifiers: list[Mapping[str, str]]) -> set[str]:
    """The ways a person may type an identifier: the id, or scheme and id (org-id.guide
    writes `GB-COH-123`; a space or a colon between them also finds it)."""
    forms = set()
    for i in identifiers:
        scheme, ident = i["scheme"], i["id"]
        forms |= {ident, f"{scheme}-{ident}", f"{scheme} {ident}", f"{scheme}:{ident}"}
    return {folded(f) for f in forms}


def search_term(name: str) -> str:
    """A search field of the query string, checked (422 when too long)."""
    raw = request.args.get(name, "")
    if len(raw) > MAX_QUERY:
        raise InvalidInputError(name, _("must be at most %(count)s characters", count=MAX_QUERY))
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidInputError("page", _("must be a whole number from 1"))
    return int(raw)


def sector_choice() -> str:
    raw = request.args.get("sector", "")
    if raw and raw not in codes.SECTORS:
        raise InvalidInputError(
            "sector", _("must be one of %(choices)s", choices=", ".join(codes.SECTORS))
        )
    return raw


def matching(conn: Connection, t: Tables, name: str, ident: str, sector: str) -> list[str]:
    """Ids of the organisations matching the search, by legal name (then id)."""
    o = t.organisations
    query = select(o.c.organisation_id, o.c.legal_name, o.c.identifiers)
    if sector:
        query = query.where(o.c.sector == sector)
    wanted_name, wanted_id = folded(name), folded(ident)
    found = []
    # Folding accents is done here, not in SQL: SQLite has no unaccent. One pass over the
    # names of the register, then the page's rows alone are read whole.
    for r in conn.execute(query):
        key = folded(r.legal_name or "")
        if wanted_name not in key:
            continue
        if wanted_id and wanted_id not in identifier_forms(json.loads(r.identifiers)):
            continue
        found.append((key, r.organisation_id))
    return [oid for _, oid in sorted(found)]


def rows_of(conn: Connection, t: Tables, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    o = t.organisations
    rows = {
        r.organisation_id: {**r._mapping, "identifiers": json.loads(r.identifiers)}
        for r in conn.execute(select(o).where(o.c.organisation_id.in_(ids)))
    }
    return [rows[i] for i in ids if i in rows]


@blp.route("/organisations", methods=["GET"])
def register() -> str:
    """The organisation register: search by name and identifier, a page at a time."""
    views_reached()
    name, ident = search_term("q"), search_term("identifier")
    sector, number = sector_choice(), page_number()

    def find(conn: Connection, t: Tables) -> tuple[int, list[dict[str, Any]]]:
        ids = matching(conn, t, name, ident, sector)
        start = (number - 1) * PER_PAGE
        return len(ids), rows_of(conn, t, ids[start : start + PER_PAGE])

    total, rows = read(find)
    query = {k: x for k, x in (("q", name), ("identifier", ident), ("sector", sector)) if x}
    more = number * PER_PAGE < total
    return page(
        "organisations.html",
        rows=rows,
        total=total,
        number=number,
        query=query,
        sectors=codes.SECTORS,
        next_url=link(query, number + 1) if more else None,
        previous_url=link(query, number - 1) if number > 1 else None,
    )


def link(query: Mapping[str, str], number: int) -> str:
    return "/organisations?" + urlencode({**query, "page": str(number)})


def organisation_id(raw: str) -> str:
    """The path's id: a malformed one is not found, as an unknown one is."""
    try:
        oid = v.identifier(raw, "organisation_id")
    except InvalidInputError:
        raise NotFoundError("no such organisation") from None
    return oid


@blp.route("/organisations/<raw_id>", methods=["GET"])
def organisation(raw_id: str) -> str:
    """One organisation: the register's record, its partnerships and its ledger (the
    commitments it made and those it receives, with totals) as far as the person sees them."""
    views_reached()
    oid = organisation_id(raw_id)
    body = as_body(service().app.get_organisation(oid))  # the API's GET, exactly
    who = viewer()

    def books(conn: Connection, t: Tables) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return (
            organisation_partnerships(conn, t, who, at_cut, oid),
            ledger(conn, t, who, at_cut, oid),
        )

    memberships, books_of = read(books)
    titles = {p["partnership_id"]: p["title"] for p in memberships}
    return page(
        "organisation.html",
        org=body,
        memberships=memberships,
        ledger=books_of,
        titles=titles,
    )


@blp.route("/organisations/<raw_id>/fields", methods=["GET"])
def organisation_fields(raw_id: str) -> str:
    """Each register field of an organisation, value by value (the register is public)."""
    views_reached()
    oid = organisation_id(raw_id)
    body = as_body(service().app.get_organisation(oid))
    found = read(lambda c, t: field_history(c, t, oid))
    shown = {f: [{**x, "words": in_words(f, x["value"])} for x in xs] for f, xs in found.items()}
    return page("organisation_fields.html", org=body, fields=shown)


def in_words(field: str, value: Any) -> words.Sentence:
    """A register field's recorded value in words (codes by their labels, texts as
    recorded; a register field names no other organisation or actor)."""
    return words.field_value(field, value, lambda kind, key: None)
