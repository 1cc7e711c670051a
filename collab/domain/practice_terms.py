"""A practice record's closed vocabularies and its typed-in fields, checked (DESIGN §8).

The vocabularies live here and only here: the API, the explorer and the documentation
(`docs/practices.md`) read them from this module. What a practice computes from the
ledger (sector mix, resources, outcomes) is in `practice_figures.py`, never typed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from collab.domain import reference, terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError, RuleViolationError

# Themes: the fields of the EU's social innovation and LEADER good-practice collections,
# merged into one list of plain words (a practice names one to five).
THEMES = (
    "social_inclusion",
    "employment_skills",
    "health_care",
    "ageing",
    "children_youth",
    "education",
    "housing",
    "food_agriculture",
    "mobility",
    "energy_climate",
    "environment",
    "culture_heritage",
    "digital",
    "local_economy",
    "tourism",
    "migration_integration",
    "gender_equality",
    "community_services",
    "participation_governance",
)
# The kind of territory a practice was tested in (Eurostat's urban-rural and territorial
# typologies, in words a group recognises).
TERRITORY_KINDS = (
    "rural",
    "remote_rural",
    "peri_urban",
    "urban",
    "coastal",
    "mountain",
    "island",
    "cross_border",
)
# Which sectors the partners in standing came from, computed (never typed in).
SECTOR_MIX_BUCKETS = (
    "public_only",
    "civil_society_only",
    "private_only",
    "public_civil_society",
    "public_private",
    "civil_society_private",
    "public_civil_society_private",
)
# Nesta's standards of evidence: 1 a logical account of why it should work, 2 data showing
# change, 3 a comparison group showing it caused the change, 4 independent replication of
# the effect, 5 a manual so others can deliver it at scale with the same effect.
EVIDENCE_LEVELS = (1, 2, 3, 4, 5)
LICENCES = ("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0")
# What a publishing decision may publish besides the record's own fields.
FIGURES = ("sector_mix", "resources", "outcomes")
# Who reads a published practice: every signed-in actor, or anyone (no sign-in).
AUDIENCES = ("signed_in", "anyone")
ADOPTIONS = ("adopts", "adapts")  # as it is, or with changes (which and why)
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 (or 639-3 where 639-1 has none)
MAX_ITEMS = 20

FIELDS = (
    "title",
    "need",
    "territory",
    "target_group",
    "themes",
    "approach",
    "methods",
    "languages",
    "licence",
    "contact",
    "evidence",
    "did_not_work",
    "preconditions",
    "sdg_targets",
)
REQUIRED: tuple[str, ...] = ("title", "need", "territory", "target_group", "themes")
REQUIRED += ("approach", "languages", "licence", "contact", "evidence")


def texts(value: object, field: str, *, max_length: int = v.LONG) -> list[str]:
    """A list of at most MAX_ITEMS texts (methods, preconditions)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_ITEMS:
        raise InvalidInputError(field, f"must be a list of at most {MAX_ITEMS} texts")
    return [v.text(t, f"{field}[{n}]", max_length=max_length) for n, t in enumerate(value)]


def bounded(value: object, field: str, low: int, high: int) -> list[Any]:
    if not isinstance(value, list | tuple) or not low <= len(value) <= high:
        raise InvalidInputError(field, f"must be a list of {low} to {high} items")
    return list(value)


def need(value: object) -> dict[str, str]:
    data = v.mapping(value, "need", ("statement", "assessment"), ("statement", "assessment"))
    return {
        "statement": v.text(data["statement"], "need.statement", max_length=v.TEXT),
        "assessment": v.text(data["assessment"], "need.assessment", max_length=v.LONG),
    }


def place(value: object) -> dict[str, Any]:
    """The territory it was tested in (NUTS 2024 / LAU) and the kind of territory."""
    data = v.mapping(value, "territory", ("country", "nuts", "lau", "kind"), ("country", "kind"))
    where = terms.plain(terms.territory({k: x for k, x in data.items() if k != "kind"}))
    return {**where, "kind": v.choice(data["kind"], "territory.kind", TERRITORY_KINDS)}


def contact(value: object) -> dict[str, str]:
    """A role at a member organisation (reached through the register and the learning
    exchanges), never a person's name or private address."""
    data = v.mapping(value, "contact", ("role", "organisation_id"), ("role", "organisation_id"))
    role = v.text(data["role"], "contact.role", max_length=100)
    if "@" in role:
        raise InvalidInputError("contact.role", "names a role, not an address")
    organisation = v.identifier(data["organisation_id"], "contact.organisation_id")
    return {"role": role, "organisation_id": organisation}


