"""Actors' display names and bearer tokens: ordinary, erasable tables (DESIGN §3).

Only a token's SHA-256 is stored. A token is 32 random bytes (URL-safe base64), so a
plain digest is enough: there is nothing to guess that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Engine, MetaData, Table, Text, insert, select, text, update

from api.callers import Callers
from collab.domain.envelope import rfc3339
from projections.engine import mark

PREFIX = "collab_"
# The longest token lifetime an operator may configure (COLLAB_TOKEN_MAX_DAYS): ten years
# keeps every expiry a representable date; the request schema states the same ceiling.
TOKEN_DAYS_CEILING = 3650
CHUNK = 500  # ids per IN list: far below every database's limit on parameters
metadata = MetaData()
names = Table(
    f"{PREFIX}actor_names",
    metadata,
    Column("actor_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)
tokens = Table(
    f"{PREFIX}tokens",
    metadata,
    Column("token_id", Text, primary_key=True),
    Column("actor_id", Text, nullable=False, index=True),
    Column("token_sha256", Text, nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("revoked_at", Text),
)


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    actor_id: str
    label: str
    created_at: str
    expires_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class Bearer:
    """Who a live token authenticates, and until when."""

    actor_id: str
    expires_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_tables(writer: Engine, tables: MetaData) -> None:
    """Create the service's own tables (names, tokens, people's sign-in) if missing."""
    with writer.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Processes starting together on a new schema must not race on CREATE TABLE
            # (the follower's setup takes the same lock).
            conn.execute(text("SELECT pg_advisory_xact_lock(7366203)"))
        tables.create_all(conn)


class Credentials:
    """Names and tokens in the service's own database (reads and writes on two engines)."""

    def __init__(self, writer: Engine, reader: Engine) -> None:
        self.writer, self.reader = writer, reader
        self.callers = Callers()  # tokens seen in the last second (api/callers.py)

    def setup(self) -> None:
        create_tables(self.writer, metadata)

    def set_name(self, actor_id: str, name: str, now: datetime) -> None:
        with self.writer.begin() as conn:
            conn.execute(names.delete().where(names.c.actor_id == actor_id))
            conn.execute(
                insert(names).values(actor_id=actor_id, name=name, updated_at=rfc3339(now))
            )

    def name_of(self, actor_id: str) -> str | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(names.c.name).where(names.c.actor_id == actor_id)).first()
        return None if row is None else str(row.name)

    def names_of(self, actor_ids: Iterable[str]) -> dict[str, str]:
        """Display names of many actors in one query (one per 500 ids); an actor without a
        name is left out."""
        wanted = sorted(set(actor_ids))
        found: dict[str, str] = {}
        if not wanted:
            return found
        query = select(names.c.actor_id, names.c.name)
        with self.reader.connect() as conn:
            for i in range(0, len(wanted), CHUNK):
                rows = conn.execute(query.where(names.c.actor_id.in_(wanted[i : i + CHUNK])))
                found.update({str(r.actor_id): str(r.name) for r in rows})
        return found

    def erase_name(self, actor_id: str) -> bool:
        with self.writer.begin() as conn:
            return conn.execute(names.delete().where(names.c.actor_id == actor_id)).rowcount == 1

    def issue(
        self, actor_id: str, label: str, now: datetime, days: int, until: datetime | None = None
    ) -> tuple[str, TokenInfo]:
        """A new token (shown once) for an actor, expiring after `days` or at `until` if
        sooner; only its digest is kept."""
        token = "collab_" + secrets.token_urlsafe(32)
        expires = now + timedelta(days=days)
        info = TokenInfo(
            token_id=str(uuid.uuid4()),
            actor_id=actor_id,
            label=label,
            created_at=rfc3339(now),
            expires_at=rfc3339(expires if until is None else min(expires, until)),
            revoked_at=None,
        )
        with self.writer.begin() as conn:
            conn.execute(insert(tokens).values(token_sha256=digest(token), **vars(info)))
        return token, info

    def list(self, actor_id: str) -> list[TokenInfo]:
        columns = [tokens.c[name] for name in TokenInfo.__dataclass_fields__]
        query = select(*columns).where(tokens.c.actor_id == actor_id).order_by(tokens.c.created_at)
        with self.reader.connect() as conn:
            return [TokenInfo(**r._mapping) for r in conn.execute(query)]

    def revoke(self, token_id: str, now: datetime, actor_id: str | None = None) -> bool:
        """Revoke one token (of one actor when given); False when there is no such live one."""
        query = update(tokens).where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
        if actor_id is not None:
            query = query.where(tokens.c.actor_id == actor_id)
        with self.writer.begin() as conn:
            revoked = conn.execute(query.values(revoked_at=rfc3339(now))).rowcount == 1
        self.callers.forget()  # once committed: no request of this process uses it again
        return revoked

    def any_token(self) -> bool:
        with self.reader.connect() as conn:
            return conn.execute(select(tokens.c.token_id).limit(1)).first() is not None

    def bearer(self, token: str, now: datetime) -> Bearer | None:
        """The actor and expiry of a live token, or None (unknown, revoked or expired)."""
        # On every request: plain SQL, no statement to compile.
        with self.reader.connect() as conn:
            placeholder = mark(conn)
            sql = (
                f"SELECT actor_id, expires_at FROM {tokens.name} "
                f"WHERE token_sha256 = {placeholder} "
                f"AND revoked_at IS NULL AND expires_at > {placeholder}"
            )
            row = conn.exec_driver_sql(sql, (digest(token), rfc3339(now))).first()
        return None if row is None else Bearer(str(row[0]), parse_time(str(row[1])))

    def actor_of(self, token: str, now: datetime) -> str | None:
        """The actor id of a live token, or None (unknown, revoked or expired)."""
        found = self.bearer(token, now)
        return None if found is None else found.actor_id


def parse_time(stored: str) -> datetime:
    """A stored time (as `rfc3339` writes it: UTC, "Z") back as an aware datetime."""
    moment = datetime.fromisoformat(stored)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc(moment: datetime | None = None) -> datetime:
    return (moment or datetime.now(UTC)).astimezone(UTC)
