"""`offline`: a fixture that makes networking unavailable for the test that uses it.

Use it as `@pytest.mark.usefixtures("offline")` after `from tests.reports.offline import
offline  # noqa: F401`, or name it as a test argument."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkUnavailableError(OSError):
    """Raised by every attempt to resolve a name or open a connection."""


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkUnavailableError(f"networking is unavailable in this test: {args!r}")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No name lookups, no connections, for the duration of the test."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    yield
