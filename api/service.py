"""The per-process service: settings from the environment, the application, its read side."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any, Literal

from flask import current_app

from api.credentials import TOKEN_DAYS_CEILING, Credentials, TokenInfo
from api.due import Background, DueRunner
from api.wiring import follow_commands, open_read_side
from collab.access import check_link_issuer
from collab.actors.commands import DisableActor, EnrolActor
from collab.application import Collab
from collab.audit.export import Sees, export_lines
from collab.audit.keys import KeyRing
from collab.audit.leaves import AuditProjection
from collab.audit.log import AuditLog
from collab.commands import Context, Outcome
from collab.documents.store import DEFAULT_MAX_BYTES, DocumentStore
from collab.domain import values as v
from collab.domain.envelope import Actor, rfc3339, utc_now
from collab.domain.errors import ForbiddenError, InvalidInputError
from collab.stores import StoreConfig, data_dir_of
from web.people import People

Mode = Literal["embedded", "server"]
MAX_DOCUMENT_CEILING = 2**40  # 1 TiB: a typo, not a document


@dataclass(frozen=True)
class Settings:
    """Everything configurable (docs/configuration.md), from environment variables only."""

    store: StoreConfig
    mode: Mode
    max_body_bytes: int = 1_048_576
    token_days: int = 90
    token_max_days: int = 90
    read_wait_seconds: float = 5.0
    ready_max_lag: int = 1000
    clock: Callable[[], datetime] = field(default=utc_now)
    # Where keys/ lives (DESIGN §5); None: a throwaway key ring in memory (tests).
    data_dir: Path | None = None
    seal_interval: float = 5.0
    # Seconds between the due-date processor's passes in an embedded service's background
    # (COLLAB_DUE_INTERVAL, default 60); 0: none (tests run it by hand with their clock).
    due_interval: float = 0.0
    # The explorer (DESIGN §7, docs/explorer.md): sessions and sign-in links.
    session_idle_minutes: int = 30
    session_hours: int = 12
    signin_link_hours: int = 72
    # Sign-in attempts one client address may make per 15 minutes (all its people: a
    # school or a library behind one NAT address may need more).
    signin_address_limit: int = 30
    behind_proxy: bool = False
    # The explorer's address as people reach it (COLLAB_PUBLIC_URL), for sign-in links;
    # empty: the address a request came to, or `collab serve`'s bind outside a request.
    public_url: str = ""
    # Documents (DESIGN §9): their folder (COLLAB_DOCUMENTS_DIR; embedded default
    # $COLLAB_DATA_DIR/documents; neither: a throwaway folder, for tests) and size limit.
    documents_dir: Path | None = None
    max_document_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        # Refuse to start rather than issue tokens outliving the configured maximum.
        if not 1 <= self.token_max_days <= TOKEN_DAYS_CEILING:
            raise ValueError(f"COLLAB_TOKEN_MAX_DAYS must be 1 to {TOKEN_DAYS_CEILING} days")
        if not 0 <= self.due_interval <= 86_400:
            raise ValueError("COLLAB_DUE_INTERVAL must be 0 (off) to 86400 seconds")
        for name, value, most in (
            ("COLLAB_SESSION_IDLE_MINUTES", self.session_idle_minutes, 24 * 60),
            ("COLLAB_SESSION_HOURS", self.session_hours, 24 * 30),
            ("COLLAB_SIGNIN_LINK_HOURS", self.signin_link_hours, 24 * 30),
            ("COLLAB_SIGNIN_ADDRESS_LIMIT", self.signin_address_limit, 100_000),
        ):
            if not 1 <= value <= most:
                raise ValueError(f"{name} must be 1 to {most}")
        if not 1 <= self.max_document_bytes <= MAX_DOCUMENT_CEILING:
            raise ValueError(f"COLLAB_MAX_DOCUMENT_BYTES must be 1 to {MAX_DOCUMENT_CEILING}")
        if not 1 <= self.token_days <= self.token_max_days:
            raise ValueError(
                f"COLLAB_TOKEN_DAYS ({self.token_days}) must be 1 to COLLAB_TOKEN_MAX_DAYS "
                f"({self.token_max_days}) days: the default lifetime may not exceed the maximum"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        store = StoreConfig.from_env(env)
        default_mode: Mode = "server" if store.kind == "postgres" else "embedded"
        mode = env.get("COLLAB_MODE", default_mode)
        if mode not in ("embedded", "server"):
            raise ValueError("COLLAB_MODE must be embedded or server")
        max_days = whole(env, "COLLAB_TOKEN_MAX_DAYS", "90")
        return cls(
            store=store,
            mode=mode,  # type: ignore[arg-type]  # checked just above
            max_body_bytes=int(env.get("COLLAB_MAX_BODY_BYTES", "1048576")),
            # Unset, the default lifetime is 90 days or the maximum if that is shorter.
            token_days=whole(env, "COLLAB_TOKEN_DAYS", str(min(90, max_days))),
            token_max_days=max_days,
            read_wait_seconds=float(env.get("COLLAB_READ_WAIT_SECONDS", "5")),
            ready_max_lag=int(env.get("COLLAB_READY_MAX_LAG", "1000")),
            data_dir=data_dir_of(env),
            seal_interval=float(env.get("COLLAB_SEAL_INTERVAL", "5")),
            due_interval=float(env.get("COLLAB_DUE_INTERVAL", "60")),
            session_idle_minutes=whole(env, "COLLAB_SESSION_IDLE_MINUTES", "30"),
            session_hours=whole(env, "COLLAB_SESSION_HOURS", "12"),
            signin_link_hours=whole(env, "COLLAB_SIGNIN_LINK_HOURS", "72"),
            signin_address_limit=whole(env, "COLLAB_SIGNIN_ADDRESS_LIMIT", "30"),
            behind_proxy=env.get("COLLAB_BEHIND_PROXY", "") not in ("", "0"),
            public_url=public_url(env),
            documents_dir=documents_dir(env),
            max_document_bytes=whole(env, "COLLAB_MAX_DOCUMENT_BYTES", str(DEFAULT_MAX_BYTES)),
        )

    def require_documents_dir(self) -> None:
        """Server mode serves documents from a configured folder (a volume every process
        serving the database shares), never from one host's data directory."""
        if self.mode == "server" and self.documents_dir is None:
            raise ValueError("COLLAB_DOCUMENTS_DIR is required in server mode")

    def document_store(self) -> DocumentStore:
        """The configured folder, else $COLLAB_DATA_DIR/documents, else a throwaway one."""
        root = self.documents_dir
        if root is None:
            base = self.data_dir
            root = base / "documents" if base else Path(mkdtemp(prefix="collab-documents-"))
        return DocumentStore(root, self.max_document_bytes)

    def key_ring(self) -> KeyRing:
        """Embedded mode makes the keys on first start; server mode requires them."""
        if self.data_dir is None:
            return KeyRing.ephemeral()
        return KeyRing.load(self.data_dir, create=self.mode == "embedded")


