"""The IATI standard ruleset (`ruleset-standard.json`, version-2.03), interpreted offline.

Each context (an XPath) selects elements; each rule type's cases are tested on each element
(`iati_rule_types`). A case applies only where its `condition` (XPath boolean) is true and
its `idCondition` holds. `loop` cases run their `do` cases once per distinct `foreach`
value, with `$1` replaced by that value as an XPath string literal.

Offline, `idCondition` is judged against the `registered` organisation ids the caller
passes (the IATI Registry's publishers; none by default): NOT_EXISTING_ORG_ID holds when no
value of the case's paths is such an id, NOT_EXISTING_ORG_ID_PREFIX when none starts with
one and a hyphen. So by default every such case applies: the stricter reading."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any, cast

from lxml import etree

from collab.reports import xml_input
from collab.reports.iati_rule_types import RULES, Case, Env
from collab.reports.iati_xpath import texts, truth

DATA = files("collab") / "data"
PLACEHOLDER = re.compile(r"'\$1'|\$1")  # a loop's value, quoted in the ruleset or not


@dataclass(frozen=True)
class Finding:
    """One ruleset case that failed on one element."""

    rule_id: str
    severity: str  # "error" or "warning"
    category: str
    message: str
    context: str  # the element's path in the document, e.g. /iati-activities/iati-activity[1]
    line: int


@cache
def ruleset() -> dict[str, dict[str, Any]]:
    """The packaged standard ruleset: context XPath → rule type → {"cases": [...]}."""
    loaded: dict[str, dict[str, Any]] = json.loads(
        (DATA / "iati" / "ruleset-standard.json").read_text(encoding="utf-8")
    )
    return loaded


@cache
def org_id_prefixes() -> frozenset[str]:
    """ORG-ID-PREFIX: the confirmed org-id.guide scheme codes, as the IATI validator uses."""
    schemes = json.loads((DATA / "org-id-schemes.json").read_text(encoding="utf-8"))
    return frozenset(s["code"] for s in schemes if s["confirmed"])


def literal(value: str) -> str:
    """`value` as an XPath 1.0 string literal (which has no escapes)."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in value.split("'")) + ")"


def _substitute(case: Case, value: str) -> Case:
    # Every field naming `$1`, not only those in `subs`: rule 2.1.2's `condition` names it
    # but its `subs` leave it out, which would leave the case dead on a literal '$1'.
    # One pass: a value that itself holds `$1` (or a quote) must not be substituted again.
    quoted = literal(value)

    def sub(v: Any) -> Any:
        if isinstance(v, str):
            return PLACEHOLDER.sub(lambda _: quoted, v)
        return [sub(x) for x in v] if isinstance(v, list) else v

    return {k: (v if k == "ruleInfo" else sub(v)) for k, v in case.items()}


def _cases(element: etree._Element, rules: dict[str, Any]) -> Iterator[tuple[str, Case]]:
    """(rule type, case) pairs for one element, loops unrolled."""
    for rule, block in rules.items():
        for case in block["cases"]:
            if rule != "loop":
                yield rule, case
                continue
            for value in dict.fromkeys(texts(element, [case["foreach"]])):
                for inner, inner_block in case["do"].items():
                    for inner_case in inner_block["cases"]:
                        yield inner, _substitute(inner_case, value)


def _applies(element: etree._Element, case: Case, env: Env) -> bool:
    if "condition" in case and not truth(element, case["condition"]):
        return False
    kind = case.get("idCondition")
    values = texts(element, case.get("paths", []))
    if kind == "NOT_EXISTING_ORG_ID":
        return not any(v in env.registered for v in values)
    if kind == "NOT_EXISTING_ORG_ID_PREFIX":
        return not any(v.startswith(f"{r}-") for v in values for r in env.registered)
    return True


def _finding(tree: etree._ElementTree, element: etree._Element, case: Case) -> Finding:
    info = case["ruleInfo"]
    return Finding(
        info["id"],
        info["severity"],
        info["category"],
        info["message"],
        tree.getpath(element),
        cast(int | None, element.sourceline) or 0,
    )


def check(
    document: bytes, now: datetime, registered: frozenset[str] = frozenset()
) -> list[Finding]:
    """Every ruleset case that fails on `document`, in document order."""
    try:
        tree = xml_input.parse(document)
    except (etree.XMLSyntaxError, xml_input.UnsafeXMLError) as e:
        return [Finding("not-well-formed", "error", "schema", xml_input.reason(e), "/", 0)]
    env = Env(now if now.tzinfo else now.replace(tzinfo=UTC), org_id_prefixes(), registered)
    # Holding every element keeps lxml's proxies alive, so the identity lookup is sound.
    order = {element: n for n, element in enumerate(tree.iter())}
    found: list[tuple[int, Finding]] = []
    for context, rules in ruleset().items():
        for element in cast(list[etree._Element], tree.xpath(context)):
            for rule, case in _cases(element, rules):
                if _applies(element, case, env) and RULES[rule](element, case, env) is False:
                    found.append((order[element], _finding(tree, element, case)))
    found.sort(key=lambda pair: pair[0])
    return [finding for _, finding in found]
