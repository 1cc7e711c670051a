"""The read side knows no use case, and constructing one does no I/O (the wiring is the
entrypoints', api/wiring.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import inspect

from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.readside import ReadSide
from tests.application.conftest import fixed_clock

PROJECTIONS = Path(__file__).resolve().parents[2] / "projections"
FORBIDDEN = ("collab.use_cases", "collab.commands", "collab.application", "api")


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_read_side_imports_no_use_case_and_no_entrypoint() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(PROJECTIONS.glob("*.py"))
        for name in imported(path)
        if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
    }
    assert offenders == set()


def test_constructing_a_read_side_touches_no_database(tmp_path: Path) -> None:
    # Given an application on a SQLite file, and the read side's own database not made yet
    store = StoreConfig(f"sqlite:///{tmp_path}/collab.db")
    app = Collab(store, clock=fixed_clock)
    views = StoreConfig(f"sqlite:///{tmp_path}/views.db")
    try:
        # When a read side is constructed over another file
        read = ReadSide(app, views)
        # Then nothing was opened or created
        assert not (tmp_path / "views.db").exists()
        read.close()
        # And the wiring makes its tables, once asked
        wired = open_read_side(app, store)
        with wired.reader() as conn:
            assert wired.tables.tracking.name in inspect(conn).get_table_names()
        wired.close()
    finally:
        app.close()
