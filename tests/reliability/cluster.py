"""A throwaway PostgreSQL cluster made by the tests (never the machine's shared server).

`initdb` refuses to run as root (PITFALLS): as root, every server command runs as the
`postgres` user through `runuser`, on a directory that user owns; otherwise as ourselves.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg.sql import SQL, Identifier

from collab.stores import StoreConfig
from tests.integration.conftest import free_port


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory holding initdb, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: p.split("/")[3])
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return None if initdb is None else Path(initdb).parent


@dataclass
class Cluster:
    """One postmaster on a free port of 127.0.0.1, its socket in a directory of its own."""

    bin: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def run(self, tool: str, *args: str, owner: bool = True, timeout: float = 60) -> str:
        """A server tool as the cluster's owner (a client tool, `owner=False`, as ourselves);
        its output (raises with the server's log on failure)."""
        command = [str(self.bin / tool), *args]
        if owner and os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {args}: {done.stdout}{done.stderr}\n{tail}")
        return done.stdout

    def initdb(self) -> None:
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c max_connections=200"
        )
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "start", "-w")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "stop", "-m", mode, "-w")

    def restart(self) -> None:
        """A crash and a start: `stop -m immediate` (no checkpoint, every backend killed,
        crash recovery on start), then the same options again."""
        self.stop("immediate")
        self.start()

    def client(self, tool: str, *args: str) -> str:
        """pg_dump, pg_restore or psql against this cluster."""
        where = ("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres")
        return self.run(tool, *where, *args, owner=False)

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def create_database(self) -> StoreConfig:
        """A fresh, empty database; its store URL (schema public)."""
        name = f"collab_{uuid4().hex[:12]}"
        with self.connect() as conn:
            conn.execute(SQL("CREATE DATABASE {}").format(Identifier(name)))
        return self.config(name)

    def config(self, dbname: str) -> StoreConfig:
        return StoreConfig(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}")

    def drop_database(self, config: StoreConfig) -> None:
        name = config.postgres_settings()["POSTGRES_DBNAME"]
        with self.connect() as conn:
            conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


def make_cluster(bin_dir: Path) -> Cluster:
    """initdb into a fresh directory owned by the user the server runs as, then start."""
    root = Path(tempfile.mkdtemp(prefix="collab-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(bin_dir, root, free_port())
    cluster.initdb()
    cluster.start()
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    try:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop("immediate")
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)
