"""The budget form's rows of plain inputs (web/forms_budget.py): blank rows dropped and the
rest renumbered before the API's schema reads them, how many rows to show, a budget
version as the form's inputs, and the row a refusal of the funds' rules names.

Inputs are named as the API's body nests them (`budget.lines.0.amount`,
`budget.sources.1.funds.0.line_id`, `budget.match.2.commitment_id`), so a refusal of the
schema or of the command names the input to mark. A row is blank when everything but its
currency (pre-filled) is empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from web.forms import index_of

LISTS = ("lines", "sources", "match")
IGNORED = ("currency",)  # pre-filled: a row with only these is blank
SPARE, MORE, MOST_SPARE, MOST_ROWS = 2, 3, 20, 100
FUND_SPARE = 3  # at most, per source: a source funds a few lines
CURRENCY = "EUR"
Row = dict[str, str]


@dataclass(frozen=True)
class Rows:
    """How many rows of each list the form shows, and the spare (blank) rows it adds."""

    lines: range
    sources: range
    funds: dict[int, range] = field(default_factory=dict)
    match: range = range(0)
    spare: int = SPARE


def split(form: Mapping[str, str]) -> tuple[dict[str, str], dict[str, dict[int, Row]]]:
    """The form's other inputs, and its rows per list by their index."""
    other: dict[str, str] = {}
    rows: dict[str, dict[int, Row]] = {name: {} for name in LISTS}
    for key in form:
        parts = key.split(".", 3)
        index = index_of(parts[2]) if len(parts) == 4 and parts[0] == "budget" else None
        if index is None or parts[1] not in rows:
            other[key] = form[key]
            continue
        rows[parts[1]].setdefault(index, {})[parts[3]] = form[key]
    return other, rows


def blank(row: Row) -> bool:
    return all(not value.strip() for key, value in row.items() if key not in IGNORED)


def funds_of(source: Row) -> dict[int, Row]:
    found: dict[int, Row] = {}
    for key, value in source.items():
        parts = key.split(".", 2)
        index = index_of(parts[1]) if len(parts) == 3 and parts[0] == "funds" else None
        if index is not None:
            found.setdefault(index, {})[parts[2]] = value
    return found


def kept_source(source: Row) -> Row | None:
    """A source row with its blank fund rows dropped and the rest renumbered; None when
    the whole row is blank."""
    own = {k: x for k, x in source.items() if not k.startswith("funds.")}
    funds = [r for _, r in sorted(funds_of(source).items()) if not blank(r)]
    if blank(own) and not funds:
        return None
    for n, f in enumerate(funds):
        own.update({f"funds.{n}.{k}": x for k, x in f.items()})
    return own


def compacted(form: Mapping[str, str]) -> MultiDict[str, str]:
    """The form with blank rows dropped and the others renumbered from 0, in order."""
    other, rows = split(form)
    out: MultiDict[str, str] = MultiDict(other)
    for name in LISTS:
        kept = [r for _, r in sorted(rows[name].items())]
        if name == "sources":
            kept = [s for s in (kept_source(r) for r in kept) if s is not None]
        else:
            kept = [r for r in kept if not blank(r)]
        for n, row in enumerate(kept):
            for key, value in row.items():
                out[f"budget.{name}.{n}.{key}"] = value
    return out


def counted(form: Mapping[str, str]) -> tuple[dict[str, int], dict[int, int]]:
    """How many rows of each list, and of funds per source, the (compacted) form holds."""
    _other, rows = split(form)
    sizes = {name: len(rows[name]) for name in LISTS}
    funds = {n: len(funds_of(source)) for n, source in rows["sources"].items()}
    return sizes, funds


