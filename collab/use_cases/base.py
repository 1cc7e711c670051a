"""The application base: stores, snapshots, the command loop and authority resolution."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.utils import strtobool

from collab import visibility
from collab.audit.keys import KeyRing
from collab.commands import (
    MAX_ATTEMPTS,
    Attempt,
    Command,
    IntegrityError,
    Outcome,
    conflict_exhausted,
    fingerprint,
    idempotency_record,
    replay_or_refuse,
)
from collab.domain import values as v
from collab.domain.actor import ALL, ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Actor, utc_now
from collab.domain.errors import (
    CollabError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
)
from collab.domain.organisation import Mandate, Organisation
from collab.domain.partnership import Partnership
from collab.stores import StoreConfig, eventsourcing_env
from collab.stores.base import CollabRecorder
from collab.stores.streams import position_of
from collab.visibility import Facts, Membership, Viewer, Window

Handler = Callable[[Attempt], dict[str, Any]]


class CollabRepository(Repository[UUID]):
    """The library's repository, completing a partnership restored from an older snapshot
    whose former members' records lack their exit version (see `place_exits`)."""

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        aggregate = super().get(aggregate_id, version=version, **kwargs)
        if isinstance(aggregate, Partnership) and aggregate.unplaced_exits():
            aggregate.place_exits(self.event_store.get(aggregate_id, lte=aggregate.version))
        return aggregate


