"""Documents on the partnership (DESIGN §9): Given events, When a document is attached,
Then `DocumentAttached` naming the file and what it documents, or a refusal recording
nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from collab.domain import documents as d
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from tests.domain.test_partnership import (
    A,
    B,
    C,
    agreed,
    broker,
    given,
    meta,
    partner,
    refused,
    then,
)

SHA = "ab" * 32


def document(**about: Any) -> dict[str, Any]:
    kind = about.pop("documents", "need_assessment")
    return {
        "sha256": SHA,
        "name": "minutes.pdf",
        "media_type": "application/pdf",
        "size": 12,
        "about": d.subject(kind, about),
    }


def test_an_active_member_attaches_a_document_to_the_need_assessment() -> None:
    p = given(*agreed(A, B))
    p.attach_document(document(), partner(B), meta())
    assert then(p) == ["DocumentAttached"]


def test_the_partnership_broker_attaches_minutes_of_one_of_its_versions() -> None:
    p = given(*agreed(A, B))
    p.attach_document(
        document(documents="agreement_version", agreement_version=1), broker(), meta()
    )
    assert then(p) == ["DocumentAttached"]


@pytest.mark.parametrize(
    "about",
    [
        {"documents": "agreement_version", "agreement_version": 2},
        {"documents": "decision", "decision_id": str(uuid.uuid4())},
        {
            "documents": "delivery",
            "commitment_id": str(uuid.uuid4()),
            "delivery_id": str(uuid.uuid4()),
        },
        {"documents": "indicator_report", "report": 3},
    ],
)
def test_what_a_document_names_is_this_partnerships(about: dict[str, Any]) -> None:
    p = given(*agreed(A, B))
    detail = refused(
        p, RuleViolationError, lambda: p.attach_document(document(**about), partner(A), meta())
    )
    assert detail.startswith("no such")


def test_an_organisation_that_is_not_a_member_may_not_attach() -> None:
    p = given(*agreed(A, B))
    refused(p, ForbiddenError, lambda: p.attach_document(document(), partner(C), meta()))


def test_a_documents_fields_are_checked_once() -> None:
    for name in ("", "a/b", "a\\b", "tab\there", "..", "x" * 256, "nul\x00"):
        with pytest.raises(InvalidInputError):
            d.file_name(name)
    with pytest.raises(InvalidInputError):
        d.subject("delivery", {"commitment_id": str(uuid.uuid4())})  # no delivery id
    with pytest.raises(InvalidInputError):
        d.listed([{"sha256": SHA, "name": "a"}, {"sha256": SHA, "name": "b"}])  # twice
    with pytest.raises(InvalidInputError):
        d.listed([{"sha256": SHA.upper(), "name": "a"}])
    assert d.subject("need_assessment", {"report": 4}) == {"documents": "need_assessment"}
    assert isinstance(Partnership.DocumentAttached, type)