def evidence(value: object) -> dict[str, Any]:
    data = v.mapping(value, "evidence", ("level", "basis"), ("level", "basis"))
    return {
        "level": v.choice(data["level"], "evidence.level", EVIDENCE_LEVELS),
        "basis": v.text(data["basis"], "evidence.basis", max_length=v.LONG),
    }


def lessons(value: object) -> list[dict[str, str]]:
    """What did not work, and why."""
    if value is None:
        return []
    found = []
    for n, item in enumerate(bounded(value, "did_not_work", 0, MAX_ITEMS)):
        data = v.mapping(item, f"did_not_work[{n}]", ("what", "why"), ("what", "why"))
        what = v.text(data["what"], f"did_not_work[{n}].what", max_length=v.LONG)
        why = v.text(data["why"], f"did_not_work[{n}].why", max_length=v.LONG)
        found.append({"what": what, "why": why})
    return found


def languages(value: object) -> list[str]:
    picked = bounded(value, "languages", 1, MAX_ITEMS)
    codes = [v.pattern(c, "languages", LANGUAGE_RE, "ISO 639 codes like 'pt'") for c in picked]
    if len(set(codes)) != len(codes):
        raise InvalidInputError("languages", "must not repeat items")
    return codes


def sdg_targets(value: object) -> list[str]:
    if value is None:
        return []
    picked = bounded(value, "sdg_targets", 0, MAX_ITEMS)
    known = reference.sdg_codes()
    for code in picked:
        if not isinstance(code, str) or "." not in code or code not in known:
            raise InvalidInputError("sdg_targets", f"{code!r} is not an SDG target like '3.8'")
    if len(set(picked)) != len(picked):
        raise InvalidInputError("sdg_targets", "must not repeat items")
    return sorted(picked, key=sdg_order)


def sdg_order(code: str) -> tuple[int, str]:
    goal, _, target = code.partition(".")
    return int(goal), target.rjust(3, "0")


def content(value: object) -> dict[str, Any]:
    """A practice's own fields, checked, in a fixed shape (what its version publishes)."""
    data = v.mapping(value, "practice", FIELDS, REQUIRED)
    themes = v.choices(data["themes"], "themes", THEMES)
    if len(themes) > 5:
        raise InvalidInputError("themes", "must name at most 5 themes")
    return {
        "title": v.text(data["title"], "title"),
        "need": need(data["need"]),
        "territory": place(data["territory"]),
        "target_group": v.text(data["target_group"], "target_group", max_length=v.LONG),
        "themes": themes,
        "approach": v.text(data["approach"], "approach", max_length=v.TEXT),
        "methods": texts(data.get("methods"), "methods", max_length=v.SHORT),
        "languages": languages(data["languages"]),
        "licence": v.choice(data["licence"], "licence", LICENCES),
        "contact": contact(data["contact"]),
        "evidence": evidence(data["evidence"]),
        "did_not_work": lessons(data.get("did_not_work")),
        "preconditions": texts(data.get("preconditions"), "preconditions"),
        "sdg_targets": sdg_targets(data.get("sdg_targets")),
    }


def figures(value: object, field: str = "subject.publishes") -> tuple[str, ...]:
    """What a publishing decision publishes besides the record: some of FIGURES, in order."""
    picked = v.choices(value, field, FIGURES, min_items=0)
    return tuple(f for f in FIGURES if f in picked)


def bucket(sectors: Iterable[str]) -> str:
    """The sector-mix bucket of the sectors present (an empty partnership has none)."""
    found = set(sectors)
    present = [s for s in ("public", "civil_society", "private") if s in found]
    if not present:
        raise RuleViolationError("a practice is published by a partnership with members")
    name = "_".join(present)
    return name + "_only" if len(present) == 1 else name


def vocabularies() -> Mapping[str, tuple[Any, ...]]:
    """Every closed vocabulary of a practice, by name (served at /v1/practices/vocabularies)."""
    return {
        "themes": THEMES,
        "territory_kinds": TERRITORY_KINDS,
        "sector_mix_buckets": SECTOR_MIX_BUCKETS,
        "evidence_levels": EVIDENCE_LEVELS,
        "licences": LICENCES,
        "figures": FIGURES,
        "audiences": AUDIENCES,
        "adoptions": ADOPTIONS,
    }