def documents_dir(env: Mapping[str, str]) -> Path | None:
    """COLLAB_DOCUMENTS_DIR (a shared volume), if set."""
    raw = env.get("COLLAB_DOCUMENTS_DIR", "").strip()
    return Path(raw).resolve() if raw else None


def public_url(env: Mapping[str, str]) -> str:
    """COLLAB_PUBLIC_URL without a trailing slash ("" when unset)."""
    raw = env.get("COLLAB_PUBLIC_URL", "").strip().rstrip("/")
    if raw and not raw.startswith(("http://", "https://")):
        raise ValueError("COLLAB_PUBLIC_URL must start with http:// or https://")
    return raw


def whole(env: Mapping[str, str], name: str, default: str) -> int:
    """A whole number from the environment, or an error that names the variable."""
    raw = env.get(name, default)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


class Service:
    """One application and one read side per process (gunicorn forks before creating it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        keys = settings.key_ring()
        self.documents = settings.document_store()
        self.app = Collab(settings.store, clock=settings.clock, keys=keys, documents=self.documents)
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
        # Effects that take time (invariant 8): a pass on demand here; embedded mode's passes
        # every interval in the background; server mode runs `collab due run --follow`.
        self.due = DueRunner(self.app, self.read)
        self.due_passes: Background | None = None
        background = settings.mode == "embedded" and settings.store.kind != "memory"
        if background and settings.due_interval > 0:
            self.due_passes = Background(
                lambda: Collab(settings.store, clock=settings.clock, keys=keys),
                settings.store,
                settings.due_interval,
            )
        self.credentials = Credentials(self.read.writer, self.read.readers)
        self.credentials.setup()
        # A disabled actor's tokens stop working at once in this process (api/callers.py).
        self.app.after_commit.append(self.forget_callers)
        self.people = People(self.read.writer, self.read.readers)
        self.people.setup()

    def now(self) -> datetime:
        return self.settings.clock()

    def forget_callers(self, outcome: Outcome) -> None:
        if outcome.command == DisableActor.NAME:
            self.credentials.callers.forget()

    def enrol(self, ctx: Context, name: str, command: EnrolActor) -> Outcome:
        """Enrol an actor (a recorded binding) and keep its display name (erasable table)."""
        checked = v.text(name, "name")
        outcome = self.app.execute(ctx, command)
        if not outcome.replayed:
            self.credentials.set_name(outcome.text("actor_id"), checked, self.now())
        return outcome

    def issue_signin_link(self, issuer: Actor, actor_id: str) -> tuple[str, str]:
        """A one-time sign-in link token for an active actor (shown once; kept hashed) and
        its expiry, if `issuer` may issue it (`access.check_link_issuer`)."""
        binding = self.app.get_binding(actor_id)
        check_link_issuer(self.app, issuer, binding)
        if not binding.active:
            raise ForbiddenError("the actor is disabled")
        if issuer.role != "admin" and self.people.login_of(str(binding.id)) is not None:
            # A new link replaces the person's passphrase: a broker could take over the
            # account. Once a person has signed in, only an admin issues them a link.
            raise ForbiddenError("this person has a passphrase already; an admin issues it")
        hours = self.settings.signin_link_hours
        return self.people.issue_link(str(binding.id), issuer.id, self.now(), hours)

    def signin_url(self, token: str, base: str) -> str:
        """The address a person opens: COLLAB_PUBLIC_URL's, else `base`'s."""
        return f"{self.settings.public_url or base.rstrip('/')}/signin/link/{token}"

    def head(self) -> int:
        """The log's last position (0 while it is empty)."""
        return self.app.recorder.max_notification_id() or 0

    def within_head(self, position: int, name: str) -> int:
        """A log position a read names: 422 past the head, where a client that kept it
        would skip the events written later."""
        head = self.head()
        if position > head:
            raise InvalidInputError(name, f"is beyond the head of the log ({head})")
        return position

    def issue_token(
        self, actor_id: str, label: str, days: int | None, not_after: datetime | None = None
    ) -> tuple[str, TokenInfo]:
        """A token for an active actor (shown once; only its digest is kept), living at
        most COLLAB_TOKEN_MAX_DAYS and never past `not_after`, the expiry of the token
        that asks for it: a token cannot mint one that outlives it."""
        binding = self.app.get_binding(actor_id)
        if not binding.active:
            raise ForbiddenError("the actor is disabled")
        now = self.now()
        if days is not None:
            self.check_lifetime(now, days, not_after)
        lifetime = self.settings.token_days if days is None else days
        # The default lifetime is cut to the asking token's expiry; an explicit one was
        # checked above, so `not_after` only shortens a default.
        return self.credentials.issue(str(binding.id), label, now, lifetime, until=not_after)

    def check_lifetime(self, now: datetime, days: int, not_after: datetime | None) -> None:
        """422 on `days` for a lifetime past the maximum or past the asking token's expiry."""
        limit = self.settings.token_max_days
        if days > limit:
            raise InvalidInputError("days", f"must be at most {limit} (COLLAB_TOKEN_MAX_DAYS)")
        if not_after is not None and now + timedelta(days=days) > not_after:
            left = (not_after - now) // timedelta(days=1)
            most = f"ask for at most {left}, or " if left >= 1 else ""
            raise InvalidInputError(
                "days",
                f"would outlive the calling token, which expires at {rfc3339(not_after)}: "
                f"{most}omit days for a token that expires with it",
            )

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
        if self.settings.documents_dir is None and self.settings.data_dir is None:
            shutil.rmtree(self.documents.root, ignore_errors=True)  # the throwaway folder
        if self.due_passes is not None:
            self.due_passes.close()
        self.audit.sealer.close()
        self.read.close()
        self.app.close()


def service() -> Service:
    svc: Service = current_app.extensions["collab"]
    return svc
