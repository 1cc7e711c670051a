"""Starting the service's own processes (used by tests and benchmarks)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def start_worker(database_url: str, *, poll: float, **popen: Any) -> subprocess.Popen[bytes]:
    """`collab projections run` in its own process, on the given database."""
    command = [sys.executable, "-c", "from api.cli import main; main()"]
    command += ["projections", "run", "--poll", str(poll)]
    env = {**os.environ, "COLLAB_DATABASE_URL": database_url}
    return subprocess.Popen(command, env=env, **popen)


def start_due(database_url: str, *, interval: float, **popen: Any) -> subprocess.Popen[bytes]:
    """`collab due run --follow` (the due-date processor) in its own process."""
    command = [sys.executable, "-c", "from api.cli import main; main()"]
    command += ["due", "run", "--follow", "--interval", str(interval)]
    env = {**os.environ, "COLLAB_DATABASE_URL": database_url}
    return subprocess.Popen(command, env=env, **popen)
