"""Every past state of a partnership is reproduced by `repository.get(id, version=n)`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Collab, Outcome
from collab.commitments.commands import ConfirmCommitment
from collab.domain.partnership import Partnership
from collab.governance.commands import ApplyDecision, ReportResult, SetIndicator, SetMilestone
from collab.partnerships.commands import (
    CorrectPartnership,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    WithdrawMembership,
)
from collab.stores import StoreConfig
from tests.application.conftest import fixed_clock
from tests.application.world import TERRITORY, World, terms


def public_state(aggregate: Any) -> dict[str, Any]:
    """The aggregate's public attributes, deep-copied so later commands cannot alter them."""
    return copy.deepcopy({k: v for k, v in vars(aggregate).items() if not k.startswith("_")})


class Film:
    """Runs commands through a World and takes the partnership's picture after each one."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pid = ""
        self.frames: dict[int, dict[str, Any]] = {}

    def __call__(self, outcome: Outcome) -> Outcome:
        self.pid = self.pid or outcome.result["partnership_id"]
        self.take()
        return outcome

    def take(self) -> None:
        p: Partnership = self.world.app.repository.get(UUID(self.pid))
        if p.version in self.frames:  # a command on another stream: nothing changed here
            assert self.frames[p.version] == public_state(p)
        self.frames[p.version] = public_state(p)


def drive(world: World, shot: Film) -> None:
    """A long-ish life: members, drafts, signatures, plans, commitments, an amendment,
    an accession, decisions, a suspension, a withdrawal and a correction."""
    app, broker = world.app, world.as_broker()
    pid = shot(
        app.execute(
            broker,
            InitiatePartnership(
                title="Care rounds",
                need_statement="Isolated elders lack care",
                territory=TERRITORY,
                partnership_type="social_innovation",
            ),
        )
    ).result["partnership_id"]
    for key, role in (("a", "lead"), ("b", "funder"), ("c", "implementer"), ("d", "knowledge")):
        org = world.org(key)
        shot(app.execute(broker, InviteMember(pid, organisation_id=org, roles=[role], weight=1)))
    for key in "abc":
        shot(app.execute(world.as_(key), JoinPartnership(pid)))
    h1 = shot(app.execute(broker, DraftVersion(pid, terms=terms("First")))).result["text_hash"]
    shot(app.execute(broker, OpenForSignature(pid, agreement_version=1)))
    shot(app.execute(world.as_("a"), SignAgreement(pid, text_hash=h1)))
    h2 = shot(app.execute(broker, DraftVersion(pid, terms=terms("Second")))).result["text_hash"]
    shot(app.execute(broker, OpenForSignature(pid, agreement_version=2)))
    for key in "abc":
        shot(app.execute(world.as_(key), SignAgreement(pid, text_hash=h2)))
    shot(app.execute(broker, SetMilestone(pid, title="Kick-off", due_date="2027-03-01")))
    out = shot(
        app.execute(
            broker,
            SetIndicator(
                pid, kind="output", name="Visits", unit="visit", baseline="0", target="520.5"
            ),
        )
    )
    shot(
        app.execute(
            broker,
            ReportResult(
                pid, indicator_id=out.result["indicator_id"], actual="12.25", as_of="2027-06-30"
            ),
        )
    )
    cid = world.pledge("b", pid, confirm=False)
    shot.take()
    shot(app.execute(world.as_("b"), ConfirmCommitment(cid)))
    h3 = shot(app.execute(broker, ProposeAmendment(pid, base_version=2, terms=terms("Third"))))
    for key in "abc":
        shot(app.execute(world.as_(key), SignAgreement(pid, text_hash=h3.result["text_hash"])))
    shot(app.execute(world.as_("d"), JoinPartnership(pid)))
    shot(app.execute(world.as_("d"), SignAgreement(pid, text_hash=h3.result["text_hash"])))
    for action in ("suspend", "resume"):
        did = world.decide(pid, action, dict.fromkeys("abcd", "for"))
        shot.take()
        shot(app.execute(broker, ApplyDecision(pid, action=action, decision_id=did)))
    shot(app.execute(world.as_("b"), WithdrawMembership(pid)))
    shot(
        app.execute(broker, CorrectPartnership(pid, changes={"title": "Care"}, corrects_version=1))
    )


@pytest.fixture(params=[100, 3], ids=["no-snapshot", "snapshot-every-3"])
def history_app(store_config: StoreConfig, request: pytest.FixtureRequest) -> Iterator[Collab]:
    service = Collab(store_config, snapshot_interval=request.param, clock=fixed_clock)
    yield service
    service.close()


def test_every_past_state_of_a_partnership_is_reproduced(history_app: Collab) -> None:
    # Given a partnership's whole life, pictured after every command
    world = World(history_app)
    film = Film(world)
    drive(world, film)
    pid = UUID(film.pid)
    latest: Partnership = history_app.repository.get(pid)
    assert latest.version == max(film.frames) and latest.version > 30
    assert world.events(film.pid)[-2:] == ["MemberWithdrew", "DetailsCorrected"]
    # When each version is read back, Then it is exactly the state seen at that version
    for version in range(1, latest.version + 1):
        past: Partnership = history_app.repository.get(pid, version=version)
        assert past.version == version
        if version in film.frames:
            assert public_state(past) == film.frames[version], f"version {version}"
    # And with a small interval, snapshots were taken and serve those reads
    snapshots = list(history_app.snapshots.get(pid)) if history_app.snapshots else []
    assert bool(snapshots) == (history_app.snapshotting_intervals[type(latest)] == 3)
