"""A load driver: client threads issuing commands, each with an Idempotency-Key of its own.

A client retries the SAME key after a 503 or a connection error until the command is
acknowledged (2xx) or the deadline passes; it records every acknowledgement (the key,
the positions, the ids) and every other answer it saw on the way, to be judged later.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RETRY_DEADLINE = 45.0  # seconds one command may take, retries included
REQUEST_TIMEOUT = 15.0


@dataclass(frozen=True)
class Client:
    """What one thread sends: a bearer token, a path and a fresh body per command."""

    kind: str  # "register" or "pledge": which id the result names
    token: str
    path: str
    body: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Ack:
    kind: str
    key: str
    positions: tuple[int, ...]
    result: dict[str, Any]
    started: float  # when the first attempt of this key was sent (monotonic)
    attempts: int


@dataclass(frozen=True)
class Seen:
    """A non-2xx answer (status, content type, body) or a connection error (status 0)."""

    status: int
    content_type: str
    body: str


def send(base: str, client: Client, key: str, body: bytes) -> Seen:
    headers = {
        "Authorization": f"Bearer {client.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    request = urllib.request.Request(base + client.path, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return Seen(response.status, response.headers["Content-Type"], response.read().decode())
    except urllib.error.HTTPError as error:
        return Seen(error.code, error.headers.get("Content-Type", ""), error.read().decode())
    except (OSError, http.client.HTTPException) as error:  # reset, refused, timed out
        return Seen(0, "", f"{type(error).__name__}: {error}")


@dataclass
class Load:
    """Client threads against `base` until `stop()`; acks and troubles are shared lists."""

    base: str
    clients: list[Client]
    acks: list[Ack] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    halt: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        for n, client in enumerate(self.clients):
            thread = threading.Thread(target=self.drive, args=(client,), name=f"client-{n}")
            thread.start()
            self.threads.append(thread)
        return self

    def drive(self, client: Client) -> None:
        while not self.halt.is_set():
            self.issue(client, uuid.uuid4().hex, json.dumps(client.body()).encode())

    def issue(self, client: Client, key: str, body: bytes) -> None:
        """One logical command: the same key and body until acknowledged (or the deadline)."""
        started = time.monotonic()
        attempts, pause = 0, 0.05
        while True:
            attempts += 1
            reply = send(self.base, client, key, body)
            if 200 <= reply.status < 300:
                got = json.loads(reply.body)
                ack = Ack(
                    client.kind, key, tuple(got["positions"]), got["result"], started, attempts
                )
                with self.lock:
                    self.acks.append(ack)
                return
            with self.lock:
                self.seen.append(reply)
            if time.monotonic() - started > RETRY_DEADLINE:
                with self.lock:
                    self.given_up.append(key)
                return
            time.sleep(pause)  # backing off before the retry, to the deadline above
            pause = min(pause * 2, 0.5)

    def count(self, since: float = 0.0) -> int:
        """Acknowledged commands whose first attempt was sent at or after `since`."""
        with self.lock:
            return sum(1 for a in self.acks if a.started >= since)

    def wait_for(self, n: int, since: float = 0.0, deadline: float = 30.0) -> None:
        end = time.monotonic() + deadline
        while self.count(since) < n:
            assert time.monotonic() < end, f"only {self.count(since)} of {n} acknowledged"
            assert all(t.is_alive() for t in self.threads), "a client thread died"
            time.sleep(0.02)  # polling the clients' progress to a deadline

    def stop(self) -> None:
        """No new commands; each client finishes the one it is sending."""
        self.halt.set()
        for thread in self.threads:
            thread.join(timeout=RETRY_DEADLINE + REQUEST_TIMEOUT + 5)
        assert not any(t.is_alive() for t in self.threads), "a client is still sending"
