"""Reading the /list filters: levels and kinds as people type them."""

from __future__ import annotations

import re

from bot.core.model import Kind, Level
from bot.core.text import fold


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


# Words that name a kind of act, in English, French, Russian and Armenian (folded, as typed).
_KIND_WORDS: dict[Kind, tuple[str, ...]] = {
    Kind.RECOGNITION: (
        "recognition", "recognize", "recognizes", "recognized", "recognizing", "recognise", "recognises",
        "recognised", "recognising", "recognizing", "reconnaissance", "reconnaitre", "reconnait", "reconnu",
        "reconnue", "reconnaissent", "признание", "признания", "признать", "признал", "признала",
        "признали", "признает", "признаёт", "ճանաչում", "ճանաչումը", "ճանաչել", "ճանաչեց", "ճանաչման",
    ),
    Kind.SELF_DETERMINATION: (
        "self-determination", "selfdetermination", "autodetermination", "самоопределение",
        "самоопределения", "ինքնորոշում", "ինքնորոշման", "ինքնորոշումը",
    ),
    Kind.CONDEMNATION: (
        "condemnation", "condemn", "condemns", "condemned", "condemning", "condamnation", "condamne",
        "condamner", "осуждение", "осуждения", "осудил", "осудила", "осудили", "դատապարտում",
        "դատապարտել", "դատապարտեց", "դատապարտման",
    ),
    Kind.STATEMENT: ("statement", "statements", "déclaration", "заявление", "заявления", "հայտարարություն"),
}  # fmt: skip
_CALLS = frozenset(
    {"call", "calls", "called", "calling", "urge", "urges", "urged", "appel", "appelle", "призыв"}
)
_KIND_BY_WORD = {fold(word): kind for kind, words in _KIND_WORDS.items() for word in words}

# Words of a question that say nothing about which records: "did france recognize artsakh".
QUESTION_WORDS = frozenset({
    "did", "does", "do", "has", "have", "had", "is", "was", "were", "which", "who", "what", "when",
    "where", "why", "how", "ever", "any", "anyone", "artsakh", "karabakh", "nagorno", "nagorny", "nkr",
    "republic", "republique", "respublika", "арцах", "карабах", "нагорныи", "республика", "արցախ",
    "ղարաբաղ", "հանրապետություն",
})  # fmt: skip


def kind_words(text: str) -> tuple[set[Kind], list[str]]:
    """The kinds of act the words of ``text`` name, and its other words (folded, in order).

    "did france recognize artsakh" → ({RECOGNITION}, ["did", "france", "artsakh"]);
    "calls for recognition" → ({CALL_FOR_RECOGNITION}, ["for"]).
    """
    words = fold(text).replace("self determination", "self-determination").split()
    kinds: set[Kind] = set()
    rest: list[str] = []
    for word in words:
        kind = _KIND_BY_WORD.get(word.strip(".,;:!?\"'()"))
        if kind is None:
            rest.append(word)
        else:
            kinds.add(kind)
    if Kind.RECOGNITION in kinds and _CALLS & set(rest):
        kinds.discard(Kind.RECOGNITION)
        kinds.add(Kind.CALL_FOR_RECOGNITION)
        rest = [w for w in rest if w not in _CALLS]
    return kinds, rest
