"""Commands on documents: record a stored file against what it documents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collab.domain import documents as d
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.partnerships.commands import OnPartnership

MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


@dataclass(frozen=True)
class AttachDocument(OnPartnership):
    """Record a file already received by the store (its hash, size and sniffed type) and
    what it documents: an agreement version, a decision, a delivery, an indicator report
    or the need assessment."""

    NAME = "attach_document"
    partnership_id: str
    sha256: str
    name: str
    media_type: str
    size: int
    documents: str
    agreement_version: int | None = None
    decision_id: str | None = None
    commitment_id: str | None = None
    delivery_id: str | None = None
    report: int | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("sha256", v.text_hash(self.sha256, "sha256"))
        self.normalise("name", d.file_name(self.name, "name"))
        v.integer(self.size, "size", minimum=1)
        if not isinstance(self.media_type, str) or not MEDIA_TYPE.fullmatch(self.media_type):
            raise InvalidInputError("media_type", "must be a media type such as text/plain")
        about = d.subject(self.documents, self.references())
        for field, value in about.items():
            self.normalise(field, value)

    def references(self) -> dict[str, object]:
        return {
            "agreement_version": self.agreement_version,
            "decision_id": self.decision_id,
            "commitment_id": self.commitment_id,
            "delivery_id": self.delivery_id,
            "report": self.report,
        }

    def about(self) -> dict[str, object]:
        """What the document documents: its kind and only the references that kind uses."""
        return d.subject(self.documents, self.references())
