"""Text normalization shared by every name lookup, autocomplete and text search.

``normalize`` folds the ways people type the same name onto one string: case,
accents, apostrophes, punctuation, initials ("L.A."), "St." for "Saint" and "&".
It is idempotent: ``normalize(normalize(x)) == normalize(x)``.
"""

from __future__ import annotations

import re

from bot.core.text import strip_marks

# Apostrophes and quotes of every kind are removed without a space (hawai'i -> hawaii).
_QUOTES = "'\"`´‘’‚‛“”„‟′″‵‶ʹʺʻʼʽʾʿˈˊˋ«»‹›＇＂｀"
_DROP_QUOTES = {ord(c): None for c in _QUOTES}

# Initials: single letters joined by dots ("L.A.", "U.S.A") lose the dots ("la", "usa").
_INITIALS = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.)+[^\W\d_](?![^\W_])\.?")
# Anything that is not a letter or a digit separates words.
_SEPARATORS = re.compile(r"[\W_]+")

# Whole words replaced after splitting.
_WORD_SUBSTITUTIONS = {"st": "saint"}


def _undot(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


# ASCII fast path: one bytes.translate lower-cases letters and turns the rest into spaces.
_ASCII_FOLD = bytes(ord(chr(b).lower()) if chr(b).isalnum() else 32 for b in range(256))
_ASCII_QUOTES = b"'\"`"


def normalize(text: str) -> str:
    """Fold a name or query to the form every index compares (see the module docstring)."""
    if not text:
        return ""
    if text.isascii():
        raw = text.encode("ascii").translate(None, _ASCII_QUOTES)
        if b"." in raw:
            raw = _INITIALS.sub(_undot, raw.decode("ascii")).encode("ascii")
        if b"&" in raw:
            raw = raw.replace(b"&", b" and ")
        words = raw.translate(_ASCII_FOLD).decode("ascii").split()
        if "st" in words:
            words = [_WORD_SUBSTITUTIONS.get(w, w) for w in words]
        return " ".join(words)
    folded = text.translate(_DROP_QUOTES).casefold()
    if not folded.isascii():
        # Decomposition can reveal capitals (ℌ -> H) and quotes (ŉ -> ʼn): fold once more.
        folded = strip_marks(folded).casefold().translate(_DROP_QUOTES)
        folded = strip_marks(folded)
    if "&" in folded:
        folded = folded.replace("&", " and ")
    if "." in folded:
        folded = _INITIALS.sub(_undot, folded)
    words = _SEPARATORS.sub(" ", folded).split()
    if "st" in words:
        words = [_WORD_SUBSTITUTIONS.get(w, w) for w in words]
    return " ".join(words)


def tokens(text: str) -> list[str]:
    """The normalized words of ``text``."""
    return normalize(text).split()
