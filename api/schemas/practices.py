"""Practice requests and answers (DESIGN §8): publish, version, adopt, ask, answer, decline.

The closed vocabularies come from `collab.domain.practice_terms`, the one place they live;
the command checks the fields again when it is built (the schema only shapes them).
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import (
    Choice,
    CommandBody,
    Int,
    Page,
    ReadOptions,
    Strict,
    Text,
    Uuid,
    Whole,
)
from api.schemas.organisations import Territory
from collab.domain import practice_terms as pt
from collab.domain import values as v
from projections.search_query import FACETS

MAX_QUERY = 200  # characters of a search's words
MAX_FACETS = 30

ITEMS = validate.Length(max=pt.MAX_ITEMS)


class PracticeTerritory(Territory):
    kind = Choice(pt.TERRITORY_KINDS, required=True, metadata={"description": "its kind"})


class Need(Strict):
    statement = Text(v.TEXT, required=True, metadata={"description": "the need addressed"})
    assessment = Text(v.LONG, required=True, metadata={"description": "how it was assessed"})


class PracticeContact(Strict):
    role = Text(100, required=True, metadata={"description": "a role, never an address"})
    organisation_id = Uuid(required=True, metadata={"description": "the member it sits at"})


class Evidence(Strict):
    level = fields.Integer(
        strict=True,
        required=True,
        validate=validate.OneOf(list(pt.EVIDENCE_LEVELS)),
        metadata={"description": "Nesta's standards of evidence, 1 to 5"},
    )
    basis = Text(v.LONG, required=True, metadata={"description": "what supports the level"})


class Lesson(Strict):
    what = Text(v.LONG, required=True, metadata={"description": "what did not work"})
    why = Text(v.LONG, required=True)


class PracticeFields(Strict):
    """A practice's own fields (the figures are computed from the ledger, never typed)."""

    title = Text(required=True)
    need = fields.Nested(Need, required=True)
    territory = fields.Nested(PracticeTerritory, required=True)
    target_group = Text(v.LONG, required=True)
    themes = fields.List(
        Choice(pt.THEMES),
        required=True,
        validate=validate.Length(1, 5),
        metadata={"description": "one to five themes"},
    )
    approach = Text(v.TEXT, required=True)
    methods = fields.List(Text(v.SHORT), load_default=None, validate=ITEMS)
    languages = fields.List(
        fields.String(validate=validate.Length(2, 3)),
        required=True,
        validate=validate.Length(1, pt.MAX_ITEMS),
        metadata={"description": "ISO 639 codes, e.g. pt"},
    )
    licence = Choice(pt.LICENCES, required=True)
    contact = fields.Nested(PracticeContact, required=True)
    evidence = fields.Nested(Evidence, required=True)
    did_not_work = fields.List(fields.Nested(Lesson), load_default=None, validate=ITEMS)
    preconditions = fields.List(Text(v.LONG), load_default=None, validate=ITEMS)
    sdg_targets = fields.List(
        fields.String(validate=validate.Length(max=10)),
        load_default=None,
        validate=ITEMS,
        metadata={"description": "SDG targets like 3.8"},
    )


class PublishVersion(CommandBody):
    decision_id = Uuid(
        required=True,
        metadata={"description": "a passed, unused publish_practice decision of the partnership"},
    )
    practice = fields.Nested(PracticeFields, required=True)


class PublishPractice(PublishVersion):
    adapted_from = Uuid(
        load_default=None,
        metadata={"description": "the practice this partnership adopted and adapted"},
    )


class PublishNew(PublishPractice):
    partnership_id = Uuid(required=True, metadata={"description": "the publishing partnership"})


class AdoptPractice(CommandBody):
    partnership_id = Uuid(required=True, metadata={"description": "the adopting partnership"})
    relation = Choice(pt.ADOPTIONS, required=True, metadata={"description": "as it is, or adapted"})
    territory = fields.Nested(PracticeTerritory, required=True)
    why = Text(v.LONG, required=True)
    changes = Text(
        v.LONG, load_default=None, metadata={"description": "what it changed (adapts only)"}
    )


class AskPractice(CommandBody):
    partnership_id = Uuid(required=True, metadata={"description": "the asking partnership"})
    question = Text(v.LONG, required=True)


class AnswerExchange(CommandBody):
    answer = Text(v.TEXT, required=True)


class DeclineExchange(CommandBody):
    """Nothing besides the envelope: its `reason` says why."""


FACET_RE = rf"^({'|'.join(FACETS)}):[A-Za-z0-9_.-]{{1,40}}$"


class PracticeQuery(Page, ReadOptions):
    """A search: words (any of them, ranked), facet values (any value of a facet, every
    facet), or neither (every practice, in the order first published)."""

    partnership_id = Uuid()
    status = Choice(("published", "withdrawn"))
    q = Text(
        MAX_QUERY,
        load_default="",
        metadata={"description": "words, folded (accents, case, tonos, Arabic pointing)"},
    )
    facet = fields.List(
        fields.String(validate=Whole(FACET_RE, error="must be 'facet:value'")),
        load_default=list,
        validate=validate.Length(max=MAX_FACETS),
        metadata={"description": f"repeatable 'facet:value'; facets: {', '.join(FACETS)}"},
    )


