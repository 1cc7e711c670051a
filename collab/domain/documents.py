"""Documents a partnership event names (DESIGN §9): a file's hash, name, type and size,
and what it documents. Value checks only; the partnership records `DocumentAttached`."""

from __future__ import annotations

from typing import Any

from collab.domain import values as v
from collab.domain.errors import InvalidInputError, RuleViolationError

SUBJECTS = ("agreement_version", "decision", "delivery", "indicator_report", "need_assessment")
NAME_LENGTH = 255
MEDIA_TYPE_LENGTH = 100
MAX_DOCUMENTS = 50  # listed in one agreement version's terms


def file_name(value: object, field: str = "name") -> str:
    """A file name as people see it: no path separators, no control characters."""
    name = v.text(value, field, max_length=NAME_LENGTH)
    if any(ch in name for ch in "/\\") or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise InvalidInputError(field, "must not contain slashes or control characters")
    if name.strip() in (".", ".."):
        raise InvalidInputError(field, "must name a file")
    return name


def subject(kind: object, ref: dict[str, object]) -> dict[str, Any]:
    """What a document documents, checked: the kind and the ids or numbers it needs."""
    chosen = v.choice(kind, "documents", SUBJECTS)
    if chosen == "agreement_version":
        return {"documents": chosen, "agreement_version": _number(ref, "agreement_version")}
    if chosen == "indicator_report":
        return {"documents": chosen, "report": _number(ref, "report")}
    if chosen == "decision":
        return {"documents": chosen, "decision_id": _id(ref, "decision_id")}
    if chosen == "delivery":
        return {
            "documents": chosen,
            "commitment_id": _id(ref, "commitment_id"),
            "delivery_id": _id(ref, "delivery_id"),
        }
    return {"documents": chosen}


def _number(ref: dict[str, object], field: str) -> int:
    return v.integer(ref.get(field), field, minimum=1)


def _id(ref: dict[str, object], field: str) -> str:
    return v.identifier(ref.get(field), field)


def listed(value: object, field: str = "terms.documents") -> list[dict[str, str]]:
    """The documents agreement terms list: `[{sha256, name}]`, each hash once."""
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_DOCUMENTS:
        raise InvalidInputError(field, f"must list 1 to {MAX_DOCUMENTS} documents")
    out: list[dict[str, str]] = []
    for item in value:
        data = v.mapping(item, field, ("sha256", "name"), ("sha256", "name"))
        entry = {
            "sha256": v.text_hash(data["sha256"], f"{field}.sha256"),
            "name": file_name(data["name"], f"{field}.name"),
        }
        if any(e["sha256"] == entry["sha256"] for e in out):
            raise InvalidInputError(field, "lists a document twice")
        out.append(entry)
    return out


def check_reference(found: bool, what: str) -> None:
    """409 when what a document names is not this partnership's."""
    if not found:
        raise RuleViolationError(f"no such {what} in this partnership")
