"""The record in words: each history entry as a sentence a person reads (DESIGN §7).

Pure: a function of the entry (as `projections.views.history` returns it) and a `Lookup`
for names, so it is tested without Flask. A sentence is a tuple of parts: plain words,
and `Named` parts (organisations, actors, recorded texts, hashes) that a page renders
apart: a link, `dir="auto"` for what people recorded, a hash in monospace. Every event
type has its phrase; any other, or data a phrase cannot read, says "<actor> recorded
<EventType>" and never raises.

The phrases live by aggregate (partnership, agreement, governance, commitment, register),
the parts every phrase uses in `sentence`, field values in `fields` and whose turn it is
in `turns`; callers use this package's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.words import agreement, commitment, governance, partnership, practice, register
from web.words.fields import field_value as field_value
from web.words.sentence import Lookup as Lookup
from web.words.sentence import Named as Named
from web.words.sentence import Part as Part
from web.words.sentence import Phrase, Say, said
from web.words.sentence import Sentence as Sentence
from web.words.turns import whose_turn as whose_turn

PHRASES: dict[str, Phrase] = {
    **partnership.PHRASES,
    **agreement.PHRASES,
    **governance.PHRASES,
    **commitment.PHRASES,
    **register.PHRASES,
    **practice.PHRASES,
}
EVENT_TYPES = tuple(sorted(PHRASES))


def describe(entry: Mapping[str, Any], lookup: Lookup) -> Sentence:
    """The entry as a sentence: who did what, for whom, under which mandate."""
    say = Say(entry, lookup)
    data = entry.get("data")
    phrase = PHRASES.get(str(entry.get("event_type")))
    try:
        if phrase is not None and isinstance(data, Mapping):
            return Sentence(tuple(phrase(say, data)))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        pass  # data this phrase cannot read: the generic sentence below
    try:
        who = say.who()
    except (KeyError, TypeError, ValueError, AttributeError):
        who = [str(_("Someone"))]
    event = Named("text", "", str(entry.get("event_type")))
    return Sentence(tuple(said(_("%(who)s recorded %(event)s"), who=who, event=event)))


def known(entries: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """What the entries themselves tell a `Lookup`: version numbers of text hashes,
    indicator names, each commitment's organisation and unit, each delivery's quantity."""
    out: dict[tuple[str, str], str] = {}
    reported: dict[str, str] = {}  # each delivery's quantity as last reported, in log order
    for e in entries:
        d, kind = e.get("data"), e.get("event_type")
        if not isinstance(d, Mapping):
            continue
        try:
            if kind in ("VersionDrafted", "AmendmentProposed"):
                out["version", str(d["text_hash"])] = str(d["terms"]["version"])
            elif kind == "IndicatorSet":
                out["indicator", str(d["indicator"]["indicator_id"])] = str(d["indicator"]["name"])
            elif kind == "Pledged":
                cid = str(e.get("stream_id"))
                out["commitment", cid] = str(d["organisation_id"])
                out["unit", cid] = str(d["quantity"]["unit"])
            elif kind in ("DeliveryReported", "DeliveryCorrected"):
                reported[str(d["delivery_id"])] = str(d["quantity"])
            elif kind in ("DeliveryConfirmed", "DeliveryDisputed"):
                out["delivery", str(e.get("position"))] = reported[str(d["delivery_id"])]
        except (KeyError, TypeError):
            continue  # a phrase without this fact still reads
    return out


def who(entry: Mapping[str, Any], lookup: Lookup) -> Sentence:
    """Who recorded an entry: the actor, and for whom under which mandate."""
    return Sentence(tuple(Say(entry, lookup).who()))
