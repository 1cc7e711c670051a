"""People in the browser: sign-in links, passphrases, sessions, sign-ins and attempt counts.

Ordinary, erasable tables in the service's database, outside the event log (DESIGN §7):
a sign-in link's and a session's token are stored as SHA-256 digests only (32 random
bytes: nothing to guess that a slow hash would protect); a passphrase, which a person
chooses, as an Argon2id hash (memory-hard). Attempt counters live here too, so every
worker and every host counts the same sign-in attempts.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from api.credentials import create_tables, digest
from collab.domain.envelope import rfc3339

metadata = MetaData()
logins = Table(
    "collab_logins",
    metadata,
    Column("actor_id", Text, primary_key=True),
    Column("login", Text, nullable=False, unique=True),  # the sign-in name, case-folded
    Column("passphrase_hash", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)
links = Table(
    "collab_signin_links",
    metadata,
    Column("link_sha256", Text, primary_key=True),
    Column("actor_id", Text, nullable=False, index=True),
    Column("issued_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),
)
sessions = Table(
    "collab_sessions",
    metadata,
    Column("session_sha256", Text, primary_key=True),
    Column("actor_id", Text, index=True),  # None until the person signs in
    Column("data", Text, nullable=False),  # JSON: the CSRF token, the last position acted at
    Column("created_at", Text, nullable=False),
    Column("seen_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False, index=True),  # the absolute end
)
signins = Table(
    "collab_signins",
    metadata,
    Column("signin_id", Text, primary_key=True),
    Column("at", Text, nullable=False, index=True),
    Column("actor_id", Text, index=True),
    Column("login", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("remote", Text, nullable=False),
)
attempts = Table(
    "collab_signin_attempts",
    metadata,
    Column("bucket", Text, primary_key=True),
    Column("window", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
)

LINK_PREFIX = "link_"
LOGIN_MIN, LOGIN_MAX = 3, 64
PASSPHRASE_MIN, PASSPHRASE_MAX = 12, 1024
SECRET_FILE = "session.secret"
# How long the record of sign-ins is kept (outside the event log; an erasable table).
KEEP_SIGNINS = timedelta(days=90)
# Argon2id at the library's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes).
HASHER = PasswordHasher()
# Verified when the sign-in name is unknown, so that a wrong name costs what a wrong
# passphrase costs and timing does not tell which names exist.
DUMMY_HASH = HASHER.hash("not a passphrase anyone has")


def login_name(raw: str) -> str | None:
    """The canonical sign-in name (NFKC, case-folded, trimmed), or None if unusable."""
    name = unicodedata.normalize("NFKC", raw).strip().casefold()
    if not LOGIN_MIN <= len(name) <= LOGIN_MAX:
        return None
    if any(not ch.isprintable() or ch.isspace() for ch in name):
        return None
    return name


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase is refused, or None (length is what matters: NIST SP 800-63B)."""
    if len(passphrase) < PASSPHRASE_MIN:
        return f"must be at least {PASSPHRASE_MIN} characters"
    if len(passphrase) > PASSPHRASE_MAX:
        return f"must be at most {PASSPHRASE_MAX} characters"
    return None


def session_secret(data_dir: Path | None) -> bytes:
    """The key that signs CSRF tokens: `keys/session.secret` (made 0600 on first use,
    shared by every worker and host that serves the same data), random when there is no
    data directory (tests)."""
    if data_dir is None:
        return secrets.token_bytes(32)
    from collab.audit.keys import keys_directory, locked

    directory = keys_directory(data_dir)
    path = directory / SECRET_FILE
    with locked(directory):
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


@dataclass(frozen=True)
class Link:
    actor_id: str
    expires_at: str


@dataclass(frozen=True)
class StoredSession:
    actor_id: str | None
    data: dict[str, Any]
    created_at: datetime
    seen_at: datetime


