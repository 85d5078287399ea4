"""Names typed in another script: Armenian, Cyrillic and Greek spelled in Latin letters.

People type "Լոս Անջելես", "Глендейл" or "Калифорния" for places whose names the data
spells in Latin letters. :func:`latin_spellings` gives the Latin forms such a query may
stand for, so that the name index can match them like any typed name (fuzzy, with the
same rules). Letters come from anyascii; a few fixes before it bring the result closer
to how the Latin names are written ("дж" is "j", "х" is "h", "ու" is "u", "-ия" is
"-ia"), and a few sounds with two common spellings give a second form: "ей" in
"Глендейл" stands for the "a" of Glendale, "Г" for the "H" of Honolulu, "К" for the "C"
of California, "х" between vowels for the "x" of Texas.

Queries without letters of those scripts get no Latin forms (and cost one check).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from bot.core.normalize import normalize

# Letters of the scripts transliterated here: Greek and Coptic, Cyrillic (and its
# supplement), Armenian.
_SCRIPT_LETTER = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u0531-\u058f]")

# Fixes applied (to the case-folded text) before anyascii: Latin spellings of place names
# rather than a strict romanization.
_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("дж"), "j"),  # Джорджия: Georgia
    (re.compile("х"), "h"),  # Хайленд: Highland
    (re.compile("ия(?![^\\W\\d_])"), "ia"),  # Калифорния: California
    (re.compile("ու"), "u"),  # Ուրուգվայ: Uruguay
    (re.compile("ռ"), "r"),  # Կալիֆոռնիա: California
    (re.compile("և"), "ev"),
)

# Sounds with a second common Latin spelling: each gives one more form (and all together one).
_ALTERNATIVES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("[еэ]й(?=[^\\W\\d_аеёиоуыэюяйь])|[եէ]յ(?=[^\\W\\d_աեէըիոօյ])"), "a"),  # Глендейл: Glendale
    (re.compile("(?<![^\\W\\d_])г"), "h"),  # Гонолулу: Honolulu, Голливуд: Hollywood
    (re.compile("[кկ](?=[аоулрաոլր])"), "c"),  # Калифорния: California, Колорадо: Colorado
    (re.compile("(?<=[аеиоуэ])х(?=[аеиоуэ])"), "x"),  # Техас: Texas, between vowels
)


def has_other_script(text: str) -> bool:
    """True when ``text`` has an Armenian, Cyrillic or Greek letter."""
    return not text.isascii() and _SCRIPT_LETTER.search(text) is not None


def _latin(text: str) -> str:
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return normalize(anyascii(text))


def latin_spellings(text: str) -> tuple[str, ...]:
    """The normalized Latin forms of a name typed in Armenian, Cyrillic or Greek, most literal first.

    ``()`` when the text has no letter of those scripts. Letters of other scripts and
    Latin letters are kept as anyascii spells them.
    """
    if not has_other_script(text):
        return ()
    folded = unicodedata.normalize("NFC", text).casefold()
    forms = [_latin(folded)]
    every = folded
    applied = 0
    for pattern, replacement in _ALTERNATIVES:
        if pattern.search(folded):
            forms.append(_latin(pattern.sub(replacement, folded)))
            every = pattern.sub(replacement, every)
            applied += 1
    if applied > 1:
        forms.append(_latin(every))
    return tuple(f for f in dict.fromkeys(forms) if f)
