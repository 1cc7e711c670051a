"""Store configuration and the side rows written in a command's own transaction.

INTERFACE CONTRACT (the application relies on exactly this; see docs/decisions.md):

* ``StoreConfig.from_env()`` reads ``COLLAB_DATABASE_URL`` (``memory://``,
  ``sqlite:///ABS/PATH.db``, ``postgresql+psycopg://user:pw@host:port/db[?schema=NAME]``);
  unset means the embedded default ``sqlite:///$COLLAB_DATA_DIR/collab.db`` with
  ``COLLAB_DATA_DIR`` defaulting to ``var``.
* ``eventsourcing_env(config)`` returns the environment for ``eventsourcing.Application``:
  it selects our own factory classes (``PERSISTENCE_MODULE`` = a class topic), whose
  application recorder also implements ``CollabRecorder`` below.
* ``Application.save(*aggregates, idempotency=IdempotencyRecord(...))`` passes the record
  down to ``recorder.insert_events(stored_events, idempotency=...)``; the recorder writes it
  in the same transaction as the events, with ``positions`` = the notification ids of that
  insert. A second record for the same (actor_id, key) raises ``IntegrityError`` and the
  whole transaction (events included) is rolled back.

SQLite URLs follow SQLAlchemy: ``sqlite:///rel/path.db`` is relative (resolved against the
working directory when the config is made), ``sqlite:////abs/path.db`` is absolute.

Collab's files are its owner's alone (docs/decisions.md): the data directory 0700, the
database and its ``-wal``/``-shm`` files 0600, whatever the process umask; an older data
directory or database that others could read is tightened when collab opens it.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from collab.stores.base import CollabRecorder, Contact, IdempotencyRecord, StoreKind

__all__ = [
    "PRIVATE",
    "CollabRecorder",
    "Contact",
    "IdempotencyRecord",
    "StoreConfig",
    "StoreKind",
    "data_dir_of",
    "eventsourcing_env",
    "private_directory",
    "tighten",
]

log = logging.getLogger("collab.stores")
# The umask of every collab process, and the bits `tighten` removes: group and others.
PRIVATE = 0o077

# Class topics, not imports: choosing a store must not import the other stores' drivers.
FACTORY_TOPICS: dict[StoreKind, str] = {
    "memory": "collab.stores.memory:MemoryStoreFactory",
    "sqlite": "collab.stores.sqlite:SQLiteStoreFactory",
    "postgres": "collab.stores.postgres:PostgresStoreFactory",
}
_SQLITE_PREFIX = "sqlite:///"
_POSTGRES_SCHEME = "postgresql+psycopg"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_POSTGRES_FORM = "postgresql+psycopg://USER[:PW]@HOST[:PORT]/DB[?schema=NAME]"


@dataclass(frozen=True)
class StoreConfig:
    """Where events and side rows live, as one URL (see the module docstring)."""

    url: str

    def __post_init__(self) -> None:
        if self.kind == "sqlite":
            # Fix a relative path now, so a later chdir cannot move the database.
            absolute = "sqlite:///" + str(self.sqlite_path.resolve())
            object.__setattr__(self, "url", absolute)
        elif self.kind == "postgres":
            self.postgres_settings()  # validate early

    @property
    def kind(self) -> StoreKind:
        if self.url == "memory://":
            return "memory"
        if self.url.startswith(_SQLITE_PREFIX):
            return "sqlite"
        if self.url.startswith(_POSTGRES_SCHEME + "://"):
            return "postgres"
        hint = " (use postgresql+psycopg://)" if self.url.startswith("postgres") else ""
        msg = (
            f"unsupported store URL {self.url!r}{hint}: expected memory://, "
            f"sqlite:///PATH or {_POSTGRES_FORM}"
        )
        raise ValueError(msg)

    @property
    def sqlite_path(self) -> Path:
        """The database file of a ``sqlite:///`` URL."""
        if self.kind != "sqlite":
            raise ValueError(f"not a SQLite URL: {self.url!r}")
        path = self.url.removeprefix(_SQLITE_PREFIX)
        if not path or path == ":memory:" or path.startswith("file:") or "?" in path:
            msg = f"SQLite URL needs a plain file path (use memory:// for tests): {self.url!r}"
            raise ValueError(msg)
        return Path(path)

    def postgres_settings(self) -> dict[str, str]:
        """The ``POSTGRES_*`` settings of a ``postgresql+psycopg://`` URL."""
        if self.kind != "postgres":
            raise ValueError(f"not a PostgreSQL URL: {self.url!r}")
        parts = urlsplit(self.url)
        query = parse_qs(parts.query, keep_blank_values=True)
        dbname = unquote(parts.path.removeprefix("/"))
        try:
            port = parts.port or 5432
        except ValueError as e:
            raise ValueError(f"bad port in {self.url!r}") from e
        if not (parts.hostname and parts.username and dbname) or set(query) - {"schema"}:
            raise ValueError(f"expected {_POSTGRES_FORM}: {self.url!r}")
        schema = query.get("schema", ["public"])[-1]
        if not _IDENTIFIER.fullmatch(schema):
            raise ValueError(f"schema must be a plain SQL identifier: {schema!r}")
        return {
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": unquote(parts.username),
            # Empty is valid: trust or peer authentication.
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": schema,
        }

    def psycopg_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect`` (tests, benchmarks, tools)."""
        s = self.postgres_settings()
        return {
            "dbname": s["POSTGRES_DBNAME"],
            "host": s["POSTGRES_HOST"],
            "port": s["POSTGRES_PORT"],
            "user": s["POSTGRES_USER"],
            "password": s["POSTGRES_PASSWORD"],
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreConfig:
        """``COLLAB_DATABASE_URL``, else ``$COLLAB_DATA_DIR/collab.db`` (directory created)."""
        environ = os.environ if environ is None else environ
        url = environ.get("COLLAB_DATABASE_URL", "").strip()
        if url:
            return cls(url)
        data_dir = private_directory(data_dir_of(environ))
        return cls(_SQLITE_PREFIX + str(data_dir / "collab.db"))


def data_dir_of(environ: Mapping[str, str]) -> Path:
    """``$COLLAB_DATA_DIR`` (default ``var``): the embedded database and ``keys/``."""
    return Path(environ.get("COLLAB_DATA_DIR", "").strip() or "var").resolve()


def private_directory(path: Path) -> Path:
    """``path`` made 0700 if missing (its parents too, under the umask), else tightened."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """Take the group and other bits off a file or directory this user owns, if it exists.

    A shared directory (the sticky bit, as on /tmp) is left alone: it is not collab's."""
    try:
        st = path.stat()
        mode = stat.S_IMODE(st.st_mode)
        if not mode & PRIVATE or st.st_uid != os.geteuid():
            return
        if stat.S_ISDIR(st.st_mode) and mode & stat.S_ISVTX:
            log.warning("collab: %s is a shared directory (%04o); not tightened", path, mode)
            return
        path.chmod(mode & ~PRIVATE)
    except FileNotFoundError:
        return
    except OSError as e:  # a read-only file system: say so, and go on
        log.warning("collab: cannot make %s private: %s", path, e)
        return
    log.warning("collab: %s was open to others (%04o); now %04o", path, mode, mode & ~PRIVATE)


def eventsourcing_env(config: StoreConfig) -> dict[str, str]:
    """The ``env`` for ``eventsourcing.application.Application`` using our recorders.

    Snapshotting is the application class's business, not the store's. The PostgreSQL
    insert path stays the library's default (``LOCK TABLE … IN EXCLUSIVE MODE``): commit
    order = position order (DESIGN §1); our factory refuses the database-function path.
    """
    env = {"PERSISTENCE_MODULE": FACTORY_TOPICS[config.kind]}
    if config.kind == "sqlite":
        env["SQLITE_DBNAME"] = str(config.sqlite_path)
    elif config.kind == "postgres":
        env.update(config.postgres_settings())
    return env
