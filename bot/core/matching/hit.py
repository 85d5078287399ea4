"""What both indexes return: a :class:`Hit`, its label kept short, and the most completions asked for."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import clip

LABEL_MAX = 100  # a hit's label, at most (the engine shows its own labels, in full)
COMPLETE_MAX = 25  # completions per call, at most (what an autocomplete list can show)


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: which key, which of its names matched, how well."""

    key: str
    label: str
    matched: str  # the name (as written in the data) that matched; a field name for TextIndex
    score: float  # 0..100
    exact: bool  # normalized equality with a name or alias (TextIndex: every word found as typed)


def clip_label(label: str) -> str:
    """A hit's label on one line, at most :data:`LABEL_MAX` characters."""
    if len(label) <= LABEL_MAX and label.isprintable() and label.strip() == label:
        return label
    return clip(label, LABEL_MAX)

