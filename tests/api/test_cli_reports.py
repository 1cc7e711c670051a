"""The operator's reports commands: `collab reports export` writes the bytes the API serves
(refusing an unknown report, partnership or language with a message), and `collab reports
check` validates a report file offline: exit 0 for the demo's IATI and 360Giving files,
exit 1 with the finding printed for a broken one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from api import create_app
from api.cli import main
from api.demo import run_demo
from api.service import Service, Settings
from collab.stores import StoreConfig
from tests.api.conftest import Auth

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass
class Demo:
    """The demo, seeded through the API's service into the operator's SQLite database; the
    reports the API served an admin for it; the CLI's environment on that database."""

    pid: str
    served: dict[str, bytes]
    env: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    where = tmp_path_factory.mktemp("demo")
    config = StoreConfig(f"sqlite:///{where}/collab.db")
    # The real clock, as `collab demo` runs: the ruleset refuses dates in the future of the
    # check's own (current) time.
    app = create_app(Settings(store=config, mode="embedded", documents_dir=where / "documents"))
    svc: Service = app.extensions["collab"]
    try:
        pid = run_demo(svc.app).split()[1].rstrip(":")
        admin = Auth(app).admin.headers()
        client = app.test_client()
        served = {
            r: client.get(f"/v1/partnerships/{pid}/reports/{r}", headers=admin).get_data()
            for r in ("iati", "360giving", "commitments")
        }
    finally:
        svc.close()
    env = {"COLLAB_DATABASE_URL": config.url, "COLLAB_DOCUMENTS_DIR": str(where / "documents")}
    yield Demo(pid, served, env)


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.mark.parametrize("report", ["iati", "360giving", "commitments"])
def test_export_writes_the_bytes_the_api_serves(demo: Demo, report: str, tmp_path: Path) -> None:
    # When the operator exports the demo's report to a file, and to stdout
    out = tmp_path / f"report.{report}"
    to_file = run(demo.env, "reports", "export", report, demo.pid, "--output", str(out))
    to_stdout = run(demo.env, "reports", "export", report, demo.pid)
    # Then both are the bytes the API served an admin
    assert to_file.exit_code == 0, to_file.output
    assert out.read_bytes() == demo.served[report]
    assert to_stdout.exit_code == 0 and to_stdout.stdout_bytes == demo.served[report]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("pdf", "{pid}"), "no report pdf"),
        (("iati", UNKNOWN), "no partnership"),
        (("iati", "not-an-id"), "partnership_id"),
        (("iati", "{pid}", "--language", "xx"), "language xx"),
        (("iati", "{pid}", "--as-of-position", "999999999"), "as_of_position"),
    ],
)
def test_export_refuses_what_it_cannot_export_with_a_message(
    demo: Demo, args: tuple[str, ...], said: str, tmp_path: Path
) -> None:
    out = tmp_path / "nothing.xml"
    filled = [a.format(pid=demo.pid) for a in args]
    result = run(demo.env, "reports", "export", *filled, "--output", str(out))
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert not out.exists()


@pytest.mark.parametrize(("report", "kind"), [("iati", "IATI"), ("360giving", "360Giving")])
def test_check_passes_the_demos_reports(demo: Demo, report: str, kind: str, tmp_path: Path) -> None:
    # Given the demo's report, as the API served it
    file = tmp_path / "report"
    file.write_bytes(demo.served[report])
    # When the operator checks it
    result = run(demo.env, "reports", "check", str(file))
    # Then no error is found (warnings may be printed) and the summary says so
    assert result.exit_code == 0, result.output
    assert f"{kind}" in result.output and ": 0 error(s)" in result.output


def test_check_prints_each_finding_of_a_broken_iati_file_and_exits_1(
    demo: Demo, tmp_path: Path
) -> None:
    # Given the demo's IATI file with its identifier removed
    broken = demo.served["iati"].replace(b"<iati-identifier>", b"<iati-identifer>", 1)
    broken = broken.replace(b"</iati-identifier>", b"</iati-identifer>", 1)
    file = tmp_path / "broken.xml"
    file.write_bytes(broken)
    # When the operator checks it
    result = run(demo.env, "reports", "check", str(file))
    # Then it exits 1, printing the schema's finding with its line and the summary
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(x.startswith("xsd\terror\tline ") and "iati-identifer" in x for x in lines)
    assert "IATI activities: " in lines[-1] and ": 0 error(s)" not in lines[-1]


def test_check_reports_a_360giving_file_missing_its_grants(tmp_path: Path) -> None:
    file = tmp_path / "grants.json"
    file.write_bytes(b'{"grants": [{"id": "x"}]}')
    result = CliRunner().invoke(main, ["reports", "check", str(file)])
    assert result.exit_code == 1, result.output
    assert "schema\terror" in result.output and "360Giving: " in result.output


def test_check_refuses_a_file_that_is_neither(tmp_path: Path) -> None:
    file = tmp_path / "table.csv"
    file.write_bytes(b"a,b\n1,2\n")
    result = CliRunner().invoke(main, ["reports", "check", str(file)])
    assert result.exit_code == 1
    assert "neither an IATI activities XML nor a 360Giving JSON" in result.output
