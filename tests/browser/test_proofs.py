"""Proofs checked in the browser: a timeline entry's "Verify" control fetches the entry's
inclusion proof and the latest signed checkpoint, and web/static/verify.js checks both with
WebCrypto (SHA-256, Ed25519) in Chromium.

The untouched proof shows the checkpoint's size and key as `GET /v1/audit/checkpoint` gives
them; a proof altered on its way to the page (Playwright's `page.route`) shows exactly what
failed. The same code gives verify.py's verdicts, word for word, on the RFC 9162 vectors.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Locator, Page, Route

from collab.audit.verify import inclusion_problem, key_id
from tests.browser.conftest import Person, Site
from tests.browser.tab import Tab, welcome
from tests.browser.world import World
from tests.integration.conftest import collab, run_collab
from tests.integration.test_http_scenario import ok
from web.assets import asset

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "rfc9162" / "inclusion"
SEAL_DEADLINE = 20.0  # seconds for a checkpoint to cover an event
PROOFS = "**/proofs/*"
Answer = dict[str, Any]


def sealing(world: World) -> subprocess.Popen[bytes] | None:
    """Embedded mode: the operator's `collab audit seal`, started now and left to run (its
    start-up is slow) while the person signs in; server mode's sealer needs no help."""
    if world.served.mode != "embedded":
        return None
    quiet = subprocess.DEVNULL
    return collab("audit", "seal", env=world.served.env, stdout=quiet, stderr=quiet)


def sealed(world: World, position: int, started: subprocess.Popen[bytes] | None) -> Answer:
    """The latest checkpoint, once one covers the event at `position` (embedded mode:
    sealed by the operator's CLI; server mode: by the sealer, every 0.2 s)."""
    leaf = ok(world.admin.get(f"/v1/audit/receipts/{position}"))["leaf"]
    if started is not None:
        assert started.wait(timeout=SEAL_DEADLINE) == 0
    deadline = time.monotonic() + SEAL_DEADLINE
    while True:
        found = world.admin.get("/v1/audit/checkpoint")
        if found.status == 200 and found.body["size"] > leaf:
            checkpoint: Answer = found.body
            return checkpoint
        if world.served.mode == "embedded":
            assert run_collab("audit", "seal", env=world.served.env).returncode == 0
        assert time.monotonic() < deadline, f"no checkpoint covers position {position}"
        time.sleep(0.05)  # polling the sealer to a deadline


def signer_of(note: str) -> str:
    """The key id of a signed note's (only) signature line."""
    signature = note.rstrip("\n").rsplit("\n", 1)[1].split(" ")[2]
    return base64.b64decode(signature)[:4].hex()


def newest(world: World, pid: str) -> tuple[int, str]:
    """The newest event of the partnership's commitment: its position and the commitment."""
    items = ok(world.admin.get(f"/v1/partnerships/{pid}/history?limit=500"))["items"]
    last = max((e for e in items if e["stream_kind"] == "commitment"), key=lambda e: e["position"])
    return last["position"], last["stream_id"]


def verify(page: Page, position: int) -> Locator:
    """Press the Verify control of the entry at `position`; its result, once checked."""
    box = page.locator(f"#position-{position} .proof")
    box.get_by_role("button", name="Verify", exact=False).click()
    result = box.locator(".proof-result")
    page.wait_for_function(
        "(r) => r.dataset.outcome && r.dataset.outcome !== 'checking'", arg=result.element_handle()
    )
    return result


