"""Phrases of the network of learning: practices published, adopted, and the questions
partnerships ask of each other (DESIGN §8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.commitment import PHRASES as COMMITMENT_PHRASES
from web.words.sentence import Part, Phrase, Say, plain, said, territory


def published(s: Say, d: Mapping[str, Any]) -> list[Part]:
    """The partnership's own event: a practice's version published under its decision."""
    return said(
        _("%(who)s published version %(number)s of a practice, as the partnership decided"),
        who=s.who(),
        number=str(d["number"]),
    )


def practice(s: Say, d: Mapping[str, Any]) -> list[Part]:
    content = d.get("content") or {}
    return said(
        _("%(who)s published the practice %(title)s"),
        who=s.who(),
        title=s.text(content.get("title", "")),
    )


def version(s: Say, d: Mapping[str, Any]) -> list[Part]:
    content = d.get("content") or {}
    return said(
        _("%(who)s published version %(number)s of the practice %(title)s"),
        who=s.who(),
        number=str(d["number"]),
        title=s.text(content.get("title", "")),
    )


def adopted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    adoption = d["adoption"]
    return said(
        _("%(who)s recorded that a partnership %(relation)s a practice, in %(territory)s"),
        who=s.who(),
        relation=plain(adoption["relation"], "adoption"),
        territory=territory(adoption["territory"]),
    )


def withdrawn(s: Say, d: Mapping[str, Any]) -> list[Part]:
    """A practice's withdrawal (a commitment's has the same event name: said as one)."""
    if s.entry.get("stream_kind") != "practice":
        return COMMITMENT_PHRASES["Withdrawn"](s, d)
    return said(_("%(who)s withdrew a practice"), who=s.who())


PHRASES: dict[str, Phrase] = {
    "Withdrawn": withdrawn,
    "PracticePublished": published,
    "Published": practice,
    "VersionPublished": version,
    "LineageStarted": lambda s, d: said(_("%(who)s started the lineage of practices"), who=s.who()),
    "PracticeAdopted": adopted,
    "ExchangeRequested": lambda s, d: said(
        _("%(who)s asked a question of a practice: %(question)s"),
        who=s.who(),
        question=s.text(d["question"]),
    ),
    "ExchangeAnswered": lambda s, d: said(
        _("%(who)s answered a question: %(answer)s"), who=s.who(), answer=s.text(d["answer"])
    ),
    "ExchangeDeclined": lambda s, d: said(_("%(who)s declined a question"), who=s.who()),
}
