"""Documents in a real browser: a broker uploads an annex from the terms form, lists it in
the draft terms and opens them for signature; a partner, without JavaScript, sees the
annex (name, hash, download link) on the sign page before its button, downloads it and
gets the same bytes, then signs; the documents page lists it, and takes an upload
without JavaScript too."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, signed_in
from tests.browser.tab import Tab
from tests.integration.test_http_scenario import ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ANNEX = "Anexo I — plano de rotas\nAldeia 1: segunda\nAldeia 2: terça\n".encode()


def downloaded(tab: Tab, link: str) -> bytes:
    """Follow a link the server answers as an attachment; the bytes saved."""
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name=link).first.click()
    return Path(download.value.path()).read_bytes()


def test_an_annex_uploaded_listed_and_shown_before_signing(site: Site, person: Person) -> None:
    # Given: a partnership of two organisations with no text yet
    world = site.world
    broker = world.enrol("broker", "Broker of annexes")
    lead = world.partner(broker, "public", "Junta de Freguesia de Mértola", "Lu Lead")
    ally = world.partner(broker, "civil_society", "Associação Guadiana Viva", "Gil Ally")
    pid = world.partnership(broker, "Rotas do Guadiana")
    world.member(broker, pid, lead, "lead")
    world.member(broker, pid, ally, "implementer")
    world.settle()
    sha = hashlib.sha256(ANNEX).hexdigest()

    # When: the broker, from the draft form, uploads an annex (the size limit said)
    b = signed_in(person, world, broker, "broker")
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Draft a new version of the agreement") == 200
    assert follow(b, "Upload an annex") == 200
    assert "At most 50 MB" in b.main()
    b.page.set_input_files(
        "#f-file", files=[{"name": "anexo-1.txt", "mimeType": "text/plain", "buffer": ANNEX}]
    )
    assert b.page.input_value("#f-about") == "need_assessment"
    assert b.press("Upload the document") == 200
    assert b.path == f"/partnerships/{pid}/versions/new"

    # And: lists it in the draft terms, then opens them for signature
    annex = b.page.get_by_role("checkbox", name="anexo-1.txt")
    annex.check()
    b.fill(**{"f-terms-vision": "Rotas que ligam", "f-terms-shared_objectives-0": "Ligar aldeias"})
    b.page.select_option("#f-terms-governance-rule", "majority")
    b.fill(**{"f-terms-governance-quorum": "50", "f-terms-review_schedule": "yearly"})
    b.fill(**{"f-terms-exit_notice_days": "30"})
    b.page.select_option("#f-terms-moving_on_strategy", "hand_over")
    b.fill(**{"f-terms-period-start": "2027-01-01", "f-terms-period-end": "2029-12-31"})
    assert b.press("Record the draft") == 200 and b.path == f"/partnerships/{pid}"
    assert follow(b, "Open version 1 for signature") == 200
    assert "anexo-1.txt" in b.main() and sha in b.main()
    assert b.press("Open version 1 for signature") == 200
    versions = ok(broker.api.get(f"/v1/partnerships/{pid}/versions"))["items"]
    assert versions[0]["terms"]["documents"] == [{"sha256": sha, "name": "anexo-1.txt"}]

    # Then: the ally, without JavaScript, sees the annex on the sign page before the button
    a = signed_in(person, world, ally, "ally", js=False)
    a.open(f"/partnerships/{pid}")
    assert follow(a, "Sign version 1") == 200
    shown = a.page.locator("section.to-sign-documents")
    assert "signing binds them" in shown.inner_text() and sha in shown.inner_text()
    html = a.page.content()
    assert html.index(sha) < html.index("Sign this text")
    # And: downloads it, the same bytes, then signs
    assert downloaded(a, "anexo-1.txt") == ANNEX
    assert a.press("Sign this text") == 200 and a.path == f"/partnerships/{pid}"
    signed = ok(ally.api.get(f"/v1/partnerships/{pid}/versions"))["items"][0]["signed_by"]
    assert signed == [ally.organisation_id]

    # And: the documents page lists it, attached and listed in version 1
    assert a.open(f"/partnerships/{pid}/documents") == 200
    attached = a.page.locator("table", has_text="Files attached").inner_text()
    assert "anexo-1.txt" in attached and sha in attached and "Broker of annexes" in attached
    assert "Agreement version 1" in a.page.locator("table", has_text="Files the terms").inner_text()

    # And: the ally, still without JavaScript, uploads a photo there documenting version 1
    a.page.set_input_files(
        "#f-file", files=[{"name": "reuniao.png", "mimeType": "image/png", "buffer": PNG}]
    )
    a.page.select_option("#f-about", "agreement_version:1")
    assert a.press("Upload the document") == 200
    assert a.path == f"/partnerships/{pid}/documents"
    photo = a.page.locator(f"#document-{hashlib.sha256(PNG).hexdigest()}").inner_text()
    assert "reuniao.png" in photo and "image/png" in photo and "Gil Ally" in photo
