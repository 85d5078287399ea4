"""What both indexes return: a :class:`Hit`, with Discord's limits for labels and choice lists."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_MAX = 100  # Discord's limit for a choice name
COMPLETE_MAX = 25  # Discord's limit for autocomplete choices


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: which key, which of its names matched, how well."""

    key: str
    label: str
    matched: str  # the name (as written in the data) that matched; a field name for TextIndex
    score: float  # 0..100
    exact: bool  # normalized equality with a name or alias (TextIndex: every word found as typed)


def clip_label(label: str) -> str:
    """A label cut to Discord's 100 characters."""
    if len(label) <= LABEL_MAX and label.isprintable() and label.strip() == label:
        return label
    label = " ".join(label.split())
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"

