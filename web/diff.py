"""Two agreement versions compared term by term, for people (DESIGN §7).

The terms are structured (api/schemas/partnerships.py `AgreementTerms`): each term is
compared as what it is. A long text gives the words deleted and inserted (difflib over
words, punctuation and the spaces between them); a list gives its items kept, added, removed, or
changed (an item replaced by a similar one, with its words); a value gives what it was
and what it is. Pure: a function of two terms objects, tested without Flask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

# Each term, in the order a reader meets it, with how its value reads: "text" (recorded
# words), "list" (recorded items), "objectives" (each member's list), "code", "percent",
# "days" or "date"; anything else in a version's terms is shown as recorded ("json").
TERMS: tuple[tuple[str, str], ...] = (
    ("vision", "text"),
    ("shared_objectives", "list"),
    ("member_objectives", "objectives"),
    ("governance.rule", "code"),
    ("governance.quorum", "percent"),
    ("governance.threshold", "percent"),
    ("review_schedule", "text"),
    ("exit_notice_days", "days"),
    ("balance_limit", "percent"),
    ("moving_on_strategy", "code"),
    ("period.start", "date"),
    ("period.end", "date"),
)
IDENTITY = ("partnership_id", "version")  # every version's own: not a term that changes
SIMILAR = 0.5  # a replaced list item this similar to its replacement reads as changed
WORD_RE = re.compile(r"\s+|\w+|[^\w\s]+")  # words, spaces, punctuation: each its own


@dataclass(frozen=True)
class Piece:
    """A run of words: kept ("same"), deleted ("del") or inserted ("ins")."""

    kind: str
    text: str


@dataclass(frozen=True)
class Item:
    """A list item: "kept", "added", "removed" or "changed" (its words in `pieces`)."""

    kind: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Change:
    """One term of two versions: its values, whether it changed, and how."""

    term: str
    shape: str
    old: Any
    new: Any
    changed: bool
    pieces: tuple[Piece, ...] = ()
    items: tuple[Item, ...] = ()
    organisation: str | None = None  # whose objectives (member_objectives)


def tokens(text: str) -> list[str]:
    return WORD_RE.findall(text)


def words(old: str, new: str) -> tuple[Piece, ...]:
    """The words of `new` against `old`: runs kept, deleted and inserted, in reading order."""
    a, b = tokens(old), tokens(new)
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Piece("ins", "".join(b[j1:j2])))
    return tuple(out)


def similar(a: str, b: str) -> bool:
    """Whether two texts share most of their words (spaces left out of the count)."""
    x, y = a.split(), b.split()
    return SequenceMatcher(None, x, y, autojunk=False).ratio() >= SIMILAR


def replaced(before: Sequence[str], after: Sequence[str]) -> list[Item]:
    """Items replaced by others, side by side: a pair alike is one item changed, another
    pair an item removed and one added; what is left over removed or added."""
    out: list[Item] = []
    for a, b in zip(before, after, strict=False):
        if similar(a, b):
            out.append(Item("changed", words(a, b)))
        else:
            out += [Item("removed", (Piece("del", a),)), Item("added", (Piece("ins", b),))]
    paired = min(len(before), len(after))
    out += [Item("removed", (Piece("del", a),)) for a in before[paired:]]
    out += [Item("added", (Piece("ins", b),)) for b in after[paired:]]
    return out


def items(old: Sequence[str], new: Sequence[str]) -> tuple[Item, ...]:
    """The items of `new` against `old`, in order: kept, removed, added, changed."""
    out: list[Item] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [Item("kept", (Piece("same", x),)) for x in old[i1:i2]]
        else:
            out += replaced(old[i1:i2], new[j1:j2])
    return tuple(out)


def value_at(terms: Mapping[str, Any], path: str) -> Any:
    """A term's value by its dotted path (None where a version does not state it)."""
    found: Any = terms
    for key in path.split("."):
        found = found.get(key) if isinstance(found, Mapping) else None
    return found


def term(path: str, shape: str, old: Any, new: Any) -> Change:
    """One term compared; a missing text or list is empty."""
    if shape == "text":
        a, b = str(old or ""), str(new or "")
        return Change(path, shape, old, new, a != b, pieces=words(a, b))
    if shape == "list":
        listed = items([str(x) for x in old or []], [str(x) for x in new or []])
        return Change(path, shape, old, new, old != new, items=listed)
    return Change(path, shape, old, new, old != new)


def objectives(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Each member's own objectives, by organisation id (one that appears or goes has all
    its items added or removed)."""
    out = []
    for org in sorted(set(old) | set(new)):
        a, b = list(old.get(org) or []), list(new.get(org) or [])
        listed = items([str(x) for x in a], [str(x) for x in b])
        out.append(Change("member_objectives", "objectives", a, b, a != b, (), listed, org))
    return out


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every term of two versions' terms, in the reader's order, then any other."""
    out: list[Change] = []
    for path, shape in TERMS:
        a, b = value_at(old, path), value_at(new, path)
        if shape == "objectives":
            out += objectives(a or {}, b or {})
        else:
            out.append(term(path, shape, a, b))
    known = {p.split(".")[0] for p, _ in TERMS} | set(IDENTITY)
    for key in sorted((set(old) | set(new)) - known):
        out.append(term(key, "json", old.get(key), new.get(key)))
    return out