def altered(change: Callable[[Answer], None]) -> Callable[[Route], None]:
    """A route that lets the proof through with `change` made to it."""

    def handle(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        change(body)
        route.fulfill(response=response, body=json.dumps(body))

    return handle


def flipped(text: str, at: int) -> str:
    """`text` with its character at `at` replaced by another of the same alphabet."""
    return text[:at] + ("B" if text[at] == "A" else "A") + text[at + 1 :]


def flip_proof_hash(body: Answer) -> None:
    hashes = body["bundle"]["inclusion"]
    hashes[0] = ("1" if hashes[0][0] == "0" else "0") + hashes[0][1:]


def flip_signature(body: Answer) -> None:
    note = body["bundle"]["checkpoint"]
    body["bundle"]["checkpoint"] = flipped(note, len(note) - 12)  # inside the signature


def flip_root(body: Answer) -> None:
    origin, size, root, rest = body["bundle"]["checkpoint"].split("\n", 3)
    body["bundle"]["checkpoint"] = "\n".join([origin, size, flipped(root, 5), rest])


def flip_entry(body: Answer) -> None:
    entry = json.loads(body["bundle"]["entry"])
    entry["recorded_at"] = "1999" + entry["recorded_at"][4:]
    body["bundle"]["entry"] = json.dumps(entry, sort_keys=True, separators=(",", ":"))


def other_key(body: Answer) -> None:
    """The keys replaced by another key of the same origin (the checkpoint's is unknown)."""
    origin = body["keys"][0].split("+", 1)[0]
    public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    encoded = base64.b64encode(b"\x01" + public).decode()
    body["keys"] = [f"{origin}+{key_id(origin, public)}+{encoded}"]


ALTERATIONS = [
    (flip_proof_hash, "root", "root mismatch"),
    (flip_signature, "signature", "bad signature"),
    (flip_root, "signature", "bad signature"),
    (flip_entry, "leaf", "leaf hash mismatch"),
    (other_key, "key", "unknown key"),
]


def photograph(tab: Tab, name: str) -> None:
    """A picture of the page as it stands (after a check), beside the tab's others."""
    tab.page.screenshot(path=tab.shots / f"{tab.count:02d}-{name}.png", full_page=True)


def check_alterations(tab: Tab, position: int) -> None:
    """Each alteration of the proof on its way to the page fails, saying what failed."""
    page = tab.page
    for change, outcome, words in ALTERATIONS:
        page.route(PROOFS, altered(change))
        result = verify(page, position)
        page.unroute(PROOFS)
        assert result.get_attribute("data-outcome") == outcome, change.__name__
        assert words in result.inner_text(), change.__name__
        photograph(tab, change.__name__)
    page.route(PROOFS, lambda route: route.abort())
    assert "network error" in verify(page, position).inner_text()
    page.unroute(PROOFS)
    page.route(PROOFS, lambda route: route.fulfill(status=503, json={"sealed": False}))
    shown = verify(page, position).inner_text()
    assert shown == "Not yet in a signed checkpoint; try again shortly."
    page.unroute(PROOFS)


def check_without_webcrypto_or_javascript(person: Person, tab: Tab, path: str) -> None:
    """The same session, in a tab without JavaScript and in one without WebCrypto (as over
    plain HTTP off loopback): no Verify control; each says why and where to check instead."""
    plain, insecure = person("no-javascript", javascript=False), person("no-webcrypto")
    insecure.page.add_init_script(
        "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined})"
    )
    for other in (plain, insecure):
        other.page.context.add_cookies(cast(Any, tab.page.context.cookies()))  # same fields
        assert other.open(path) == 200
        assert other.page.get_by_role("button", name="Verify", exact=False).count() == 0
    assert "needs JavaScript" in plain.main() and "verify.py" in plain.main()
    assert "needs a secure connection (HTTPS)" in insecure.main()


def test_an_auditor_verifies_an_entry_in_the_browser_and_an_altered_proof_fails(
    site: Site, person: Person
) -> None:
    # Given: an active partnership, an auditor granted it, and its commitment's newest event
    world = site.world
    broker = world.enrol("broker", "Broker of proofs")
    partners = [
        world.partner(broker, "civil_society", "Associação de Beja", "Beatriz Partner"),
        world.partner(broker, "public", "Câmara de Serpa", "Sérgio Partner"),
    ]
    pid = world.active(broker, "Rota das provas", partners)
    auditor = world.enrol("auditor", "Auditor of proofs")
    world.grant(auditor, pid)
    world.settle()
    position, commitment = newest(world, pid)
    link, started = world.link(auditor.actor_id), sealing(world)
    tab = person("auditor")
    welcome(tab, link, f"auditor-{uuid.uuid4().hex[:8]}")
    sealed(world, position, started)

    # When: the auditor opens the timeline and presses Verify on that entry
    assert tab.open(f"/partnerships/{pid}/timeline") == 200
    result = verify(tab.page, position)

    # Then: the browser says it is included in the latest checkpoint, signed by its key,
    # as the API gives them
    checkpoint = ok(world.admin.get("/v1/audit/checkpoint"))
    included = f"Included in checkpoint {checkpoint['size']}, signed by key "
    assert result.inner_text() == included + f"{signer_of(checkpoint['note'])}."
    assert result.get_attribute("data-outcome") == "included"
    photograph(tab, "verified")

    # When: the proof is altered on its way (a proof hash, the checkpoint's signature or
    # root, the entry, the keys), or the network fails, or the event is not sealed yet
    # Then: the check fails and says exactly what failed
    check_alterations(tab, position)

    # And: untouched again, it verifies, on the commitment's own timeline too
    assert "Included in checkpoint" in verify(tab.page, position).inner_text()
    path = f"/commitments/{commitment}/timeline"
    assert tab.open(path) == 200
    assert verify(tab.page, position).inner_text().startswith(included)

    # And: without JavaScript, or without WebCrypto, no control shows; each says why
    check_without_webcrypto_or_javascript(person, tab, path)


def vectors() -> list[Answer]:
    """The RFC 9162 inclusion vectors (hashes as hex) with verify.py's verdict on each."""
    if not VECTORS.is_dir():
        pytest.skip(f"RFC 9162 vectors not found at {VECTORS}")
    found = []
    for path in sorted(VECTORS.rglob("*.json")):
        v = json.loads(path.read_text())
        raw = {k: base64.b64decode(v[k]) for k in ("leafHash", "root")}
        proof = [base64.b64decode(p) for p in v["proof"] or []]
        why = inclusion_problem(v["leafIdx"], v["treeSize"], raw["leafHash"], proof, raw["root"])
        found.append(
            {
                "name": str(path.relative_to(VECTORS)),
                "args": [
                    str(v["leafIdx"]),  # as text: JavaScript numbers stop at 2**53
                    str(v["treeSize"]),
                    raw["leafHash"].hex(),
                    [p.hex() for p in proof],
                    raw["root"].hex(),
                ],
                "wantErr": v["wantErr"],
                "python": why,
            }
        )
    return found


RUN_VECTORS = """async (vectors) => {
  const bytes = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
  const out = [];
  for (const v of vectors) {
    const [index, size, leaf, proof, root] = v.args;
    const why = await CollabProof.inclusionProblem(
      BigInt(index), BigInt(size), bytes(leaf), proof.map(bytes), bytes(root));
    out.push({name: v.name, wantErr: v.wantErr, python: v.python, browser: why});
  }
  return out;
}"""


def test_the_browser_check_gives_verify_py_verdicts_on_the_rfc9162_vectors(
    site: Site, person: Person
) -> None:
    # Given: verify.js loaded in a page of the site (a secure context: loopback)
    page = person("vectors").page
    page.goto(asset("verify.js"))
    page.add_script_tag(url=asset("verify.js"))
    # When: it checks every inclusion vector
    results = page.evaluate(RUN_VECTORS, vectors())
    # Then: each verdict is the one its file states, and verify.py's reason, word for word
    assert results
    for r in results:
        assert r["browser"] == r["python"], r["name"]
        assert (r["browser"] is not None) == r["wantErr"] or "stricter" in r["browser"], r
