"""docs/practices.md explains every closed vocabulary of a practice: the two cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collab.domain import practice_terms

DOC = Path(__file__).parents[2] / "docs" / "practices.md"


def table_codes(doc: str) -> set[str]:
    """The codes in the first column of the page's tables: `| `code` | meaning |`."""
    return set(re.findall(r"^\| `([^`]+)` \|", doc, flags=re.MULTILINE))


@pytest.mark.parametrize("name", sorted(practice_terms.vocabularies()))
def test_the_doc_explains_every_item_of_each_vocabulary(name: str) -> None:
    codes = table_codes(DOC.read_text(encoding="utf-8"))
    missing = [i for i in practice_terms.vocabularies()[name] if str(i) not in codes]
    assert not missing, f"docs/practices.md does not explain {name}: {missing}"


def test_the_doc_explains_every_field_and_nothing_outside_the_vocabularies() -> None:
    codes = table_codes(DOC.read_text(encoding="utf-8"))
    known = {str(i) for items in practice_terms.vocabularies().values() for i in items}
    assert set(practice_terms.FIELDS) <= codes
    assert codes - set(practice_terms.FIELDS) == known
