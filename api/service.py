"""The per-process service: settings from the environment, the application, its read side."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from flask import current_app

from api.credentials import Credentials, TokenInfo
from api.wiring import follow_commands, open_read_side
from collab.actors.commands import EnrolActor
from collab.application import Collab
from collab.audit.export import Sees, export_lines
from collab.audit.keys import KeyRing
from collab.audit.leaves import AuditProjection
from collab.audit.log import AuditLog
from collab.commands import Context, Outcome
from collab.domain import values as v
from collab.domain.envelope import utc_now
from collab.domain.errors import ForbiddenError
from collab.stores import StoreConfig, data_dir_of

Mode = Literal["embedded", "server"]


@dataclass(frozen=True)
class Settings:
    """Everything configurable (docs/configuration.md), from environment variables only."""

    store: StoreConfig
    mode: Mode
    max_body_bytes: int = 1_048_576
    token_days: int = 90
    read_wait_seconds: float = 5.0
    ready_max_lag: int = 1000
    clock: Callable[[], datetime] = field(default=utc_now)
    # Where keys/ lives (DESIGN §5); None: a throwaway key ring in memory (tests).
    data_dir: Path | None = None
    seal_interval: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        store = StoreConfig.from_env(env)
        default_mode: Mode = "server" if store.kind == "postgres" else "embedded"
        mode = env.get("COLLAB_MODE", default_mode)
        if mode not in ("embedded", "server"):
            raise ValueError("COLLAB_MODE must be embedded or server")
        return cls(
            store=store,
            mode=mode,  # type: ignore[arg-type]  # checked just above
            max_body_bytes=int(env.get("COLLAB_MAX_BODY_BYTES", "1048576")),
            token_days=int(env.get("COLLAB_TOKEN_DAYS", "90")),
            read_wait_seconds=float(env.get("COLLAB_READ_WAIT_SECONDS", "5")),
            ready_max_lag=int(env.get("COLLAB_READY_MAX_LAG", "1000")),
            data_dir=data_dir_of(env),
            seal_interval=float(env.get("COLLAB_SEAL_INTERVAL", "5")),
        )

    def key_ring(self) -> KeyRing:
        """Embedded mode makes the keys on first start; server mode requires them."""
        if self.data_dir is None:
            return KeyRing.ephemeral()
        return KeyRing.load(self.data_dir, create=self.mode == "embedded")


class Service:
    """One application and one read side per process (gunicorn forks before creating it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        keys = settings.key_ring()
        self.app = Collab(settings.store, clock=settings.clock, keys=keys)
        self.read = open_read_side(self.app, settings.store)
        appender = next(
            (p for p in self.read.follower.projections if isinstance(p, AuditProjection)), None
        )
        self.audit = AuditLog(
            keys, self.app.recorder, self.read.readers, self.read.writer, appender
        )
        self.audit.sealer.interval = settings.seal_interval
        if settings.mode == "embedded":
            follow_commands(self.app, self.read)  # read-your-writes before every response
            # Then a checkpoint, at most once per interval (in the background).
            self.app.after_commit.append(lambda _outcome: self.audit.sealer.maybe_seal())
        self.credentials = Credentials(self.read.writer, self.read.readers)
        self.credentials.setup()

    def now(self) -> datetime:
        return self.settings.clock()

    def enrol(self, ctx: Context, name: str, command: EnrolActor) -> Outcome:
        """Enrol an actor (a recorded binding) and keep its display name (erasable table)."""
        checked = v.text(name, "name")
        outcome = self.app.execute(ctx, command)
        if not outcome.replayed:
            self.credentials.set_name(outcome.text("actor_id"), checked, self.now())
        return outcome

    def issue_token(self, actor_id: str, label: str, days: int | None) -> tuple[str, TokenInfo]:
        """A token for an active actor (shown once; only its digest is kept)."""
        binding = self.app.get_binding(actor_id)
        if not binding.active:
            raise ForbiddenError("the actor is disabled")
        lifetime = days or self.settings.token_days
        return self.credentials.issue(str(binding.id), label, self.now(), lifetime)

    def export_lines(
        self, conn: Any, checkpoint: tuple[int, str], sees: Sees | None = None
    ) -> Iterator[str]:
        """The log up to `checkpoint` as JSON Lines, foreign leaves as hashes (`sees`)."""
        from api.events import public  # the feed's public event form (it imports us)

        return export_lines(
            conn,
            self.app.recorder,
            self.app.mapper.to_domain_event,
            checkpoint,
            self.audit.keys.origin,
            public=public,
            sees=sees,
        )

    def close(self) -> None:
        self.audit.sealer.close()
        self.read.close()
        self.app.close()


def service() -> Service:
    svc: Service = current_app.extensions["collab"]
    return svc