class VersionQuery(ReadOptions):
    version = fields.Integer(
        strict=False,
        validate=validate.Range(1, v.MAX_SAFE_INTEGER),
        metadata={"description": "an earlier version's number; default the latest"},
    )


class PracticeSummary(ma.Schema):
    practice_id = fields.String(required=True)
    partnership_id = fields.String(required=True)
    title = fields.String(required=True)
    territory = fields.Dict(keys=fields.String(), required=True)
    themes = fields.List(fields.String(), required=True)
    evidence_level = fields.Integer(required=True)
    status = fields.String(required=True)
    number = fields.Integer(required=True)
    audience = fields.String(required=True)
    published_at = fields.String(required=True)
    outcomes = fields.Raw(metadata={"description": "its published outcomes (in lineage)"})


class FacetValue(ma.Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "matching practices"})
    selected = fields.Boolean(required=True)


class FoundPractice(PracticeSummary):
    score = fields.Float(
        allow_none=True, metadata={"description": "its rank's score; none when unranked"}
    )


class PracticePage(ma.Schema):
    items = fields.List(fields.Nested(FoundPractice), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    total = fields.Integer(required=True, metadata={"description": "every practice matching"})
    facets = fields.Dict(
        required=True,
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValue)),
        metadata={
            "description": "per facet, its values among the matches with their counts; "
            "territory: the chosen NUTS codes and the next level under them"
        },
    )


class SimilarList(ma.Schema):
    items = fields.List(fields.Nested(FoundPractice), required=True)


class VersionRow(ma.Schema):
    number = fields.Integer(required=True)
    position = fields.Integer(required=True)
    published_at = fields.String(required=True)
    decision_id = fields.String(required=True)


class Practice(ma.Schema):
    practice_id = fields.String(required=True)
    partnership_id = fields.String(required=True)
    number = fields.Integer(required=True, metadata={"description": "the version shown"})
    current = fields.Integer(required=True, metadata={"description": "the latest version"})
    status = fields.String(required=True)
    withdrawn_reason = fields.String(allow_none=True, required=True)
    audience = fields.String(required=True)
    adapted_from = fields.String(allow_none=True, required=True)
    decision_id = fields.String(required=True)
    position = fields.Integer(required=True, metadata={"description": "publishing position"})
    published_at = fields.String(required=True)
    content = fields.Dict(keys=fields.String(), required=True)
    figures = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "computed from the ledger as of the publishing position; each "
            "rests_on entry names a stream, version, position and leaf (GET …/proofs/{position})"
        },
    )
    versions = fields.List(fields.Nested(VersionRow), required=True)


class Adoption(ma.Schema):
    adoption_id = fields.String(required=True)
    practice_id = fields.String(required=True)
    adopter = fields.String(required=True)
    relation = fields.String(required=True)
    territory = fields.Dict(keys=fields.String(), required=True)
    why = fields.String(required=True)
    changes = fields.String(allow_none=True, required=True)
    position = fields.Integer(required=True)
    recorded_at = fields.String(required=True)
    practices = fields.List(fields.Nested(PracticeSummary), required=True)
    generation = fields.Integer(required=True)


class Lineage(ma.Schema):
    practice_id = fields.String(required=True)
    ancestors = fields.List(fields.Nested(PracticeSummary), required=True)
    adoptions = fields.List(fields.Nested(Adoption), required=True)


class Exchange(ma.Schema):
    exchange_id = fields.String(required=True)
    practice_id = fields.String(required=True)
    owner = fields.String(required=True)
    asker = fields.String(required=True)
    question = fields.String(required=True)
    status = fields.String(required=True)
    answer = fields.String(allow_none=True, required=True)
    decline_reason = fields.String(allow_none=True, required=True)
    asked_at = fields.String(required=True)
    answered_at = fields.String(allow_none=True, required=True)
    version = Int(required=True)


class ExchangeList(ma.Schema):
    items = fields.List(fields.Nested(Exchange), required=True)


class Vocabularies(ma.Schema):
    themes = fields.List(fields.String(), required=True)
    territory_kinds = fields.List(fields.String(), required=True)
    sector_mix_buckets = fields.List(fields.String(), required=True)
    evidence_levels = fields.List(fields.Integer(), required=True)
    licences = fields.List(fields.String(), required=True)
    figures = fields.List(fields.String(), required=True)
    audiences = fields.List(fields.String(), required=True)
    adoptions = fields.List(fields.String(), required=True)


class ProofQuery(Strict):
    from_size = fields.Integer(
        load_default=None,
        validate=validate.Range(0, v.MAX_SAFE_INTEGER),
        metadata={"description": "also prove consistency from this older checkpoint size"},
    )