class People:
    """The tables above, on the service's writer and reader engines."""

    def __init__(self, writer: Engine, reader: Engine) -> None:
        self.writer, self.reader = writer, reader

    def setup(self) -> None:
        create_tables(self.writer, metadata)

    # -- sign-in links ---------------------------------------------------------------------

    def issue_link(
        self, actor_id: str, issued_by: str, now: datetime, hours: int
    ) -> tuple[str, str]:
        """A one-time link token for `actor_id` (shown once) and its expiry; the actor's
        older unused links stop working."""
        token = LINK_PREFIX + secrets.token_urlsafe(32)
        expires_at = rfc3339(now + timedelta(hours=hours))
        with self.writer.begin() as conn:
            conn.execute(
                update(links)
                .where(links.c.actor_id == actor_id, links.c.used_at.is_(None))
                .values(used_at=rfc3339(now))
            )
            conn.execute(
                insert(links).values(
                    link_sha256=digest(token),
                    actor_id=actor_id,
                    issued_by=issued_by,
                    created_at=rfc3339(now),
                    expires_at=expires_at,
                )
            )
        return token, expires_at

    def link(self, link_sha256: str, now: datetime) -> Link | None:
        """The actor of an unused, unexpired link (by its token's digest), or None."""
        query = select(links.c.actor_id, links.c.expires_at).where(
            links.c.link_sha256 == link_sha256,
            links.c.used_at.is_(None),
            links.c.expires_at > rfc3339(now),
        )
        with self.reader.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Link(str(row.actor_id), str(row.expires_at))

    def use_link(
        self, link_sha256: str, login: str, passphrase: str, now: datetime
    ) -> tuple[str | None, str | None]:
        """Spend a link (by its token's digest): set the person's sign-in name and
        passphrase and end its other sessions. (actor id, None), or (None, why) when the
        link is spent ("link") or the name taken ("login"); nothing changes then."""
        found = self.link(link_sha256, now)
        if found is None:
            return None, "link"
        hashed = HASHER.hash(passphrase)
        try:
            with self.writer.begin() as conn:
                return self._spend(conn, link_sha256, found.actor_id, login, hashed, now)
        except IntegrityError:  # another person took the name at the same moment
            return None, "login"

    def _spend(
        self,
        conn: Connection,
        link_sha256: str,
        actor_id: str,
        login: str,
        hashed: str,
        now: datetime,
    ) -> tuple[str | None, str | None]:
        taken = conn.execute(
            select(logins.c.actor_id).where(logins.c.login == login, logins.c.actor_id != actor_id)
        ).first()
        if taken is not None:
            return None, "login"
        spent = conn.execute(
            update(links)
            .where(links.c.link_sha256 == link_sha256, links.c.used_at.is_(None))
            .values(used_at=rfc3339(now))
        )
        if spent.rowcount != 1:  # another request spent it first
            return None, "link"
        conn.execute(delete(logins).where(logins.c.actor_id == actor_id))
        conn.execute(
            insert(logins).values(
                actor_id=actor_id, login=login, passphrase_hash=hashed, updated_at=rfc3339(now)
            )
        )
        conn.execute(delete(sessions).where(sessions.c.actor_id == actor_id))
        return actor_id, None

    def login_of(self, actor_id: str) -> str | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(logins.c.login).where(logins.c.actor_id == actor_id)).first()
        return None if row is None else str(row.login)

    def logins_of(self, actor_ids: list[str]) -> dict[str, str]:
        """The sign-in names of those actors that have one."""
        if not actor_ids:
            return {}
        query = select(logins.c.actor_id, logins.c.login).where(logins.c.actor_id.in_(actor_ids))
        with self.reader.connect() as conn:
            return {str(r.actor_id): str(r.login) for r in conn.execute(query)}

    def check_passphrase(self, login: str, passphrase: str) -> str | None:
        """The actor whose sign-in name and passphrase these are, or None (same cost)."""
        with self.reader.connect() as conn:
            row = conn.execute(
                select(logins.c.actor_id, logins.c.passphrase_hash).where(logins.c.login == login)
            ).first()
        stored = DUMMY_HASH if row is None else str(row.passphrase_hash)
        try:
            HASHER.verify(stored, passphrase)
        except (VerificationError, InvalidHashError):
            return None
        return None if row is None else str(row.actor_id)

    # -- sessions --------------------------------------------------------------------------

    def open_session(self, token: str) -> StoredSession | None:
        query = select(sessions).where(sessions.c.session_sha256 == digest(token))
        with self.reader.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredSession(
            actor_id=row.actor_id,
            data=json.loads(row.data),
            created_at=parse(row.created_at),
            seen_at=parse(row.seen_at),
        )

    def save_session(
        self,
        token: str,
        actor_id: str | None,
        data: dict[str, Any],
        now: datetime,
        lifetime: timedelta,
        *,
        idle: timedelta,
        replaces: str | None = None,
    ) -> None:
        """Write a session (a new one, or a new token replacing `replaces` on sign-in), and
        drop sessions past their end or idle too long on the way."""
        stamp = rfc3339(now)
        with self.writer.begin() as conn:
            if replaces is not None:
                conn.execute(delete(sessions).where(sessions.c.session_sha256 == digest(replaces)))
            stale = (sessions.c.expires_at <= stamp) | (sessions.c.seen_at <= rfc3339(now - idle))
            conn.execute(delete(sessions).where(stale))
            conn.execute(
                insert(sessions).values(
                    session_sha256=digest(token),
                    actor_id=actor_id,
                    data=json.dumps(data),
                    created_at=stamp,
                    seen_at=stamp,
                    expires_at=rfc3339(now + lifetime),
                )
            )

    def update_session(self, token: str, data: dict[str, Any] | None, now: datetime) -> None:
        values: dict[str, str] = {"seen_at": rfc3339(now)}
        if data is not None:
            values["data"] = json.dumps(data)
        with self.writer.begin() as conn:
            conn.execute(
                update(sessions).where(sessions.c.session_sha256 == digest(token)).values(values)
            )

    def end_session(self, token: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.session_sha256 == digest(token)))

    def end_sessions_of(self, actor_id: str) -> int:
        with self.writer.begin() as conn:
            return conn.execute(delete(sessions).where(sessions.c.actor_id == actor_id)).rowcount

    def sessions_of(self, actor_id: str) -> int:
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(sessions.c.session_sha256).where(sessions.c.actor_id == actor_id)
            )
            return len(rows.all())

    # -- what happened, and how often ------------------------------------------------------

    def record(
        self, now: datetime, login: str, outcome: str, remote: str, actor_id: str | None = None
    ) -> None:
        """A sign-in, refusal, link use or sign-out (outside the event log); rows older
        than `KEEP_SIGNINS` go on the way."""
        with self.writer.begin() as conn:
            conn.execute(delete(signins).where(signins.c.at < rfc3339(now - KEEP_SIGNINS)))
            conn.execute(
                insert(signins).values(
                    signin_id=str(uuid.uuid4()),
                    at=rfc3339(now),
                    actor_id=actor_id,
                    login=login[:LOGIN_MAX],
                    outcome=outcome,
                    remote=remote,
                )
            )

    def recorded(self, actor_id: str | None = None) -> list[dict[str, Any]]:
        query = select(signins).order_by(signins.c.at)
        if actor_id is not None:
            query = query.where(signins.c.actor_id == actor_id)
        with self.reader.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self, bucket: str, now: datetime, window_seconds: int) -> int:
        """Count one attempt in the bucket's current window; the count after it. One
        statement, atomic on both databases (INSERT … ON CONFLICT … RETURNING)."""
        window = int(now.timestamp()) // window_seconds
        with self.writer.begin() as conn:
            counted = _bump(conn, bucket, window)
            conn.execute(delete(attempts).where(attempts.c.window < window - 1))
        return counted

    def counted(self, bucket: str, now: datetime, window_seconds: int) -> int:
        """The bucket's count in the current window, without counting."""
        window = int(now.timestamp()) // window_seconds
        query = select(attempts.c.count).where(
            attempts.c.bucket == bucket, attempts.c.window == window
        )
        with self.reader.connect() as conn:
            return int(conn.execute(query).scalar() or 0)


def _bump(conn: Connection, bucket: str, window: int) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(attempts).values(bucket=bucket, window=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[attempts.c.bucket, attempts.c.window],
        set_={"count": attempts.c.count + 1},
    ).returning(attempts.c.count)
    return int(conn.execute(statement).scalar_one())


def parse(stored: str) -> datetime:
    """A stored time (as `rfc3339` writes it: UTC, "Z") back as an aware datetime."""
    return datetime.fromisoformat(stored).astimezone(UTC)
