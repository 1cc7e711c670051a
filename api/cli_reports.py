"""`collab reports`: a partnership's reports as the operator exports them (DESIGN §9), and
an offline check of a report file against the IATI 2.03 schema and ruleset or the
360Giving package schema."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

import click

if TYPE_CHECKING:
    from api.service import Service
    from projections.reports import ReportState


@click.group()
def reports() -> None:
    """Reports funders and open-data portals read: IATI 2.03, 360Giving and CSV."""


@reports.command("export")
@click.argument("report")
@click.argument("partnership_id")
@click.option("--output", "-o", type=click.File("wb"), default="-", help="a file, or - (stdout)")
@click.option("--language", default="en", show_default=True, help="an IATI Language code")
@click.option("--as-of-position", type=click.IntRange(min=0), help="as of this log position")
def export(
    report: str, partnership_id: str, output: BinaryIO, language: str, as_of_position: int | None
) -> None:
    """Write REPORT of the partnership, its bytes exactly as the API serves them. Exit 1
    for an unknown report, partnership or language."""
    from api.cli_admin import operator
    from api.schemas.reports import languages
    from projections.reports import REPORTS

    chosen = REPORTS.get(report)
    if chosen is None:
        raise click.ClickException(f"no report {report}; one of: {', '.join(REPORTS)}")
    if language not in languages():
        raise click.ClickException(f"language {language} is not an active IATI Language code")
    with operator() as svc:  # a refusal (unknown partnership, no IATI identifier): exit 1
        data = chosen.render(state_of(svc, partnership_id, as_of_position), language)
    output.write(data)


def state_of(svc: Service, partnership_id: str, position: int | None) -> ReportState:
    """The partnership's report state as the operator (an admin) sees it."""
    from collab.actors.handlers import OPERATOR
    from collab.domain import values as v
    from projections.asof import rows_as_of
    from projections.reports import report_state_for

    pid = v.identifier(partnership_id, "partnership_id")
    if position is not None:
        svc.within_head(position, "as_of_position")
    svc.read.catch_up()  # the views as of now, whoever wrote last
    viewer = svc.app.viewer(OPERATOR, svc.now())
    with svc.read.reader() as conn:
        return report_state_for(
            conn, svc.read.tables, viewer, pid, lambda p, n: rows_as_of(svc.app, p, n), position
        )


@reports.command("check")
@click.argument("file", type=click.File("rb"))
def check(file: BinaryIO) -> None:
    """Validate an IATI activities XML (XSD, then the IATI ruleset) or a 360Giving JSON
    file offline; one line per finding, then a summary. Exit 0 without errors."""
    data = file.read()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        kind, findings = "IATI activities", iati_findings(data)
    elif head.startswith(b"{"):
        kind, findings = "360Giving", giving_findings(data)
    else:
        raise click.ClickException("neither an IATI activities XML nor a 360Giving JSON file")
    for line in findings:
        click.echo("\t".join(line))
    errors = sum(1 for f in findings if f[1] == "error")
    warnings = len(findings) - errors
    click.echo(f"{kind}: {errors} error(s), {warnings} warning(s)")
    if errors:
        raise SystemExit(1)


Finding = tuple[str, str, str, str]  # rule id, severity, line, message


def iati_findings(data: bytes) -> list[Finding]:
    """The XSD's complaints, then (on a well-formed document) the ruleset's findings."""
    from lxml import etree

    from collab.reports import iati_rules, iati_schema, xml_input

    found = [("xsd", "error", *split_line(e)) for e in iati_schema.xsd_errors(data)]
    try:
        xml_input.parse(data)
    except (etree.XMLSyntaxError, xml_input.UnsafeXMLError):
        return found  # not well-formed: the XSD's line said why, and no rule can run
    for f in iati_rules.check(data, datetime.now(UTC)):
        found.append((f.rule_id, f.severity, f"line {f.line}", f.message))
    return found


def giving_findings(data: bytes) -> list[Finding]:
    """The 360Giving package schema's complaints (each names its JSON path)."""
    from collab.reports import giving_schema

    return [("schema", "error", "-", e) for e in giving_schema.giving_errors(data)]


def split_line(error: str) -> tuple[str, str]:
    """ "line 3: message" as ("line 3", "message")."""
    where, sep, what = error.partition(": ")
    return (where, what) if sep and where.startswith("line ") else ("-", error)
