"""Text normalization shared by every name lookup, autocomplete and text search.

``normalize`` folds the ways people type the same name onto one string: case,
accents, apostrophes, punctuation, initials ("L.A."), "St." for "Saint" and "&".
It is idempotent: ``normalize(normalize(x)) == normalize(x)``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

from bot.core.text import strip_marks

# Apostrophes and quotes of every kind are removed without a space (hawai'i -> hawaii).
_QUOTES = "'\"`´‘’‚‛“”„‟′″‵‶ʹʺʻʼʽʾʿˈˊˋ«»‹›＇＂｀"
_DROP_QUOTES = {ord(c): None for c in _QUOTES}

# Initials: single letters joined by dots ("L.A.", "U.S.A") lose the dots ("la", "usa"). Read from
# the first dot, with the letter before it (not after a letter or digit) looked back at: the
# matches of ``(?<![^\W_])(?:[^\W\d_]\.)+[^\W\d_](?![^\W_])\.?`` but for that letter, which
# keeps no dot; the search then skips from dot to dot rather than trying every character.
_INITIALS = re.compile(r"\.(?<=(?<![^\W_])[^\W\d_]\.)(?:[^\W\d_]\.)*[^\W\d_](?![^\W_])\.?")
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


# Many texts are folded at once, joined by NUL: no step changes it or reads across it (it is no
# letter, digit or quote, and ends a word as the start and end of a text do). A text with a NUL
# of its own is folded alone.
JOIN = "\0"
_ASCII_FOLD_JOINED = b"\0" + _ASCII_FOLD[1:]  # _ASCII_FOLD, but NUL is kept
_ASCII_ST = re.compile(rb"st(?<![a-z0-9]st)(?![a-z0-9])")  # the word "st" among folded ASCII words
_SEPARATORS_JOINED = re.compile(r"[^\w\0]+|_+")  # _SEPARATORS, but NUL is kept
_ST = re.compile(r"st(?<![^\W_]st)(?![^\W_])")  # the word "st" among folded words


_QUOTES_RE = re.compile(f"[{re.escape(_QUOTES)}]")  # str.translate(_DROP_QUOTES), faster on long texts


def _drop_marks(text: str) -> str:
    """:func:`~bot.core.text.strip_marks` of a long text: the marks it has removed by one pattern."""
    text = unicodedata.normalize("NFKD", text)
    marks = [char for char in set(text) if not char.isascii() and unicodedata.category(char).startswith("M")]
    return re.sub(f"[{re.escape(''.join(marks))}]", "", text) if marks else text


def normalize_many(texts: Sequence[str]) -> list[str]:
    """``[normalize(text) for text in texts]``, each step made once over all of them joined.

    The same strings to the last character: every step of :func:`normalize` works on
    characters one by one (casefold has no context; NFKD reorders marks only within a run of
    them) or on words, which a NUL ends.
    """
    joined = JOIN.join(texts)
    if joined.count(JOIN) != len(texts) - 1:  # a text with a NUL of its own
        return [normalize(text) for text in texts]
    if joined.isascii():  # the common case: at once
        return fold_ascii(joined).decode("ascii").split(JOIN) if texts else []
    plain = list(map(str.isascii, texts))
    ascii_folded = iter(fold_ascii(JOIN.join(itertools.compress(texts, plain))).decode("ascii").split(JOIN))
    other = [not flag for flag in plain]
    other_folded = iter(fold_unicode(JOIN.join(itertools.compress(texts, other))).split(JOIN))
    return [next(ascii_folded) if flag else next(other_folded) for flag in plain]


def fold_ascii(joined: str) -> bytes:
    """ASCII texts joined by NUL, each normalized (:func:`normalize`), still joined by NUL."""
    raw = joined.encode("ascii").translate(None, _ASCII_QUOTES)
    if b"." in raw:
        raw = _INITIALS.sub(_undot, raw.decode("ascii")).encode("ascii")
    if b"&" in raw:
        raw = raw.replace(b"&", b" and ")
    folded = raw.translate(_ASCII_FOLD_JOINED)
    if b"st" in folded:
        folded = _ASCII_ST.sub(b"saint", folded)
    # Words apart by one space, and none at either end of a text (runs of spaces are short:
    # halving them a few times is quicker than a pattern that tries every space).
    while b"  " in folded:
        folded = folded.replace(b"  ", b" ")
    return folded.replace(b" \0", b"\0").replace(b"\0 ", b"\0").strip(b" ")


def fold_unicode(joined: str) -> str:
    """:func:`fold_ascii` of texts that each have a non-ASCII character."""
    folded = _QUOTES_RE.sub("", joined).casefold()
    # normalize folds once more when the first folding left a non-ASCII character; on a text
    # that is ASCII by then, these steps change nothing, so they are made over all at once.
    folded = _QUOTES_RE.sub("", _drop_marks(folded).casefold())
    folded = _drop_marks(folded)
    if "&" in folded:
        folded = folded.replace("&", " and ")
    if "." in folded:
        folded = _INITIALS.sub(_undot, folded)
    folded = _SEPARATORS_JOINED.sub(" ", folded)
    if "st" in folded:
        folded = _ST.sub("saint", folded)
    while "  " in folded:
        folded = folded.replace("  ", " ")
    return folded.replace(" \0", "\0").replace("\0 ", "\0").strip(" ")


def tokens(text: str) -> list[str]:
    """The normalized words of ``text``."""
    return normalize(text).split()
