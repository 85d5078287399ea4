"""Reading the /list filters: levels and kinds as people type them."""

from __future__ import annotations

import re

from bot.core.model import Kind, Level


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _words(text: str) -> str:
    return " ".join(re.split(r"[\s_-]+", text.strip().casefold()))


def parse_level(text: str) -> Level | None:
    """A level from its value or menu label, case-insensitive, singular or plural ("cities")."""
    word = _words(text)
    forms = {word, word.removesuffix("s")}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    for level in Level:
        if level.value in forms or word == _words(level.label):
            return level
    return None


def parse_kind(text: str) -> Kind | None:
    """A kind from its value or its plain words ("call for recognition"), case-insensitive."""
    word = _words(text)
    for kind in Kind:
        if word in {_words(kind.value), _words(kind.plain), _words(kind.value) + "s"}:
            return kind
    return None
