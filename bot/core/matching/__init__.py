"""Matching what people type: the name index (places, countries, bodies) and the text index (records).

- :mod:`.names`: :class:`NameIndex`, fuzzy name lookup and autocomplete;
- :mod:`.text`: :class:`TextIndex`, free-text search over records' fields;
- :mod:`.scripts`: Latin forms of names typed in Armenian, Cyrillic or Greek;
- :mod:`.hit`: :class:`Hit`, what both return.
"""

from bot.core.matching.hit import LABEL_MAX, Hit
from bot.core.matching.name_tables import deletion_keys
from bot.core.matching.names import MatchResult, NameEntry, NameIndex, strip_designators
from bot.core.matching.scripts import latin_spellings
from bot.core.matching.text import TextIndex, text_tokens

__all__ = [
    "LABEL_MAX",
    "Hit",
    "MatchResult",
    "NameEntry",
    "NameIndex",
    "TextIndex",
    "deletion_keys",
    "latin_spellings",
    "strip_designators",
    "text_tokens",
]