def rows_of(form: Mapping[str, str], *, more: bool) -> Rows:
    """The rows to show: those filled, and spare blank ones (more after "More rows")."""
    try:
        spare = int(form.get("spare", SPARE))
    except ValueError:
        spare = SPARE
    spare = min(max(spare + (MORE if more else 0), SPARE), MOST_SPARE)
    sizes, funds = counted(form)

    def shown(n: int) -> range:
        return range(min(n + spare, MOST_ROWS))

    sources = shown(sizes["sources"])
    return Rows(
        lines=shown(sizes["lines"]),
        sources=sources,
        funds={n: range(funds.get(n, 0) + min(spare, FUND_SPARE)) for n in sources},
        match=shown(sizes["match"]),
        spare=spare,
    )


def with_defaults(form: Mapping[str, str], rows: Rows) -> dict[str, str]:
    """The form's input, each row's currency pre-filled where it is empty."""
    out = {**form, "spare": str(rows.spare)}
    for name, shown in (("lines", rows.lines), ("sources", rows.sources)):
        for n in shown:
            key = f"budget.{name}.{n}.currency"
            out[key] = out.get(key) or CURRENCY
    return out


def filled_from(budget: Mapping[str, Any] | None) -> dict[str, str]:
    """A budget version (as `BudgetAdopted` stores it) as the form's inputs: a new version
    usually changes the one in force."""
    form: dict[str, str] = {}
    if budget is None:
        return form
    for n, x in enumerate(budget["lines"]):
        at = f"budget.lines.{n}."
        form.update({at + k: str(x[k]) for k in ("line_id", "category", "description")})
        form.update({at + k: str(x[k]) for k in ("amount", "currency")})
        form[at + "period.start"] = str(x["period"]["start"])
        form[at + "period.end"] = str(x["period"]["end"])
    for n, s in enumerate(budget["sources"]):
        at = f"budget.sources.{n}."
        for k in ("source_id", "kind", "name", "organisation_id", "region_category", "variant"):
            form[at + k] = "" if s[k] is None else str(s[k])
        form.update({at + k: str(s[k]) for k in ("rate", "currency")})
        for j, f in enumerate(s["funds"]):
            form[f"{at}funds.{j}.line_id"] = str(f["line_id"])
            form[f"{at}funds.{j}.amount"] = str(f["amount"])
    for n, m in enumerate(budget["match"]):
        at = f"budget.match.{n}."
        form[at + "commitment_id"] = str(m["commitment_id"])
        form[at + "line_id"] = str(m["line_id"])
        form[at + "source_id"] = "" if m["source_id"] is None else str(m["source_id"])
    return form


# The funds' rules' refusals (collab/domain/budget.py, collab/budgets/handlers.py), as
# worded there: which row and input each names.
RULES = (
    (re.compile(r"source (?P<source>\S+): a rate of "), "sources", "rate"),
    (re.compile(r"source (?P<source>\S+): its funds are "), "sources", "rate"),
    (re.compile(r"line (?P<line>\S+) is funded beyond its budget"), "lines", "amount"),
    (re.compile(r"source (?P<source>\S+) names no registered"), "sources", "organisation_id"),
    (
        re.compile(r"source (?P<source>\S+) puts nothing on line (?P<line>\S+)"),
        "match",
        "source_id",
    ),
    (re.compile(r"source (?P<source>\S+): the rules recorded"), "match", "source_id"),
    (re.compile(r"commitment (?P<commitment>\S+) "), "match", "commitment_id"),
)
KEYS = {"source": "source_id", "line": "line_id", "commitment": "commitment_id"}


def placed(message: str, form: Mapping[str, str], text: str) -> dict[str, str]:
    """The input a refusal of the funds' rules names (the first row it fits), with `text`
    (the problem in the reader's language); {} when it names none."""
    _other, rows = split(form)
    for pattern, name, input_name in RULES:
        found = pattern.search(message)
        if found is None:
            continue
        wanted = {KEYS[k]: x for k, x in found.groupdict().items()}
        for n, row in sorted(rows[name].items()):
            if all(row.get(k, "").strip() == x for k, x in wanted.items()):
                return {f"budget.{name}.{n}.{input_name}": text}
        return {}
    return {}
