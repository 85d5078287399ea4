"""Hostile data files, built for the tests that feed them to the loader, check-data and uploads."""

from __future__ import annotations

ALIAS_BOMB_SOURCES = 300

_BOMB_HEAD = """\
dataset:
  version: "bomb"
  methodology: "one record, repeated by alias"
countries:
  - id: us
    name: United States
jurisdictions:
  - id: bombville
    name: Bombville
    level: city
    country: us
    location: [40.0, -100.0]
resolutions:
  - &record
    id: bomb
    jurisdiction: bombville
    body: City Council
    date: "2020"
    kinds: [recognition]
    title: "T"
    summary: "S"
    sources:
"""
BOMB_ALIAS = "  - *record"


def alias_bomb(size: int = 32 * 1024) -> str:
    """A resolutions file of about ``size`` characters: one record with 300 sources under an
    anchor (``&record``), then ``*record`` as often as fits. Walked once per reference, a 32 KB
    file is millions of node visits (the issue measured 11.7 s for a 32 KB upload)."""
    text = _BOMB_HEAD + "".join(
        f"      - url: https://example.org/{n}\n" for n in range(ALIAS_BOMB_SOURCES)
    )
    references = max(1, -(-(size - len(text)) // (len(BOMB_ALIAS) + 1)))
    return text + f"{BOMB_ALIAS}\n" * references


def anchor_line(text: str) -> int:
    """The 1-based line of the bomb's anchor."""
    return text.splitlines().index("  - &record") + 1


def first_alias_line(text: str) -> int:
    """The 1-based line of the bomb's first alias."""
    return text.splitlines().index(BOMB_ALIAS) + 1
