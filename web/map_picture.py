"""The collaboration map as a picture: partnerships and their member organisations as a
network, laid out in Python, drawn as SVG on the server (DESIGN §7).

The layout is a function of the data alone (same data, same picture): the partnerships
sit on an inner circle, ordered by territory (so a region's partnerships are neighbours),
title and id; each organisation sits on an outer circle, in the order of where its
partnerships are (the mean of their angles), then by name and id. A link joins each
partnership to each of its members. Pure: tested without Flask.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SECTORS = ("public", "civil_society", "private")
LABEL_ROOM = 200  # beside the outer circle, for organisations' names
MARGIN = 24  # above and below it
LABEL_CHARS = 30  # a longer name is cut in the picture (the table has it whole)
NODE_GAP, ORG_GAP, RING_GAP = 44, 30, 130  # arc lengths between nodes, and between rings


@dataclass(frozen=True)
class Partnership:
    """A partnership node: its key in the picture (P1, P2 …) and where it is."""

    partnership_id: str
    title: str
    country: str
    nuts: str | None
    key: str
    x: float
    y: float


@dataclass(frozen=True)
class Organisation:
    """An organisation node, with where its label goes ("start": to its right)."""

    organisation_id: str
    name: str
    sector: str
    x: float
    y: float
    anchor: str
    label_x: float
    label: str
    keys: tuple[str, ...]  # its partnerships' keys in the picture


@dataclass(frozen=True)
class Link:
    partnership_id: str
    organisation_id: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    partnerships: tuple[Partnership, ...]
    organisations: tuple[Organisation, ...]
    links: tuple[Link, ...]
    sectors: tuple[str, ...]  # those present, for the legend


def members_of(pairs: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each partnership's organisations (id → {legal_name, sector}), from the map's pairs."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for pair in pairs:
        orgs = found.setdefault(pair["partnership_id"], {})
        for o in pair["organisations"]:
            orgs[o["organisation_id"]] = {"legal_name": o["legal_name"], "sector": o["sector"]}
    return found


def within(place: Mapping[str, Any], country: str | None, nuts: str | None) -> bool:
    """Whether a territory is in the one asked for (a country, a NUTS code's start)."""
    if country is not None and place.get("country") != country:
        return False
    return nuts is None or str(place.get("nuts") or "").startswith(nuts)


def radius(count: int, gap: int, least: float) -> float:
    return round(max(least, count * gap / (2 * math.pi)), 1)


Centre = tuple[float, float]


def at(centre: Centre, r: float, angle: float) -> tuple[float, float]:
    """A point on a circle; angle 0 at the top, clockwise."""
    x, y = centre
    return round(x + r * math.sin(angle), 1), round(y - r * math.cos(angle), 1)


def mean_angle(angles: list[float]) -> float:
    turned = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))
    return round(turned % (2 * math.pi), 6)


def label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def territorial(places: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Partnerships by country, NUTS code, title and id: a region's are neighbours."""
    return sorted(
        places,
        key=lambda p: (places[p]["country"], places[p]["nuts"] or "", places[p]["title"], p),
    )


def ranked(
    orgs: Mapping[str, tuple[dict[str, Any], list[str]]], angles: Mapping[str, float]
) -> list[str]:
    """Organisations in the order of where their partnerships are, then name and id."""
    spot = {o: mean_angle([angles[p] for p in ps]) for o, (_, ps) in orgs.items()}
    return sorted(orgs, key=lambda o: (spot[o], orgs[o][0]["legal_name"] or "", o))


def picture(
    places: Mapping[str, Mapping[str, Any]], members: Mapping[str, Mapping[str, Any]]
) -> Picture:
    """The network of these partnerships (id → title, country, nuts) and their members."""
    order = territorial(places)
    inner = radius(len(order), NODE_GAP, 0.0 if len(order) == 1 else 60.0)
    angles = {p: 2 * math.pi * k / len(order) for k, p in enumerate(order)}
    orgs = organisations_of(order, members)
    around = ranked(orgs, angles)
    outer = radius(len(around), ORG_GAP, inner + RING_GAP)
    centre = (round(outer + LABEL_ROOM, 1), round(outer + MARGIN, 1))
    nodes = [
        partnership_node(p, k, places[p], *at(centre, inner, angles[p]))
        for k, p in enumerate(order)
    ]
    keys = {p: f"P{k + 1}" for k, p in enumerate(order)}
    placed = [
        organisation_node(o, orgs[o], keys, centre, outer, 2 * math.pi * (j + 0.5) / len(around))
        for j, o in enumerate(around)
    ]
    return Picture(
        width=round(2 * centre[0]),
        height=round(2 * centre[1]),
        partnerships=tuple(nodes),
        organisations=tuple(placed),
        links=links(nodes, placed, members),
        sectors=tuple(s for s in SECTORS if any(o.sector == s for o in placed)),
    )


def organisations_of(
    order: list[str], members: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Each organisation once, with its details and its partnerships (in `order`)."""
    found: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for p in order:
        for o, details in sorted(members.get(p, {}).items()):
            found.setdefault(o, (dict(details), []))[1].append(p)
    return found


def partnership_node(pid: str, k: int, place: Mapping[str, Any], x: float, y: float) -> Partnership:
    return Partnership(pid, place["title"], place["country"], place["nuts"], f"P{k + 1}", x, y)


def organisation_node(
    oid: str,
    found: tuple[Mapping[str, Any], list[str]],
    keys: Mapping[str, str],
    centre: Centre,
    r: float,
    angle: float,
) -> Organisation:
    details, pids = found
    x, y = at(centre, r, angle)
    right = x >= centre[0]
    name = str(details["legal_name"] or oid)
    return Organisation(
        organisation_id=oid,
        name=name,
        sector=str(details["sector"]),
        x=x,
        y=y,
        anchor="start" if right else "end",
        label_x=round(x + 14 if right else x - 14, 1),
        label=label(name),
        keys=tuple(keys[p] for p in pids),
    )


def links(
    nodes: list[Partnership], placed: list[Organisation], members: Mapping[str, Mapping[str, Any]]
) -> tuple[Link, ...]:
    """A line from each partnership to each of its members, in the partnerships' order."""
    where = {o.organisation_id: o for o in placed}
    return tuple(
        Link(p.partnership_id, oid, p.x, p.y, where[oid].x, where[oid].y)
        for p in nodes
        for oid in sorted(members.get(p.partnership_id, {}))
    )
