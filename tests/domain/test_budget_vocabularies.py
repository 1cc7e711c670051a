"""docs/budget.md explains every closed vocabulary of a budget: the two cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collab.domain import budget

DOC = Path(__file__).parents[2] / "docs" / "budget.md"


def table_codes(doc: str) -> set[str]:
    """The codes in the first column of the page's tables: `| `code` | meaning |`."""
    return set(re.findall(r"^\| `([^`]+)` \|", doc, flags=re.MULTILINE))


@pytest.mark.parametrize("name", sorted(budget.vocabularies()))
def test_the_doc_explains_every_item_of_each_vocabulary(name: str) -> None:
    codes = table_codes(DOC.read_text(encoding="utf-8"))
    missing = [i for i in budget.vocabularies()[name] if i not in codes]
    assert not missing, f"docs/budget.md does not explain {name}: {missing}"


def test_the_doc_explains_nothing_outside_the_vocabularies() -> None:
    codes = table_codes(DOC.read_text(encoding="utf-8"))
    assert codes == {i for items in budget.vocabularies().values() for i in items}
