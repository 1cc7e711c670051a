# ruff: noqa: RUF001
"""The one text normalisation of search (DESIGN §8): accents, case, Greek tonos, Arabic
pointing and tatweel folded; only letters and digits reach an engine."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from collab.domain.search_text import normalise, query_tokens, tokens


def test_accents_case_tonos_and_arabic_pointing_fold_to_one_form() -> None:
    assert normalise("Saúde e CUIDADOS") == normalise("saude e cuidados") == "saude e cuidados"
    assert normalise("Υγεία") == normalise("υγεια") == normalise("ΥΓΕΙΑ")
    assert normalise("Ποιότητα ζωής") == "ποιοτητα ζωησ"  # final sigma folds with sigma
    pointed, bare = "الصِّحَّة", "الصحة"
    assert normalise(pointed) == normalise(bare) == bare
    assert normalise("الصـــحة") == bare  # tatweel stretches, carries no letter
    assert normalise("أطفال") == normalise("اطفال")  # hamza above an alef
    assert normalise("Straße") == "strasse"
    assert normalise("ΐ İstanbul") == "ι istanbul"


def test_punctuation_and_engine_syntax_are_only_separators() -> None:
    assert tokens('"saúde" -idosos* (NEAR:OR) AND 2030') == [
        "saude",
        "idosos",
        "near",
        "or",
        "and",
        "2030",
    ]
    assert query_tokens('"*-:()') == []
    assert query_tokens("the") == ["the"]  # stopwords only: kept
    assert query_tokens("Cuidados de saúde para idosos, saude!") == ["cuidados", "saude", "idosos"]


@given(st.text())
def test_normalised_text_is_words_and_single_spaces_and_stable(text: str) -> None:
    folded = normalise(text)
    assert normalise(folded) == folded
    # Words (letters, digits, spacing marks) joined by single spaces: splitting it again
    # gives the same words
    assert folded == " ".join(folded.split()) == " ".join(tokens(folded))


def test_every_code_point_folds_to_a_stable_form() -> None:
    # Each character of Unicode alone: folding it again changes nothing, and what is
    # left is words and single spaces
    unstable = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        folded = normalise(chr(cp))
        if normalise(folded) != folded or "  " in folded or folded != folded.strip():
            unstable.append(hex(cp))
    assert unstable == []


def test_marks_that_make_a_word_stay_in_it_and_joiners_join() -> None:
    # Spacing vowel signs stay inside the word; non-spacing ones fold away like accents
    assert tokens("स्वास्थ्य सेवा") == ["सवासथय", "सवा"]
    assert tokens("می‌خواهم") == ["میخواهم"]  # zero-width non-joiner inside a Persian word
    assert normalise("ٱلصحة") == normalise("الصحة")  # alef wasla is an alef
