"""Validate an IATI 2.03 activities document against the packaged XSD, with no network.

The XSD and the files it includes (`iati-common.xsd`) and imports (`xml.xsd`) are read from
`collab/data/iati/` through a resolver that refuses every other URL, so building the schema
never reads the network or any file outside the package."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any, cast

from lxml import etree

from collab.reports import xml_input

FOLDER = files("collab") / "data" / "iati"
# A base that names no real place: relative includes resolve against it, and only the
# packaged file names under it are answered; anything else fails the schema build.
BASE = "collab-package:/data/iati/"
SCHEMA_FILES = frozenset({"iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd"})


class PackageOnly(etree.Resolver):
    """Answers the packaged schema files; refuses any other URL."""

    # lxml-stubs omit the `context` argument and `resolve_empty`, both lxml's documented API.
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        name = system_url.removeprefix(BASE)
        if name not in SCHEMA_FILES:
            # An empty answer fails the schema build; raising here would leak into lxml's
            # next parse instead (it stores resolver exceptions on the parser context).
            return self.resolve_empty(context)  # type: ignore[attr-defined]
        data = (FOLDER / name).read_bytes()
        return self.resolve_string(data, context, base_url=system_url)


@cache
def activities_schema() -> etree.XMLSchema:
    """The 2.03 activities schema, built once."""
    parser = xml_input.parser()
    parser.resolvers.add(PackageOnly())
    main = FOLDER / "iati-activities-schema.xsd"
    root = etree.fromstring(main.read_bytes(), parser, base_url=BASE + main.name)
    return etree.XMLSchema(root)


def xsd_errors(document: bytes) -> list[str]:
    """The XSD's complaints about `document`, one readable line each; [] when valid."""
    try:
        tree = xml_input.parse(document)
    except (etree.XMLSyntaxError, xml_input.UnsafeXMLError) as e:
        return [xml_input.reason(e)]
    schema = activities_schema()
    if schema.validate(tree):
        return []
    entries = cast(Iterable[etree._LogEntry], schema.error_log)  # iterable; stubs say not
    return [f"line {e.line}: {e.message}" for e in entries]
