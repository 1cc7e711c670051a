"""A newcomer's first steps: the README's curl block, run verbatim against `make run`'s setup."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.integration.conftest import Served

ROOT = Path(__file__).resolve().parents[2]


def first_steps() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## First steps with curl", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match is not None, "the README lost its first-steps block"
    return match.group(1)


def test_the_readme_first_steps_work_as_written(served_embedded: Served) -> None:
    # Given the service as `make run` starts it (embedded SQLite), on a port of its own
    script = first_steps().replace("http://localhost:8000", served_embedded.http.base)
    # broker, its token, two organisations, a partnership, the export
    assert script.count("curl ") == 6
    # When the block runs verbatim in bash, from the repository root
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=served_embedded.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then every step succeeded, ending with the partnership's outcome
    assert done.returncode == 0, done.stderr
    outcomes = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [o["command"] for o in outcomes] == [
        "register_organisation",
        "register_organisation",
        "initiate_partnership",
    ]
    assert outcomes[-1]["result"]["partnership_id"]
    # ... and the exported log verified clean against the public key
    assert "checkpoint signed" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("clean"), done.stdout
