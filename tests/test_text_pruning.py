"""Top-k pruning in the text index: the same answers as walking every posting, found sooner."""

from __future__ import annotations

import random

import pytest

from bot.core.matching import TextIndex
from bot.core.matching import text as text_module

WORDS = ["senate", "council", "assembly", "glendale", "fresno", "artsakh", "republic", "people", "motion"]


def docs(count: int) -> list[tuple[str, str, dict[str, str]]]:
    rng = random.Random(7)
    out = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
        if n % 3 == 0:
            title += " resolution"  # the word in the title for a third of them...
        summary = f"The resolution number {n} about {' '.join(rng.sample(WORDS, rng.randint(0, 6)))}."
        out.append((f"r{n}", f"Record {n}", {"title": title, "summary": summary}))  # ...in every summary
    return out


QUERIES = [
    "resolution", "the resolution", "resolution senate", "council resolution artsakh", "glendale",
    "reso", "resolution glendale fresno", "people motion", "senate council assembly", "number 12",
]


@pytest.mark.parametrize("query", QUERIES)
def test_pruned_search_finds_what_walking_everything_finds(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = TextIndex(docs(3000))
    pruned = [(h.key, h.score) for h in index.search(query)]
    completed = [(h.key, h.score) for h in index.complete(query)]
    monkeypatch.setattr(text_module, "_COMMON_MIN", 10**9)  # no word is common: every posting is walked
    walked = TextIndex(docs(3000))
    assert pruned == [(h.key, h.score) for h in walked.search(query)]
    assert completed == [(h.key, h.score) for h in walked.complete(query)]


def test_a_word_in_every_record_ranks_the_records_it_weighs_most_in_first() -> None:
    index = TextIndex(docs(3000))
    hits = index.search("resolution")
    assert len(hits) == 10
    # the word is in the title of every third record: those come first
    assert all(int(h.key[1:]) % 3 == 0 for h in hits)
    assert all(h.matched == "title" for h in hits)
