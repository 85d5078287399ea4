"""The text helpers every part of the bot uses: clipping, plurals, Unicode folding, control characters.

The core returns full text; only the adapters clip to their medium's limits (Discord's live in
``bot.discordbot.render``). :func:`clip` is for the core's own limits (stored reasons, echoed
queries, index labels).
"""

from __future__ import annotations

import re
import unicodedata

_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # two stops, never an ellipsis written "..."

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``limit`` characters.

    A cut text ends with an ellipsis, within the limit.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    return text[: limit - 1].rstrip() + ELLIPSIS


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 record``, ``2 records``, ``3 countries``; ``many`` for any other plural form."""
    if count == 1:
        return f"1 {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in set("aeiou") else word + "s"
    return f"{count} {many}"


def one_stop(text: str) -> str:
    """One full stop where a sentence's last word already has one: "25 ноября 2020 г.." → "…г."."""
    return _DOUBLE_STOP.sub(".", text) if ".." in text else text


def first_upper(text: str) -> str:
    """The text with its first letter capitalized and the rest as it is: "Condemnation of Azerbaijan"."""
    return text[:1].upper() + text[1:]


class _MarkTable(dict[int, str | None]):
    """For ``str.translate``: a combining mark maps to None (dropped), any other character to itself.

    Filled as characters are first seen (translate looks each one up in C), up to a bound so
    that no stream of odd input grows it for ever.
    """

    LIMIT = 20_000

    def __missing__(self, codepoint: int) -> str | None:
        char = chr(codepoint)
        value = None if unicodedata.category(char).startswith("M") else char
        if len(self) < self.LIMIT:
            self[codepoint] = value
        return value


_MARKS = _MarkTable()


def strip_marks(text: str) -> str:
    """Decompose (NFKD) and drop every combining mark: "País" → "Pais", "й" → "и"."""
    return unicodedata.normalize("NFKD", text).translate(_MARKS)


def fold(text: str) -> str:
    """Case-folded, compatibility-normalized and without accents: "Décembre" → "decembre"."""
    return strip_marks(unicodedata.normalize("NFKC", text).casefold())


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character (NUL, escape; not tab or line breaks) or a surrogate.

    Typed input with one is refused, never guessed around.
    """
    for char in text:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in "\t\n\r") or category == "Cs":
            return True
    return False
