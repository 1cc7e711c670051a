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

# Marks NFKD leaves as combining characters are dropped by their category; these are not
# combining marks but still only decorate a word.
TATWEEL = "\u0640"  # Arabic kashida: stretches a word, carries no letter
DROPPED = {ord(TATWEEL): None}
SEPARATOR = re.compile(r"[\W_]+")  # anything but a letter or a digit separates words
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


def fold(text: str) -> str:
    """Case folded, then compatibility-decomposed with its combining marks (accents, tonos,
    harakat, hamza and madda above or below an alef) and tatweel removed. Twice: folding
    case may leave combining marks ("ΐ", "İ"), and a compatibility character may decompose
    to capitals ("㏘")."""
    for _ in range(2):
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.translate(DROPPED)


def tokens(text: str) -> list[str]:
    """The words of a text, folded, in order (repeats kept: they weigh in ranking)."""
    return [w for w in SEPARATOR.split(fold(text)) if w and len(w) <= MAX_TOKEN]


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
