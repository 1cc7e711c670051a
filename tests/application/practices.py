"""Given-helpers for the network of learning: a practice's fields, a publishing decision,
a published practice."""

from __future__ import annotations

from typing import Any

from collab.application import Outcome
from collab.governance.commands import RecordDecision
from collab.practices.commands import AdoptPractice, PublishPractice
from tests.application.world import World


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
    publishes: tuple[str, ...] = ("sector_mix", "resources", "outcomes"),
    audience: str = "signed_in",
) -> str:
    """A unanimous decision of every member in standing to publish a practice."""
    votes = {world.orgs[k]: vote for k, vote in world.voters(pid).items()}
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(
            pid,
            body="General assembly",
            subject={"action": "publish_practice", "publishes": list(publishes), "audience": audience},
            votes=votes,
        ),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def publish(
    world: World, pid: str, practice_id: str | None = None, **options: Any
) -> Outcome:
    """Publish (or publish a new version of) a practice of partnership `pid`."""
    decision_id = publishing_decision(
        world, pid, options.pop("publishes", ("sector_mix", "resources", "outcomes")),
        options.pop("audience", "signed_in"),
    )
    fields = options.pop("fields", None) or practice_fields(world)
    return world.app.execute(
        world.as_broker(),
        PublishPractice(pid, decision_id, fields, practice_id=practice_id, **options),
    )


def adopt(world: World, pid: str, practice_id: str, relation: str = "adapts") -> Outcome:
    return world.app.execute(
        world.as_broker(),
        AdoptPractice(
            pid,
            practice_id,
            relation,
            territory={"country": "ES", "nuts": "ES618", "kind": "rural"},
            why="Our villages lose their elders' care too",
            changes="Run by a cooperative instead of the parish" if relation == "adapts" else None,
        ),
    )
