"""Reference code lists read at run time (copies in `collab/data/`, sources in its
SOURCES.md): organisation identifier schemes (org-id.guide), NUTS 2024, UN SDG goals
and targets, the IATI code lists (DAC 5-digit sectors) and the EU funds' co-financing and
in-kind rules (`fund_rules.json`). Loaded once, on first use."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

DATA = files("collab") / "data"


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    deprecated: bool


@dataclass(frozen=True)
class Region:
    code: str
    level: int
    name: str
    country: str  # NUTS country code: EL for Greece
    extra_regio: bool


@cache
def schemes() -> dict[str, Scheme]:
    """The org-id.guide register's schemes by code."""
    listed = json.loads((DATA / "org-id-schemes.json").read_text(encoding="utf-8"))
    return {s["code"]: Scheme(s["code"], s["name"], bool(s["deprecated"])) for s in listed}


@cache
def nuts() -> dict[str, Region]:
    """NUTS 2024 regions (and the statistical regions coded like them) by code."""
    with io.StringIO((DATA / "nuts-2024.csv").read_text(encoding="utf-8"), newline="") as f:
        return {
            r["code"]: Region(
                r["code"], int(r["level"]), r["name"], r["country"], r["extra_regio"] == "1"
            )
            for r in csv.DictReader(f)
        }


@cache
def sdg_codes() -> frozenset[str]:
    """The 17 goals ('3') and 169 targets ('3.4', '1.a')."""
    with io.StringIO((DATA / "sdg-targets.csv").read_text(encoding="utf-8"), newline="") as f:
        return frozenset(r["code"] for r in csv.DictReader(f))


@cache
def dac5_codes() -> frozenset[str]:
    """The active DAC 5-digit sector codes (IATI code list `Sector`)."""
    lists = json.loads((DATA / "iati-codelists.json").read_text(encoding="utf-8"))
    return frozenset(i["code"] for i in lists["Sector"]["items"] if i["status"] == "active")


@cache
def fund_rules() -> dict[str, Any]:
    """The funding sources' rules by kind (co-financing ceilings per region category,
    whether contributions in kind count, the in-kind ceiling), each value with its article
    and whether it was read in the text (`verified`). Callers must not change it."""
    loaded: dict[str, Any] = json.loads((DATA / "fund_rules.json").read_text(encoding="utf-8"))
    return loaded


def nuts_country(iso_country: str) -> str:
    """The NUTS country code of an ISO 3166 country: Greece is EL in NUTS."""
    return "EL" if iso_country == "GR" else iso_country
