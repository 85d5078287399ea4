"""Times of day: the one HH:MM reader, and what autocomplete offers while one is typed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.times import parse_hhmm, suggest_times


@pytest.mark.parametrize(
    ("text", "first"),
    [("", "09:00"), ("9", "09:00"), ("09:3", "09:30"), ("21", "21:00"), ("9h30", "09:30"), ("7.45", "07:45")],
)
def test_suggest_times_completes_what_is_typed(text: str, first: str) -> None:
    choices = suggest_times(text)
    assert choices[0] == first
    assert 1 <= len(choices) <= 25
    assert all(parse_hhmm(c) == dt.time.fromisoformat(c) for c in choices)  # each is accepted back


def test_suggest_times_prefix_and_nothing() -> None:
    assert suggest_times("09:3") == [f"09:{m}" for m in range(30, 40)]
    assert "19:00" in suggest_times("1")
    assert suggest_times("noon") == []
    assert suggest_times("25") == []
    assert len(suggest_times("1", limit=3)) == 3
