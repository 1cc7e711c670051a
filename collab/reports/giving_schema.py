"""Validate a 360Giving package (JSON) against the packaged 1.4.3 schemas, offline.

Both files are registered under their own `$id`s (which still say 1.4.2 at tag 1.4.3; the
package schema `$ref`s the grant schema by that absolute URL), so no `$ref` is ever
fetched. Their `$schema` is the http:// spelling of draft 2020-12, which `referencing`
does not recognise: the resources are built as DRAFT202012 and the validator is named."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FOLDER = files("collab") / "data" / "360giving"
PACKAGE = "360-giving-package-schema.json"
GRANT = "360-giving-schema.json"


def _resource(name: str) -> Resource[Any]:
    contents = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    return DRAFT202012.create_resource(contents)


@cache
def package_validator() -> Draft202012Validator:
    """The package schema's validator, built once, with every `$ref` answered locally."""
    package, grant = _resource(PACKAGE), _resource(GRANT)
    registry: Registry[Any] = (
        Registry()
        .with_resources([(package.contents["$id"], package), (grant.contents["$id"], grant)])
        .crawl()
    )
    # FormatChecker checks `date-time` only with rfc3339-validator installed: without it a
    # plain YYYY-MM-DD date matches both `oneOf` branches and is refused.
    return Draft202012Validator(package.contents, registry=registry, format_checker=FormatChecker())


def _causes(error: ValidationError) -> list[str]:
    """Readable lines for one error; for oneOf/anyOf, those of the closest branch."""
    if not error.context:
        return [f"{error.json_path}: {error.message}"]
    # The top error only says "not valid under any of the given schemas": name the causes
    # in the branch that came closest (fewest complaints), e.g. the one missing field.
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    closest = min(branches.values(), key=len)
    return [line for sub in closest for line in _causes(sub)]


def giving_errors(document: bytes) -> list[str]:
    """The schema's complaints about `document`, one readable line each; [] when valid."""
    try:
        package = json.loads(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return [f"not JSON: {e}"]
    except RecursionError:
        return ["not JSON this validator reads: nested too deeply"]
    try:
        errors = package_validator().iter_errors(package)
        return sorted({line for e in errors for line in _causes(e)})
    except RecursionError:  # a 360Giving package is a few levels deep; this is not one
        return ["not a 360Giving package: nested too deeply"]
