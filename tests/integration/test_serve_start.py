"""What `collab serve` says and opens at start (issue 12, item 9): a warning when it faces
clients directly with no proxy declared, and no gunicorn control socket."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import local
from tests.integration.conftest import free_port, isolated_env, serving_alone

WARNING = "set COLLAB_BEHIND_PROXY=1 to silence this warning"


def started(tmp_path: Path, host: str, **extra: str) -> str:
    """`collab serve` on `host` until it answers, then stopped cleanly: its stderr."""
    env = isolated_env(tmp_path, **extra)
    with serving_alone(env, f"{host}:{free_port()}", tmp_path, workers=1) as server:
        # No control socket, where this gunicorn would put one ($XDG_RUNTIME_DIR here)
        assert not list(tmp_path.rglob("gunicorn.ctl"))
    assert server.returncode == 0
    assert not list(tmp_path.rglob("*.ctl"))
    assert not (tmp_path / "home" / ".gunicorn").exists()
    return (tmp_path / "serve.err").read_text()


def test_listening_on_every_address_warns(tmp_path: Path) -> None:
    stderr = started(tmp_path, "0.0.0.0")
    assert "listening on 0.0.0.0:" in stderr
    assert "not a loopback address" in stderr
    assert WARNING in stderr


def test_behind_a_proxy_it_does_not_warn(tmp_path: Path) -> None:
    stderr = started(tmp_path, "0.0.0.0", COLLAB_BEHIND_PROXY="1")
    assert "COLLAB_BEHIND_PROXY" not in stderr


def test_on_loopback_it_does_not_warn(tmp_path: Path) -> None:
    stderr = started(tmp_path, "127.0.0.1")
    assert "COLLAB_BEHIND_PROXY" not in stderr


def test_off_loopback_without_a_public_url_it_warns_about_sign_in_links(tmp_path: Path) -> None:
    stderr = started(tmp_path, "0.0.0.0", COLLAB_BEHIND_PROXY="1")
    assert "COLLAB_PUBLIC_URL is not set" in stderr
    given = started(
        tmp_path, "0.0.0.0", COLLAB_BEHIND_PROXY="1", COLLAB_PUBLIC_URL="https://c.example"
    )
    assert "COLLAB_PUBLIC_URL" not in given


def test_without_a_runtime_directory_no_control_socket_in_home(tmp_path: Path) -> None:
    # gunicorn's other default place: $HOME/.gunicorn/gunicorn.ctl (checked in `started`)
    started(tmp_path, "127.0.0.1", XDG_RUNTIME_DIR="")


LOCAL = (
    *("127.0.0.1:8000", "127.3.2.1:80", "localhost:8000", "LOCALHOST", "[::1]:8000"),
    *("tcp://127.0.0.1:8000", "[::ffff:127.0.0.1]:80", "unix:/run/c.sock", "unix:///run/c.sock"),
)
NOT_LOCAL = (
    *("0.0.0.0:8000", ":8000", "", "192.0.2.7:80", "[::]:8000", "[2001:db8::1]:80"),
    *("collab.example.org:80", "fd://3", "127.0.0.1:http"),
)


@pytest.mark.parametrize("bind", LOCAL)
def test_local_binds(bind: str) -> None:
    assert local(bind)


@pytest.mark.parametrize("bind", NOT_LOCAL)
def test_other_binds(bind: str) -> None:
    assert not local(bind)
