"""Reports tests: the demo seeded through a real service (memory, SQLite file, PostgreSQL),
its partnership's `ReportState` read as the admin, a member and others see it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from api.demo import run_demo
from api.service import Service
from collab.stores import StoreConfig
from collab.visibility import Viewer
from projections.asof import rows_as_of
from projections.reports import ReportState, report_state_for
from tests.api.conftest import make_app


@dataclass
class DemoWorld:
    """The demo's service and its first partnership (the one with money and documents)."""

    flask_app: Flask
    partnership_id: str
    summary: str

    @property
    def service(self) -> Service:
        svc: Service = self.flask_app.extensions["collab"]
        return svc

    def state(self, viewer: Viewer, position: int | None = None) -> ReportState:
        svc = self.service
        svc.read.catch_up()
        with svc.read.reader() as conn:
            return report_state_for(
                conn,
                svc.read.tables,
                viewer,
                self.partnership_id,
                lambda p, n: rows_as_of(svc.app, p, n),
                position,
            )


@pytest.fixture
def demo_world(store_config: StoreConfig, tmp_path: Path) -> Iterator[DemoWorld]:
    flask_app = make_app(store_config, documents_dir=tmp_path / "documents")
    svc: Service = flask_app.extensions["collab"]
    summary = run_demo(svc.app)
    pid = summary.splitlines()[0].split()[1].rstrip(":")
    yield DemoWorld(flask_app, pid, summary)
    svc.close()
