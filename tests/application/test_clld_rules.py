"""Invariant 4 through the application on every store (issue 15, part 1): the limit the
terms set, and conflicts of interest declared on a decision, recorded and read back."""

from __future__ import annotations

from typing import Any

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.domain.errors import RuleViolationError
from collab.governance.commands import RecordDecision
from tests.application.world import World, terms

GROUPS = {"pub": "public_authority", "civ": "civil_society", "eco": "economic", "env": "other"}


def lag(world: World, limit: str | None = None, **weights: int) -> tuple[str, int]:
    """A clld_lag of the given members (pub leads), its text 1 drafted with `limit`."""
    members: dict[str, dict[str, Any]] = {
        k: {"interest_group": GROUPS[k], "weight": w} for k, w in weights.items()
    }
    members["pub"]["roles"] = ["lead"]
    members["pub"]["sector"] = "public"
    pid = world.partnership("clld_lag", **members)
    draft = world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms(limit=limit)))
    return pid, draft.result["agreement_version"]


def test_the_terms_limit_refuses_an_opening_the_default_would_allow(world: World) -> None:
    # Given a LAG where public authorities hold 45% and terms that set the limit at 40
    pid, number = lag(world, limit="40", pub=9, civ=6, eco=5)
    # When the broker opens the text for signature, Then it is refused, nothing recorded
    message = world.refused(
        RuleViolationError,
        lambda: world.app.execute(world.as_broker(), OpenForSignature(pid, number)),
    )
    assert "at most 40%" in str(message)
    # And terms that keep the default (49) open
    pid, number = lag(world, pub=9, civ=6, eco=5)
    world.app.execute(world.as_broker(), OpenForSignature(pid, number))
    assert world.partnership_of(pid).status == "awaiting_signatures"
    assert "balance_limit" not in world.partnership_of(pid).text(number).terms


def test_conflicts_declared_are_recorded_and_the_member_is_not_present(world: World) -> None:
    # Given a LAG in force under terms with a 45% limit
    pid, number = lag(world, limit="45", pub=3, civ=3, eco=2, env=2)
    world.app.execute(world.as_broker(), OpenForSignature(pid, number))
    text = world.partnership_of(pid).text(number)
    for key in ("pub", "civ", "eco", "env"):
        world.app.execute(world.as_(key), SignAgreement(pid, text_hash=text.hash))
    assert world.partnership_of(pid).status == "active"
    # When a selection decision is recorded with eco declaring a conflict of interest
    o = world.orgs
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(
            pid,
            body="Selection committee",
            subject={"action": "other", "summary": "Project call 1"},  # type: ignore[arg-type]
            votes={o["pub"]: "for", o["civ"]: "for", o["env"]: "against"},
            conflicts=(o["eco"],),
        ),
    )
    # Then eco is not present (8 of 10), and the stored decision names it, read back
    assert (out.result["present_weight"], out.result["passed"]) == (8, True)
    decision = world.partnership_of(pid).decisions[out.result["decision_id"]]
    assert decision.conflicts == (o["eco"],)
    # And when civ and env declare conflicts too, public authorities hold 60% of the weight
    # present, over the terms' 45%: the decision is blocked
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(
            world.as_broker(),
            RecordDecision(
                pid,
                body="Selection committee",
                subject={"action": "other"},  # type: ignore[arg-type]
                votes={o["pub"]: "for", o["env"]: "for"},
                conflicts=(o["civ"], o["eco"]),
            ),
        ),
    )
