"""A practice's inputs on the publishing form: its lists as plain inputs (themes from
checkboxes, languages and SDG targets separated by commas, methods and preconditions one
per line, lessons in rows), read into the API's body; and a published version's fields as
those inputs, to fill the form of the next version."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import marshmallow as ma

from api.schemas import practices as s
from web.forms import index_of

COMMAS = re.compile(r"[,;\s]+")
SPARE_LESSONS = 2


class Lists:
    """The API's body with the practice's lists read from the form's plain inputs."""

    @ma.pre_load
    def read_lists(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if isinstance(data.get("practice"), dict):
            return {**data, "practice": split(data["practice"])}
        return data


class PublishForm(Lists, s.PublishPractice):
    """A new practice's body (POST /v1/practices, its partnership in the path)."""


class VersionForm(Lists, s.PublishVersion):
    """A new version's body (POST /v1/practices/{id}/versions)."""


def split(data: Mapping[str, Any]) -> dict[str, Any]:
    """The practice's lists as the form writes them: codes separated by commas, texts one
    per line (each a list item)."""
    found = dict(data)
    for key, sep in (("languages", COMMAS), ("sdg_targets", COMMAS)):
        if isinstance(found.get(key), list):
            found[key] = [c for text in found[key] for c in sep.split(str(text)) if c]
    for key in ("methods", "preconditions"):
        if isinstance(found.get(key), list):
            lines = [line.strip() for text in found[key] for line in str(text).splitlines()]
            found[key] = [line for line in lines if line]
    return found


def filled_from(content: Mapping[str, Any]) -> dict[str, str]:
    """A published version's fields as the form's inputs (a new version usually changes
    an earlier one)."""
    form = {f"practice.{k}": str(content[k]) for k in ("title", "target_group", "approach")}
    form["practice.licence"] = str(content["licence"])
    for group in ("need", "territory", "contact", "evidence"):
        for k, x in content[group].items():
            form[f"practice.{group}.{k}"] = "" if x is None else str(x)
    form["practice.languages"] = ", ".join(content["languages"])
    form["practice.sdg_targets"] = ", ".join(content.get("sdg_targets") or [])
    form["practice.methods"] = "\n".join(content.get("methods") or [])
    form["practice.preconditions"] = "\n".join(content.get("preconditions") or [])
    for n, lesson in enumerate(content.get("did_not_work") or []):
        form[f"practice.did_not_work.{n}.what"] = lesson["what"]
        form[f"practice.did_not_work.{n}.why"] = lesson["why"]
    return form


def lesson_rows(form: Mapping[str, str]) -> range:
    marker, written = "practice.did_not_work.", [-1]
    for name, value in form.items():
        index = index_of(name[len(marker) :].split(".", 1)[0])  # as the form runner reads it
        if name.startswith(marker) and index is not None and value.strip():
            written.append(index)
    return range(max(written) + 1 + SPARE_LESSONS)
