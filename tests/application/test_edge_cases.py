"""Edge cases found in review: odd input shapes, ownership of contacts, one correlation id."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from collab.agreements.commands import DraftVersion, SignAgreement
from collab.application import Context
from collab.domain.errors import InvalidInputError, NotFoundError, RuleViolationError
from collab.governance.commands import RecordDecision, SetMilestone
from collab.organisations import contacts
from collab.organisations.commands import GrantMandate, RegisterOrganisation
from collab.partnerships.commands import InitiatePartnership, InviteMember
from collab.visibility import Ties
from tests.application.world import TERRITORY, World, terms


@pytest.mark.parametrize(
    "shape",
    [
        {"terms": {1: "a", "b": 2}},
        {"terms": {"vision": [[[[[]]]]]}},
    ],
)
def test_non_json_shapes_in_a_command_are_refused_not_crashed(
    world: World, shape: dict[str, Any]
) -> None:
    pid = world.partnership(a={})
    world.refused(
        InvalidInputError, lambda: world.app.execute(world.as_broker(), DraftVersion(pid, **shape))
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("roles", [{1: 2, "a": 3}]),
        ("weight", {1: 2, "a": 3}),
        ("weight", 10.0),
        ("signatory", "yes"),
    ],
)
def test_malformed_membership_fields_are_refused(world: World, field: str, value: object) -> None:
    pid = world.partnership(a={})
    org = world.org("b")
    args: dict[str, Any] = {
        "organisation_id": org,
        "roles": ["implementer"],
        "weight": 1,
        field: value,
    }
    world.refused(
        InvalidInputError, lambda: world.app.execute(world.as_broker(), InviteMember(pid, **args))
    )


@pytest.mark.parametrize("classifications", [5, "sdg", [{1: "a", "b": 2}]])
def test_malformed_classifications_are_refused(world: World, classifications: object) -> None:
    world.refused(
        InvalidInputError,
        lambda: world.app.execute(
            world.as_broker(),
            InitiatePartnership(
                title="T",
                need_statement="N",
                territory=TERRITORY,
                partnership_type="other",
                classifications=classifications,
            ),
        ),
    )


def test_omitted_classifications_mean_none(world: World) -> None:
    out = world.app.execute(
        world.as_broker(),
        InitiatePartnership(
            title="T",
            need_statement="N",
            territory=TERRITORY,
            partnership_type="other",
            classifications=None,
        ),
    )
    assert world.partnership_of(out.result["partnership_id"]).classifications == []


def test_a_float_is_not_an_iati_organisation_type(world: World) -> None:
    world.refused(
        InvalidInputError,
        lambda: world.app.execute(
            world.as_broker(),
            RegisterOrganisation(
                identifiers=[{"scheme": "PT-NIPPC", "id": "1"}],
                legal_name="X",
                org_type=10.0,
                sector="public",
                territory=TERRITORY,
            ),
        ),
    )


def test_one_command_records_one_correlation_id(world: World) -> None:
    # When an organisation with two identifiers is registered (three events, two streams)
    out = world.app.execute(
        world.as_broker(),
        RegisterOrganisation(
            identifiers=[{"scheme": "PT-NIPPC", "id": "11"}, {"scheme": "GB-COH", "id": "22"}],
            legal_name="X",
            org_type=22,
            sector="civil_society",
            territory=TERRITORY,
        ),
    )
    # Then every event it recorded carries the same correlation id
    start = out.position - len(out.positions) + 1
    states = [json.loads(n.state) for n in world.app.recorder.select_notifications(start, 10)]
    assert len(states) == 3
    assert len({s["meta"]["correlation_id"] for s in states}) == 1


def test_contacts_of_another_organisation_cannot_be_taken_over(world: World) -> None:
    a, b = world.org("a"), world.org("b")
    contact = contacts.set_contact(
        world.app,
        world.as_("a").actor,
        a,
        Ties(),
        name="Ana",
        email="ana@example.org",
        role="chair",
    )
    world.refused(
        NotFoundError,
        lambda: contacts.set_contact(
            world.app,
            world.as_("b").actor,
            b,
            Ties(),
            name="Eve",
            email="eve@example.org",
            role="x",
            contact_id=contact.contact_id,
        ),
    )
    assert [c.name for c in world.app.side.list_contacts(a)] == ["Ana"]
    with pytest.raises(NotFoundError):
        contacts.erase_contact(world.app, world.as_("b").actor, b, contact.contact_id, Ties())


def test_on_behalf_of_is_normalised_before_authority_is_resolved(world: World) -> None:
    pid = world.partnership(a={"roles": ["lead"]})
    org = world.orgs["a"]
    world.app.execute(
        world.as_("a"), GrantMandate(org, broker_id=world.broker.id, partnership_id=pid)
    )
    # A mandated broker naming the organisation in upper case acts for it all the same
    world.app.execute(
        Context(world.broker, on_behalf_of=org.upper()),
        SetMilestone(pid, title="Kick-off", due_date="2027-01-15"),
    )
    meta = list(world.app.events.get(uuid.UUID(pid)))[-1].meta  # type: ignore[attr-defined]
    assert meta["on_behalf_of"] == org


def test_a_vote_naming_one_organisation_twice_is_refused(world: World) -> None:
    pid = world.in_force()
    a = world.orgs["a"]
    votes = {a: "for", a.upper(): "against", world.orgs["b"]: "for"}
    world.refused(
        InvalidInputError,
        lambda: world.app.execute(
            world.as_broker(),
            RecordDecision(pid, body="AGM", subject={"action": "suspend"}, votes=votes),
        ),
    )


def test_a_partnership_has_one_lead(world: World) -> None:
    pid = world.partnership(a={"roles": ["lead"]})
    org = world.org("b")
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(
            world.as_broker(), InviteMember(pid, organisation_id=org, roles=["lead"], weight=1)
        ),
    )


def test_consensus_passes_when_nobody_votes_against(world: World) -> None:
    pid = world.in_force(rule="consensus")
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(
            pid,
            body="AGM",
            subject={"action": "other", "summary": "note"},
            votes=dict.fromkeys(world.orgs.values(), "abstain"),
        ),
    )
    assert out.result["passed"] is True


def test_redrafting_abandons_the_text_open_for_signature(world: World) -> None:
    pid = world.partnership(a={}, b={})
    first = world.draft_and_open(pid)
    world.app.execute(world.as_("a"), SignAgreement(pid, text_hash=first))
    world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms("A better vision")))
    p = world.partnership_of(pid)
    assert (p.status, p.text(1).status, p.text(2).status) == (
        "negotiating",
        "abandoned",
        "draft",
    )
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(world.as_("b"), SignAgreement(pid, text_hash=first)),
    )