class CollabBase(Application[UUID]):
    """One eventsourcing Application; every use case runs through ``run``."""

    name = "collab"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Partnership: 100,
        Commitment: 100,
        Organisation: 100,
        ActorBinding: 100,
    }

    def __init__(
        self,
        config: StoreConfig | None = None,
        *,
        snapshot_interval: int | None = 100,
        clock: Callable[[], datetime] = utc_now,
        keys: KeyRing | None = None,
    ) -> None:
        self.config = config or StoreConfig.from_env()
        # With keys, every stored event is signed in its own transaction (DESIGN §5) and
        # the read side appends it to the Merkle log.
        self.keys = keys
        env = eventsourcing_env(self.config)
        # The interval is per instance (benchmarks compare with and without snapshots).
        intervals = dict.fromkeys(type(self).snapshotting_intervals, snapshot_interval or 0)
        if not snapshot_interval:
            env["IS_SNAPSHOTTING_ENABLED"] = "n"
            intervals = {}
        vars(self)["snapshotting_intervals"] = intervals
        self.clock = clock
        # Called after each committed command, before it returns: embedded mode catches
        # the read models up here, so a caller always reads its own writes.
        self.after_commit: list[Callable[[Outcome], None]] = []
        super().__init__(env=env)
        assert isinstance(self.recorder, CollabRecorder)
        self.side: CollabRecorder = self.recorder
        self.side.signer = None if keys is None else keys.signer
        # Identifier claims (one event) and actor bindings (a handful) are loaded on every
        # registration and every request: without the snapshot lookup, one query fewer.
        self.small: Repository[UUID] = Repository(self.events)

    def construct_repository(self) -> Repository[UUID]:
        env = self.env
        maxsize = env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return CollabRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=strtobool(env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    # -- the command loop ----------------------------------------------------------------

    def run(self, command: str, cmd: Command, args: dict[str, Any], handler: Handler) -> Outcome:
        """Run a handler with retries on version conflicts; one save per successful try."""
        cmd = cmd.checked()
        print_ = cmd.fingerprint or fingerprint(command, args)
        if cmd.idempotency_key is not None:
            earlier = self.side.get_idempotency(cmd.actor.id, cmd.idempotency_key)
            if earlier is not None:
                return replay_or_refuse(earlier, command, print_)
        for _ in range(MAX_ATTEMPTS):
            now = self.clock()
            attempt = Attempt(cmd=cmd, now=now, load=self.load)
            try:
                result = handler(attempt)
            except CollabError:
                # A duplicate of this keyed command may have committed since the check
                # above, and its effects refuse this try: the answer is its outcome.
                if cmd.idempotency_key is not None:
                    earlier = self.side.get_idempotency(cmd.actor.id, cmd.idempotency_key)
                    if earlier is not None:
                        return replay_or_refuse(earlier, command, print_)
                raise
            record = idempotency_record(cmd, command, print_, result, now)
            try:
                recordings = self.save(*attempt.staged, idempotency=record)
            except IntegrityError:
                if cmd.idempotency_key is not None:
                    earlier = self.side.get_idempotency(cmd.actor.id, cmd.idempotency_key)
                    if earlier is not None:
                        return replay_or_refuse(earlier, command, print_)
                if cmd.expected_version is not None:
                    # Someone committed after our If-Match check: the caller's view is stale.
                    raise StaleVersionError(f"{command}: the target changed concurrently") from None
                continue
            outcome = Outcome(command, result, tuple(r.notification.id for r in recordings))
            for listener in self.after_commit:
                listener(outcome)
            return outcome
        raise conflict_exhausted(command)

    def load(self, aggregate_id: UUID) -> Aggregate:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"nothing recorded under {aggregate_id}") from None
        assert isinstance(aggregate, Aggregate)
        return aggregate

    # -- authority (DESIGN §3), resolved from recorded events only -----------------------

    def resolve_acting(self, attempt: Attempt, partnership_id: str | None) -> Acting:
        """The organisation the actor acts as, checking a broker's mandate for it."""
        cmd = attempt.cmd
        actor = cmd.actor
        if actor.role == "partner":
            if cmd.on_behalf_of not in (None, actor.organisation_id):
                raise ForbiddenError("a partner acts only for its own organisation")
            acting = Acting(actor, actor.organisation_id)
        elif actor.role == "broker" and cmd.on_behalf_of is not None:
            org = attempt.get(Organisation, cmd.on_behalf_of)
            mandate = org.mandate_for(actor.id, partnership_id, attempt.now.date().isoformat())
            if mandate is None:
                raise ForbiddenError("the broker holds no mandate from this organisation here")
            acting = Acting(actor, cmd.on_behalf_of, mandate)
        else:
            if cmd.on_behalf_of is not None:
                raise ForbiddenError("only brokers act on behalf of an organisation")
            acting = Acting(actor, None)
        attempt.acting = acting
        return acting

    def candidates(
        self, attempt: Attempt, organisations: Iterable[str], partnership_id: str | None
    ) -> list[Acting]:
        """Every identity the caller may act as here without a body: itself and, for a
        broker, each organisation whose live mandate it holds for this partnership (or,
        with none named, for all of the organisation's). Authority that depends on the
        body (`on_behalf_of`) is `resolve_acting`'s."""
        actor = attempt.cmd.actor
        if actor.role == "partner":
            return [Acting(actor, actor.organisation_id)]
        found = [Acting(actor, None)]
        if actor.role == "broker":
            today = attempt.now.date().isoformat()
            for org_id in organisations:
                org = attempt.get(Organisation, org_id)
                mandate = org.mandate_for(actor.id, partnership_id, today)
                if mandate is not None:
                    found.append(Acting(actor, org_id, mandate))
        return found

    def viewer(self, actor: Actor, now: datetime) -> Viewer:
        """The caller for the visibility rule, with an auditor's grants as recorded."""
        grants = None
        if actor.role == "auditor":
            try:
                binding = self.get_binding(actor.id)
            except NotFoundError:
                return Viewer(actor, now.date().isoformat(), frozenset())
            held = binding.grants if binding.active else []
            grants = None if ALL in held else frozenset(held)
        return Viewer(actor, now.date().isoformat(), grants)

    def facts(self, attempt: Attempt, partnership: Partnership, viewer: Viewer) -> Facts:
        """What the visibility rule needs, from the aggregates: the caller's organisation's
        membership, or a broker's mandates from the partnership's member organisations."""
        actor = viewer.actor
        members: dict[str, Membership] = {}
        mandates: list[Mandate] = []
        if actor.role == "partner" and actor.organisation_id in partnership.members:
            members[actor.organisation_id] = self.standing(partnership, actor.organisation_id)
        if actor.role == "broker" and actor.id not in partnership.brokers:
            for org_id in partnership.members:
                given = attempt.get(Organisation, org_id).mandates_of(actor.id)
                if given:
                    mandates += given
                    members[org_id] = self.standing(partnership, org_id)
        return Facts(str(partnership.id), frozenset(partnership.brokers), members, tuple(mandates))

    def standing(self, partnership: Partnership, org_id: str) -> Membership:
        """An organisation's membership as the visibility rule reads it; a former member's
        exit placed in the log (the position of its exit event)."""
        m = partnership.members[org_id]
        exit_version = m.get("exit_version")
        exit = (
            None
            if exit_version is None
            else position_of(self.recorder, partnership.id, exit_version)
        )
        return Membership(m["status"], exit)

    def window(self, partnership: Partnership, attempt: Attempt) -> Window:
        """The caller's window on the partnership (collab.visibility decides)."""
        viewer = self.viewer(attempt.cmd.actor, attempt.now)
        return visibility.window(viewer, self.facts(attempt, partnership, viewer))

    def check_visible(self, partnership: Partnership, attempt: Attempt) -> Window:
        """404 unless the caller may see this partnership; its window otherwise."""
        win = self.window(partnership, attempt)
        if not win.visible:
            raise NotFoundError(f"no partnership {partnership.id}")
        return win

    def check_commitment_visible(
        self, commitment: Commitment, partnership: Partnership, win: Window
    ) -> None:
        """404 unless the commitment is in the caller's window on its partnership."""

        def existed_at(position: int) -> bool:
            created = position_of(self.recorder, commitment.id, 1)
            return created is not None and created <= position

        if not visibility.sees_commitment(win, existed_at):
            raise NotFoundError(f"no commitment {commitment.id}")

    def get_binding(self, actor_id: Any) -> ActorBinding:
        """The recorded binding of an actor id (404 when none)."""
        try:
            aid = UUID(str(actor_id))
        except ValueError:
            raise NotFoundError(f"no actor {actor_id}") from None
        try:
            binding: Aggregate = self.small.get(aid)
        except AggregateNotFoundError:
            raise NotFoundError(f"no actor {actor_id}") from None
        if not isinstance(binding, ActorBinding):
            raise NotFoundError(f"no actor {actor_id}")
        return binding

    def check_broker(self, attempt: Attempt, broker_id: object, field: str) -> str:
        """A referenced broker must be an enrolled, active broker actor (recorded events)."""
        binding = attempt.get(ActorBinding, v.identifier(broker_id, field))
        if binding.role != "broker" or not binding.active:
            raise RuleViolationError(f"{field}: the actor is not an active broker")
        return str(binding.id)

    def check_actor_visible(self, actor: Actor, actor_id: str) -> None:
        """Actors see their own records; admins everyone's (DESIGN §3): others' are 404."""
        if not visibility.sees_actor(actor, actor_id):
            raise NotFoundError(f"no actor {actor_id}")

    def partnership_for(
        self, attempt: Attempt, partnership_id: object, *, target: bool = True
    ) -> tuple[Partnership, Acting]:
        """Load a partnership, check it is visible, resolve who acts, check If-Match."""
        pid = v.identifier(partnership_id, "partnership_id")
        partnership = attempt.get(Partnership, pid)
        attempt.window = self.check_visible(partnership, attempt)
        acting = self.resolve_acting(attempt, pid)
        if target:
            attempt.target(partnership)
        return partnership, acting

    def organisation(
        self, attempt: Attempt, organisation_id: object, field: str = "organisation_id"
    ) -> Organisation:
        """An active registered organisation (404 unknown, 409 deactivated)."""
        org = attempt.get(Organisation, v.identifier(organisation_id, field))
        org.check_active()
        return org
