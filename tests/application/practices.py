"""Given-helpers for the network of learning: a practice's fields, a publishing decision,
a published practice, adoptions and exchanges."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from collab.application import Context, Outcome
from collab.domain.practice import Practice
from collab.governance.commands import RecordDecision
from collab.practices.commands import AdoptPractice, AskPractice, PublishPractice
from tests.application.world import World

FIGURES = ("sector_mix", "resources", "outcomes")
ES_TERRITORY = {"country": "ES", "nuts": "ES618", "kind": "rural"}


def practice_fields(world: World, contact_key: str = "a", **changes: Any) -> dict[str, Any]:
    """A complete practice record, as a broker would type it."""
    return {
        "title": "Care rounds by the parish",
        "need": {
            "statement": "Elders living alone far from the health centre miss care.",
            "assessment": "A door-to-door survey of 212 households in 2026.",
        },
        "territory": {"country": "PT", "nuts": "PT150", "kind": "rural"},
        "target_group": "People over 75 living alone",
        "themes": ["ageing", "health_care"],
        "approach": "Volunteers and the parish visit weekly; the health centre follows up.",
        "methods": ["home visits", "shared rota"],
        "languages": ["pt", "en"],
        "licence": "CC-BY-4.0",
        "contact": {"role": "Care coordinator", "organisation_id": world.orgs[contact_key]},
        "evidence": {"level": 2, "basis": "Visits and hospital admissions before and after."},
        "did_not_work": [{"what": "Phone calls only", "why": "Elders did not answer."}],
        "preconditions": ["A parish willing to hold the rota"],
        "sdg_targets": ["3.8", "10.2"],
        **changes,
    }


def publishing_decision(
    world: World,
    pid: str,
    publishes: tuple[str, ...] = FIGURES,
    audience: str = "signed_in",
    vote: str = "for",
) -> str:
    """A unanimous decision of every member in standing to publish a practice."""
    votes = {world.orgs[k]: vote for k in world.voters(pid)}
    subject = {"action": "publish_practice", "publishes": list(publishes), "audience": audience}
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(pid, body="General assembly", subject=subject, votes=votes),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def publish(world: World, pid: str, practice_id: str | None = None, **options: Any) -> Outcome:
    """Publish (or publish a new version of) a practice of partnership `pid`; options:
    publishes, audience, fields, contact (the key of the contact's organisation), adapted_from."""
    decision_id = publishing_decision(
        world, pid, options.pop("publishes", FIGURES), options.pop("audience", "signed_in")
    )
    fields = options.pop("fields", None) or practice_fields(world, options.pop("contact", "a"))
    return world.app.execute(
        world.as_broker(),
        PublishPractice(pid, decision_id, fields, practice_id=practice_id, **options),
    )


def adopt(
    world: World,
    pid: str,
    practice_id: str,
    relation: str = "adapts",
    ctx: Context | None = None,
) -> Outcome:
    """Partnership `pid` adopts (or adapts, saying what it changed) a practice."""
    return world.app.execute(
        ctx or world.as_broker(),
        AdoptPractice(
            pid,
            practice_id,
            relation,
            territory=ES_TERRITORY,
            why="Our villages lose their elders' care too",
            changes="Run by a cooperative instead of the parish" if relation == "adapts" else None,
        ),
    )


def ask(world: World, pid: str, practice_id: str, ctx: Context | None = None) -> Outcome:
    """Partnership `pid` asks a question of a practice's partnership."""
    return world.app.execute(
        ctx or world.as_broker(),
        AskPractice(pid, practice_id, question="How did you find volunteers for the rota?"),
    )


def practice_of(world: World, practice_id: str) -> Practice:
    """The practice as recorded (its latest version)."""
    found = world.app.load(UUID(practice_id))
    assert isinstance(found, Practice)
    return found


def topics_at(world: World, positions: tuple[int, ...]) -> list[str]:
    """The event names recorded at these log positions, in log order."""
    found = world.app.recorder.select_notifications(min(positions), len(positions))
    return [n.topic.rsplit(".", 1)[-1] for n in found if n.id in positions]


def pair(world: World, lead: str, member: str | None = None) -> str:
    """A partnership in force of two: `lead` and another member (`member`, or a new one)."""
    return world.in_force(keys=(lead, member or f"{lead}_member"))
