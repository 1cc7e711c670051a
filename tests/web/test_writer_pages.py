"""The explorer over the embedded writer: a form is recorded through it, and a form posted
once it has stopped gets the "try again in a moment" page (503) and records nothing."""

from __future__ import annotations

from flask import Flask

from api.service import Service
from tests.api.conftest import Auth, head
from tests.web.conftest import Person
from tests.web.test_forms_organisations import NEW, organisation_form


def test_a_form_posted_while_the_writer_has_stopped_gets_try_again_and_records_nothing(
    embedded_app: Flask,
) -> None:
    # Given a broker signed in to an embedded service on a SQLite file
    broker = Person(embedded_app, Auth(embedded_app).broker).sign_in()
    svc: Service = embedded_app.extensions["collab"]
    assert svc.read.group is not None
    # When the registration form is posted, it is recorded through the writer
    status, _ = broker.post(NEW, organisation_form(), from_page=NEW)
    assert status == 303
    before = head(embedded_app)
    # And once the writer has stopped, the same form again
    svc.read.group.close()
    status, html = broker.post(NEW, organisation_form(), from_page=NEW)
    # Then the person is asked to try again in a moment, and nothing is recorded
    assert status == 503
    assert "Please try again in a moment" in html
    assert head(embedded_app) == before
