"""The application service: one eventsourcing Application, a table from command type to
handler, and one executor (authority, retries, idempotency) that runs them all."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Notification,
    Recording,
    Transcoding,
)
from eventsourcing.utils import resolve_topic, strtobool

from collab import access
from collab.actors.handlers import HANDLERS as ACTORS
from collab.agreements.handlers import HANDLERS as AGREEMENTS
from collab.audit.keys import KeyRing
from collab.budgets.handlers import HANDLERS as BUDGETS
from collab.commands import (
    MAX_ATTEMPTS,
    Command,
    Context,
    Outcome,
    conflict_exhausted,
    idempotency_record,
    replay_or_refuse,
)
from collab.commitments.handlers import HANDLERS as COMMITMENTS
from collab.documents.handlers import HANDLERS as DOCUMENTS
from collab.documents.store import DocumentStore
from collab.domain import values as v
from collab.domain.actor import ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Actor, utc_now
from collab.domain.errors import CollabError, NotFoundError
from collab.domain.lineage import Lineage
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import VALUES, record
from collab.due import HANDLERS as DUE
from collab.governance.handlers import HANDLERS as GOVERNANCE
from collab.indicators.handlers import HANDLERS as INDICATORS
from collab.memberships.handlers import HANDLERS as MEMBERSHIPS
from collab.organisations.handlers import HANDLERS as ORGANISATIONS
from collab.partnerships.handlers import HANDLERS as PARTNERSHIPS
from collab.practices.handlers import HANDLERS as PRACTICES
from collab.stores import StoreConfig, eventsourcing_env
from collab.stores.base import CollabRecorder, GroupCommit
from collab.stores.streams import fold
from collab.tx import Handlers, Tx
from collab.visibility import Viewer, Window

A = TypeVar("A", bound=Aggregate)
log = logging.getLogger("collab.application")

HANDLERS: Handlers = {
    **ORGANISATIONS,
    **ACTORS,
    **PARTNERSHIPS,
    **AGREEMENTS,
    **GOVERNANCE,
    **COMMITMENTS,
    **INDICATORS,
    **MEMBERSHIPS,
    **DUE,
    **PRACTICES,
    **DOCUMENTS,
    **BUDGETS,
}


class ValueAsRecord(Transcoding):
    """A partnership's state value in a snapshot: its fields, under a stable name."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"collab.{cls.__name__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return record(obj)

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class CollabRepository(Repository[UUID]):
    """The library's repository, completing a partnership restored from an older snapshot
    whose former members' records lack their exit version (see `place_exits`)."""

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        aggregate = super().get(aggregate_id, version=version, **kwargs)
        if isinstance(aggregate, Partnership) and aggregate.unplaced_exits():
            aggregate.place_exits(self.event_store.get(aggregate_id, lte=aggregate.version))
        if isinstance(aggregate, Partnership) and aggregate.unplaced_reports():
            # A snapshot older than reporting periods (and events applied to it since):
            # the stream's own events, folded, give the exact state; once, until the next
            # snapshot is taken.
            folded: Any = None
            for e in self.event_store.get(aggregate_id, lte=aggregate.version):
                stored: Any = e
                folded = stored.mutate(folded)
            aggregate = folded
        return aggregate


