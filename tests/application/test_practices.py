"""Publishing a practice by a partnership's decision, its versions and its withdrawal
(DESIGN §8), on every store."""

from __future__ import annotations

from uuid import uuid4

import pytest

from collab.domain import practice_terms
from collab.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
)
from collab.partnerships.commands import WithdrawMembership
from collab.practices.commands import PublishPractice, WithdrawPractice
from tests.application.practices import (
    adopt,
    ask,
    practice_fields,
    practice_of,
    publish,
    publishing_decision,
    topics_at,
)
from tests.application.world import World


def test_a_practice_is_published_under_a_passed_decision(world: World) -> None:
    # Given a partnership in force whose members decided to publish its sector mix to anyone
    pid = world.in_force()
    decision = publishing_decision(world, pid, ("sector_mix",), audience="anyone")
    fields = practice_fields(world)
    # When a steward publishes the practice under that decision
    out = world.app.execute(world.as_broker(), PublishPractice(pid, decision, fields))
    # Then the partnership records the publishing, then the practice its first version
    practice_id = out.text("practice_id")
    assert out.result == {"practice_id": practice_id, "version": 1, "number": 1}
    assert topics_at(world, out.positions) == ["PracticePublished", "Published"]
    assert world.events(practice_id) == ["Published"]
    # And the practice holds the fields as checked, only the figures the decision lists,
    # and the decision's audience
    practice = practice_of(world, practice_id)
    assert practice.content == practice_terms.content(fields)
    assert set(practice.figures) == {"sector_mix"}
    assert (practice.audience, practice.decisions, practice.current) == ("anyone", [decision], 1)
    assert (practice.partnership_id, practice.adapted_from, practice.withdrawn) == (pid, None, None)
    # And the decision is used
    assert world.partnership_of(pid).decisions[decision].used


def test_a_decision_publishing_nothing_but_the_record_has_no_figures(world: World) -> None:
    pid = world.in_force()
    practice_id = publish(world, pid, publishes=()).text("practice_id")
    practice = practice_of(world, practice_id)
    assert (practice.figures, practice.audience) == ({}, "signed_in")


@pytest.mark.parametrize("decision", ["none", "other_action", "failed", "used"])
def test_publishing_without_a_passed_unused_decision_is_refused(
    world: World, decision: str
) -> None:
    # Given a partnership in force and a decision that is not a passed, unused one to publish
    pid = world.in_force()
    if decision == "none":
        decision_id = str(uuid4())
    elif decision == "other_action":
        decision_id = world.decide(pid, "suspend", world.voters(pid))
    elif decision == "failed":
        decision_id = publishing_decision(world, pid, vote="against")
    else:
        decision_id = publishing_decision(world, pid)
        run = PublishPractice(pid, decision_id, practice_fields(world))
        world.app.execute(world.as_broker(), run)
    # When a steward publishes under it, Then it is refused and nothing is recorded
    command = PublishPractice(pid, decision_id, practice_fields(world))
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), command))


def test_only_a_steward_publishes(world: World) -> None:
    # Given a passed decision; When a member that is not the lead publishes, Then 403
    pid = world.in_force()
    decision = publishing_decision(world, pid)
    command = PublishPractice(pid, decision, practice_fields(world))
    world.refused(ForbiddenError, lambda: world.app.execute(world.as_("b"), command))
    # And to a partner of an organisation outside the partnership it does not exist
    outsider = world.as_who("z")
    world.refused(NotFoundError, lambda: world.app.execute(outsider, command))


@pytest.mark.parametrize("contact", ["z", "c"])
def test_the_contact_is_a_role_at_a_member_in_standing(world: World, contact: str) -> None:
    # Given an organisation registered but no member (z), or a member that withdrew (c)
    pid = world.in_force()
    world.org("z")
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    assert world.partnership_of(pid).members[world.orgs["c"]].status == "withdrawn"
    decision = publishing_decision(world, pid)
    command = PublishPractice(pid, decision, practice_fields(world, contact))
    # When its role is the practice's contact, Then publishing is refused
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), command))


def test_a_version_names_a_practice_of_its_own_partnership(world: World) -> None:
    # Given a practice of another partnership
    pid, other = world.in_force(), world.in_force(keys=("d", "e", "f"))
    foreign = publish(world, other, contact="d").text("practice_id")
    decision = publishing_decision(world, pid)
    command = PublishPractice(pid, decision, practice_fields(world), practice_id=foreign)
    # When this partnership publishes "a new version" of it, Then it is refused
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), command))
    assert world.events(foreign) == ["Published"]


