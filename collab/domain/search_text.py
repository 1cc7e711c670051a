"""One text normalisation for searching practices, for documents and queries alike (DESIGN §8).

Our groups write in Portuguese, Spanish, French, Greek, Arabic and more, and type without
accents, pointing or the right case. Both backends' full-text engines see only what this
module makes of a text: letters and digits folded to one form, separated by single
spaces. So "saude" finds "saúde", "υγεια" finds "Υγεία" and an unpointed Arabic word its
pointed form, on SQLite FTS5 and PostgreSQL alike, and no query reaches an engine's own
query syntax (a quote, a star or `NEAR` is just a separator or a word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Not marks, but they only decorate or join a word: removed. Arabic alef wasla is an alef.
DROPPED: dict[int, int | None] = {
    0x0640: None,  # Arabic tatweel (kashida): stretches a word, carries no letter
    0x200C: None,  # zero-width non-joiner, inside Persian words
    0x200D: None,  # zero-width joiner
    0x0671: 0x0627,  # alef wasla → alef
}
MAX_TOKEN = 40  # longer runs are not words a person types (hashes, pasted garbage)
MAX_QUERY_TOKENS = 12

# Words too common to tell one practice from another, in the languages our groups write
# (lists kept short on purpose: a word left out costs ranking, not correctness). Stored
# folded, as `normalise` makes them.
BY_LANGUAGE = {
    "en": "a an and are as at be by for from in into is it of on or the to with without our "
    "their this that these those we you they its was were has have will",
    "pt": "o os as um uma uns umas de do da dos das e em no na nos nas por para com sem ao aos "
    "que se sua seu suas seus ou mais",
    "es": "el la los las un una unos unas del al y en por para con sin que su sus o mas",
    "fr": "le les des du au aux et ou en par pour avec sans que qui sur dans une leur leurs est",
    "it": "il lo gli i di della delle dei per con che",
    "de": "der die das ein eine und oder fur mit von zu im am",
    "el": "και το τα του της των τη την τον ο η οι σε στο στη στην στα στους για με απο ως "  # noqa: RUF001
    "που να ειναι",  # noqa: RUF001
    "ar": "في من على الى عن مع ان او و ال هذا هذه التي الذي",
}
STOPWORDS = frozenset(w for words in BY_LANGUAGE.values() for w in words.split())


def of_category(*categories: str) -> list[int]:
    """Code points of these Unicode categories, in the planes where text lives (basic,
    supplementary, and the variation selectors' plane)."""
    planes = (range(0x20000), range(0xE0000, 0xE1000))
    return [cp for plane in planes for cp in plane if unicodedata.category(chr(cp)) in categories]


@cache
def folding() -> dict[int, int | None]:
    """What folding removes after decomposition: every non-spacing and enclosing mark
    (accents, tonos, harakat, hamza and madda on an alef, variation selectors), and DROPPED."""
    return {**dict.fromkeys(of_category("Mn", "Me")), **DROPPED}


@cache
def separator() -> re.Pattern[str]:
    """Anything but a letter, a digit or a spacing mark (the vowel signs of Indic
    scripts, part of their words) separates words."""
    spacing = "".join(f"\\U{cp:08x}" for cp in of_category("Mc"))
    return re.compile(f"[^\\w{spacing}]+|_+")


def fold(text: str) -> str:
    """Case folded, compatibility-decomposed, marks removed (`folding`). Twice: folding
    case may leave marks ("ΐ", "İ"), and a compatibility character may decompose to
    capitals ("㏘"). ASCII text only needs its case folded."""
    if text.isascii():
        return text.lower()
    for _ in range(2):
        text = unicodedata.normalize("NFKD", text.casefold()).translate(folding())
    return text


def tokens(text: str) -> list[str]:
    """The words of a text, folded, in order (repeats kept: they weigh in ranking)."""
    return [w for w in separator().split(fold(text)) if w and len(w) <= MAX_TOKEN]


def normalise(text: str) -> str:
    """The folded words of a text, separated by single spaces: what the engines index."""
    return " ".join(tokens(text))


def query_tokens(text: str) -> list[str]:
    """What a query searches for: its folded words without stopwords, each once, in order,
    at most MAX_QUERY_TOKENS. A query of stopwords only keeps them (a search for "the"
    still means something)."""
    words = list(dict.fromkeys(tokens(text)))
    kept = [w for w in words if w not in STOPWORDS] or words
    return kept[:MAX_QUERY_TOKENS]