class Collab(Application[UUID]):
    """Every command of DESIGN §2 through `execute`, and the reads the other layers need."""

    name = "collab"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Partnership: 100,
        Commitment: 100,
        Organisation: 100,
        ActorBinding: 100,
        Lineage: 100,
    }

    def __init__(
        self,
        config: StoreConfig | None = None,
        *,
        snapshot_interval: int | None = 100,
        clock: Callable[[], datetime] = utc_now,
        keys: KeyRing | None = None,
        documents: DocumentStore | None = None,
    ) -> None:
        self.config = config or StoreConfig.from_env()
        # Where files named by documents' events live (None: no files; listing one in
        # agreement terms is refused).
        self.documents = documents
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
        # The embedded writer, once attached (`api/wiring.py`): commits go through it.
        self.group: GroupCommit | None = None
        super().__init__(env=env)
        assert isinstance(self.recorder, CollabRecorder)
        self.side: CollabRecorder = self.recorder
        self.side.signer = None if keys is None else keys.signer
        # Identifier claims (one event) and actor bindings (a handful) are loaded on every
        # registration and every request: without the snapshot lookup, one query fewer.
        self.small: Repository[UUID] = Repository(self.events)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """The library's recording, or (with an embedded writer) the events handed to it to
        be committed with other commands' and the views, each in its own savepoint."""
        if self.group is None:
            return super()._record(processing_event)
        events = processing_event.events
        stored = [self.mapper.to_stored_event(e) for e in events]
        ids = self.group.submit(events, stored, processing_event.saved_kwargs)
        cache = self.repository.cache
        if cache and not self.repository.fastforward:  # as the library's own recording
            for aggregate_id, aggregate in processing_event.aggregates.items():
                cache.put(aggregate_id, aggregate)
        return [
            Recording(d, Notification(s.originator_id, s.originator_version, s.topic, s.state, n))
            for d, s, n in zip(events, stored, ids, strict=True)
        ]

    def commit_through(self, group: GroupCommit) -> None:
        """Record commands, and the snapshots they trigger, through an embedded writer."""
        self.group = group
        recorder = self.snapshots.recorder if self.snapshots is not None else None
        if recorder is not None and hasattr(recorder, "rows"):
            recorder.rows = group

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """The library's snapshots, after the command's commit: a snapshot only saves
        reading events later, so one that cannot be written is logged, and the committed
        command still answers as committed (a retry without a key would record it twice)."""
        try:
            super()._take_snapshots(processing_event)
        except Exception:
            log.warning("collab: a snapshot was not written", exc_info=True)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for cls in VALUES:
            transcoder.register(ValueAsRecord(cls))

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

    # -- the executor --------------------------------------------------------------------

    def execute(self, ctx: Context, command: Command) -> Outcome:
        """Run a command's handler with retries on version conflicts; one save per success.
        A keyed command that already succeeded is replayed from its idempotency record."""
        handler = HANDLERS[type(command)]
        ctx = ctx.checked()
        name = command.command_name()
        # The fingerprint only tells a keyed command's replay from a reuse of its key.
        keyed = ctx.idempotency_key is not None
        print_ = ctx.fingerprint or (command.fingerprint() if keyed else "")
        earlier = self.recorded(ctx)
        if earlier is not None:
            return replay_or_refuse(earlier, name, print_)
        for attempt in range(MAX_ATTEMPTS):
            # Tried again after a conflict, through an embedded writer: in its turn, where
            # nothing can be written between this try's loads and its insert.
            held = self.group.held() if attempt and self.group else contextlib.nullcontext()
            with held:
                outcome = self.attempt(ctx, command, handler, print_, first=not attempt)
            if outcome is None:
                continue
            if not outcome.replayed:
                for listener in self.after_commit:
                    listener(outcome)
            return outcome
        raise conflict_exhausted(name)

    def attempt(
        self, ctx: Context, command: Command, handler: Any, print_: str, *, first: bool = False
    ) -> Outcome | None:
        """One try: its outcome, an earlier one's replayed, or None after a conflict."""
        name = command.command_name()
        tx = Tx(self, ctx, self.clock(), first=first)
        try:
            result = handler(tx, command)
        except CollabError:
            # A duplicate of this keyed command may have committed since the check
            # above, and its effects refuse this try: the answer is its outcome.
            earlier = self.recorded(ctx)
            if earlier is not None:
                return replay_or_refuse(earlier, name, print_)
            raise
        record = idempotency_record(ctx, name, print_, result, tx.now)
        try:
            recordings = self.save(*tx.staged, idempotency=record)
        except IntegrityError:
            earlier = self.recorded(ctx)
            if earlier is not None:
                return replay_or_refuse(earlier, name, print_)
            # Another command took a version of one of our aggregates. With If-Match the
            # next try checks the target again: 412 if it was the target that changed,
            # and no refusal when it was another aggregate the command also writes (a
            # confirmation notes itself on its partnership, which every pledge moves).
            return None
        return Outcome(name, result, tuple(r.notification.id for r in recordings))

    def recorded(self, ctx: Context) -> Any:
        if ctx.idempotency_key is None:
            return None
        return self.side.get_idempotency(ctx.actor.id, ctx.idempotency_key)

    # -- loading -------------------------------------------------------------------------

    def load(self, aggregate_id: UUID) -> Aggregate:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"nothing recorded under {aggregate_id}") from None
        return aggregate

    def get(self, cls: type[A], aggregate_id: object, kind: str) -> A:
        """The aggregate of this class; one answer, naming only the id asked for, whether
        nothing is recorded under it or something else is (DESIGN §3)."""
        try:
            aggregate = self.load(UUID(str(aggregate_id)))
        except (NotFoundError, ValueError):
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {kind} {aggregate_id}")
        return aggregate

    def recorded_as(self, aggregate_id: UUID, cls: type[Aggregate]) -> bool:
        """Whether the stream begins with one of `cls`'s events: one indexed read of one
        row, nothing decoded, the same work whether the id is unknown or another kind's."""
        first = self.recorder.select_events(aggregate_id, lte=1, limit=1)
        return bool(first) and issubclass(resolve_topic(first[0].topic), cls.Event)

    def load_or_none(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.load(aggregate_id)
        except NotFoundError:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether a small aggregate (an identifier claim) is recorded: no snapshot lookup."""
        try:
            self.small.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def get_binding(self, actor_id: object) -> ActorBinding:
        """The recorded binding of an actor id (404 when none)."""
        try:
            aid = UUID(str(actor_id))
            binding: Aggregate = self.small.get(aid)
        except (ValueError, AggregateNotFoundError):
            raise NotFoundError(f"no actor {actor_id}") from None
        if not isinstance(binding, ActorBinding):
            raise NotFoundError(f"no actor {actor_id}")
        return binding

    # -- reads, as the caller may see them (collab.visibility) ---------------------------

    def reader(self, actor: Actor) -> Tx:
        """A try that only reads: visibility and authority checks outside a command."""
        return Tx(self, Context(actor), self.clock())

    def viewer(self, actor: Actor, now: datetime) -> Viewer:
        return access.viewer(self, actor, now)

    def get_organisation(self, organisation_id: object) -> Organisation:
        """The register is visible to every authenticated caller. An id that is not an
        organisation's (unknown, or a partnership's) is refused after the same one read."""
        oid = v.identifier(organisation_id, "organisation_id")
        if not self.recorded_as(UUID(oid), Organisation):
            raise NotFoundError(f"no organisation {oid}")
        return self.get(Organisation, oid, "organisation")

    def visible_partnership(
        self, actor: Actor, partnership_id: object
    ) -> tuple[Partnership, Window]:
        """A partnership the caller may see (404 otherwise) and the caller's window on it."""
        pid = v.identifier(partnership_id, "partnership_id")
        current = self.get(Partnership, pid, "partnership")
        return current, access.check_visible(self.reader(actor), current)

    def get_partnership(
        self, actor: Actor, partnership_id: object, version: int | None = None
    ) -> Partnership:
        """A partnership as the caller may see it, at its latest or a given version."""
        current, _ = self.visible_partnership(actor, partnership_id)
        if version is None:
            return current
        number = v.integer(version, "version", minimum=1, maximum=current.version)
        past: Partnership = self.repository.get(current.id, version=number)
        return past

    def partnership_content(self, actor: Actor, partnership_id: object) -> Partnership:
        """What a caller may read of a partnership (DESIGN §3): an invited or declined
        organisation sees its invitation only (404 here), a former member the partnership
        as it was when it left."""
        p, win = self.visible_partnership(actor, partnership_id)
        if not win.content:  # the answer an unknown id gets, with the id as it names it
            raise NotFoundError(f"no partnership {p.id}")
        if win.until is None:
            return p
        past, _ = fold(self, p.id, win.until)
        assert isinstance(past, Partnership)
        return past

    def visible_commitment(
        self, actor: Actor, commitment_id: object
    ) -> tuple[Commitment, Partnership, Window]:
        """A commitment the caller may see (404 otherwise), its partnership, the window."""
        tx = self.reader(actor)
        c, p, _acting = tx.commitment(v.identifier(commitment_id, "commitment_id"))
        assert tx.window is not None
        return c, p, tx.window

    def get_commitment(self, actor: Actor, commitment_id: object) -> Commitment:
        """A commitment, readable where its partnership's content is; a former member
        reads it as it stood at its exit."""
        c, _p, win = self.visible_commitment(actor, commitment_id)
        if win.until is None:
            return c
        past, _ = fold(self, c.id, win.until)
        assert isinstance(past, Commitment)
        return past


__all__ = ["Actor", "Collab", "Command", "Context", "Outcome"]