def test_a_new_version_by_another_decision_keeps_the_earlier_ones(world: World) -> None:
    # Given a published practice
    pid = world.in_force()
    first = publish(world, pid)
    practice_id = first.text("practice_id")
    decisions = practice_of(world, practice_id).decisions
    # When a second decision publishes a revised record as its new version
    revised = practice_fields(world, title="Care rounds by the parish and the cooperative")
    out = publish(world, pid, practice_id, fields=revised, audience="anyone")
    # Then it is version 2, under both decisions, and the first version stays as it was
    assert out.result == {"practice_id": practice_id, "version": 2, "number": 2}
    assert world.events(practice_id) == ["Published", "VersionPublished"]
    practice = practice_of(world, practice_id)
    assert practice.current == 2 and len(practice.decisions) == 2
    assert practice.decisions[0] == decisions[0]
    assert practice.content["title"] == revised["title"] and practice.audience == "anyone"
    published = next(iter(world.app.events.get(practice.id)))
    assert published.content["title"] == "Care rounds by the parish"
    assert world.events(pid).count("PracticePublished") == 2


def test_a_withdrawn_practice_takes_no_version_adoption_or_question(world: World) -> None:
    # Given a practice, and another partnership that could take it up
    pid, other = world.in_force(), world.in_force(keys=("d", "e", "f"))
    practice_id = publish(world, pid).text("practice_id")
    # When a steward withdraws it, with a reason
    out = world.app.execute(world.as_("a", reason="the rota ended"), WithdrawPractice(practice_id))
    # Then it is marked withdrawn and stays in history
    assert out.result == {"practice_id": practice_id, "version": 2}
    assert world.events(practice_id) == ["Published", "Withdrawn"]
    assert practice_of(world, practice_id).withdrawn == "the rota ended"
    # And it takes no new version, no adoption, no question, no second withdrawal
    decision = publishing_decision(world, pid)
    command = PublishPractice(pid, decision, practice_fields(world), practice_id=practice_id)
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), command))
    world.refused(RuleViolationError, lambda: adopt(world, other, practice_id, "adopts"))
    world.refused(RuleViolationError, lambda: ask(world, other, practice_id))
    again = world.as_broker(reason="again")
    world.refused(
        RuleViolationError, lambda: world.app.execute(again, WithdrawPractice(practice_id))
    )


def test_withdrawal_states_a_reason_and_is_a_stewards(world: World) -> None:
    # Given a practice, and the lead of another partnership
    pid = world.in_force()
    world.in_force(keys=("d", "e", "f"))
    practice_id = publish(world, pid).text("practice_id")
    command = WithdrawPractice(practice_id)
    # Then without a reason it is refused (422)
    world.refused(InvalidInputError, lambda: world.app.execute(world.as_broker(), command))
    # And a member that is no steward, or a member of another partnership, may not (403)
    for who in ("b", "d"):
        ctx = world.as_(who, reason="we want it gone")
        world.refused(ForbiddenError, lambda ctx=ctx: world.app.execute(ctx, command))
    # And an unknown practice is not found
    unknown = WithdrawPractice(str(uuid4()))
    world.refused(NotFoundError, lambda: world.app.execute(world.as_broker(reason="gone"), unknown))
    assert world.events(practice_id) == ["Published"]


def test_a_retried_publishing_is_replayed_not_published_twice(world: World) -> None:
    # Given a publishing sent with an idempotency key
    pid = world.in_force()
    decision = publishing_decision(world, pid)
    command = PublishPractice(pid, decision, practice_fields(world))
    ctx = world.as_broker(idempotency_key=f"p-{uuid4().hex}")
    first = world.app.execute(ctx, command)
    # When the client retries it, Then it gets the first outcome: one practice, one use
    again = world.app.execute(ctx, command)
    assert again.replayed and again.result == first.result
    assert world.events(pid).count("PracticePublished") == 1


def test_a_withdrawal_naming_a_stale_version_is_refused(world: World) -> None:
    # Given a practice at version 2 (a second version published)
    pid = world.in_force()
    practice_id = publish(world, pid).text("practice_id")
    publish(world, pid, practice_id)
    # When a steward withdraws it expecting version 1 (If-Match), Then 412
    stale = world.as_broker(reason="ended", expected_version=1)
    world.refused(
        StaleVersionError, lambda: world.app.execute(stale, WithdrawPractice(practice_id))
    )
    current = world.as_broker(reason="ended", expected_version=2)
    assert world.app.execute(current, WithdrawPractice(practice_id)).result["version"] == 3
