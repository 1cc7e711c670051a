"""A practice's lineage as a picture: where it came from and every territory that took it
up, generation by generation, laid out in Python and drawn as SVG on the server (DESIGN §8).

Columns are generations: the practices it adapts (nearest last) on the left, the practice
itself, then each generation of adopting partnerships; an arrow joins each practice to the
partnerships that adopted or adapted it. A partnership is shown by its territory and how
it took the practice up (a reader may not see the partnership itself: DESIGN §3). Same
data, same picture. Pure: tested without Flask.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COLUMN, ROW = 260, 78  # distances between nodes' corners
BOX_W, BOX_H = 220, 58
MARGIN = 16
LABEL_CHARS = 22  # a longer title is cut in the picture (the page has it whole)


@dataclass(frozen=True)
class Node:
    """A box: a practice (this one or an ancestor) or an adopting partnership."""

    key: str  # A1, A2 … for adoptions; P for this practice; S1 … for its sources
    kind: str  # "practice", "source" or "adopter"
    lines: tuple[str, ...]
    x: float
    y: float
    href: str | None


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    relation: str  # "adopts", "adapts", or "source" (an adaptation's own source)


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    box_w: int = BOX_W
    box_h: int = BOX_H


def cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def place_text(territory: Mapping[str, Any]) -> str:
    """A territory in a few characters: its NUTS code (or country), its LAU."""
    where = str(territory.get("nuts") or territory.get("country") or "?")
    return f"{where} · LAU {territory['lau']}" if territory.get("lau") else where


def columns(practice: Mapping[str, Any], lineage: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """The nodes' data by column: sources (furthest first), the practice, generations."""
    sources = [{"kind": "source", **s} for s in reversed(lineage.get("ancestors", []))]
    cols: list[list[dict[str, Any]]] = [[s] for s in sources]
    cols.append([{"kind": "practice", **practice}])
    adoptions = sorted(
        lineage.get("adoptions", []), key=lambda a: (a["generation"], a.get("position", 0))
    )
    for a in adoptions:
        at = len(sources) + int(a["generation"])
        while len(cols) <= at:
            cols.append([])
        cols[at].append({"kind": "adopter", **a})
    return cols


def node_of(item: Mapping[str, Any], key: str, x: float, y: float) -> Node:
    if item["kind"] == "adopter":
        lines = (place_text(item["territory"]), str(item["territory"].get("kind", "")))
        shown = item.get("practices") or []
        href = f"/practices/{shown[0]['practice_id']}" if shown else None
        return Node(key, "adopter", lines, x, y, href)
    lines = (cut(str(item.get("title", ""))), place_text(item.get("territory") or {}))
    href = None if item["kind"] == "practice" else f"/practices/{item['practice_id']}"
    return Node(key, str(item["kind"]), lines, x, y, href)


def picture(practice: Mapping[str, Any], lineage: Mapping[str, Any]) -> Picture:
    """The lineage of `practice` (a summary: practice_id, title, territory) as boxes and
    arrows (`lineage` as projections.practices.lineage_of gives it)."""
    cols = columns(practice, lineage)
    tallest = max(len(c) for c in cols)
    nodes: list[Node] = []
    where: dict[str, Node] = {}  # practice id → the box it belongs to
    adopted = 0
    for c, items in enumerate(cols):
        top = MARGIN + (tallest - len(items)) * ROW / 2
        for r, item in enumerate(items):
            if item["kind"] == "adopter":
                adopted += 1
                key = f"A{adopted}"
            else:
                key = "P" if item["kind"] == "practice" else f"S{c + 1}"
            node = node_of(item, key, MARGIN + c * COLUMN, round(top + r * ROW, 1))
            nodes.append(node)
            if item["kind"] == "adopter":
                for p in item.get("practices") or []:
                    where[p["practice_id"]] = node
            else:
                where[str(item["practice_id"])] = node
    arrows = [*source_arrows(nodes), *adoption_arrows(cols, nodes, where)]
    return Picture(
        width=MARGIN * 2 + (len(cols) - 1) * COLUMN + BOX_W,
        height=round(MARGIN * 2 + (tallest - 1) * ROW + BOX_H),
        nodes=tuple(nodes),
        arrows=tuple(arrows),
    )


def joining(a: Node, b: Node, relation: str) -> Arrow:
    return Arrow(a.x + BOX_W, a.y + BOX_H / 2, b.x - 4, b.y + BOX_H / 2, relation)


def source_arrows(nodes: list[Node]) -> list[Arrow]:
    """Each source to the next one, the last to the practice (it adapts them in turn)."""
    chain = [n for n in nodes if n.kind in ("source", "practice")]
    return [joining(a, b, "source") for a, b in itertools.pairwise(chain)]


def adoption_arrows(
    cols: list[list[dict[str, Any]]], nodes: list[Node], where: Mapping[str, Node]
) -> list[Arrow]:
    """From the practice adopted to each adopting partnership."""
    boxes = iter(n for n in nodes)
    found = []
    for items in cols:
        for item in items:
            node = next(boxes)
            source = where.get(str(item.get("practice_id"))) if item["kind"] == "adopter" else None
            if source is not None:
                found.append(joining(source, node, str(item["relation"])))
    return found
