"""/resolution ranks a page at a time: the same records, in the same order, as ranking every match.

On the benchmark's synthetic dataset of 10,000 records (a word such as "artsakh" is in every one),
each answer is compared with the ranking of every match that /resolution gave before it ranked
lazily: the text index's :meth:`~bot.core.matching.TextIndex.search` with no limit (every
document scored and sorted), its hits' records with those of the kind named first, and only
records with every word when the query names an act that never happened.
"""

from __future__ import annotations

import random

import pytest

from bot.core.answers import Answer, Status
from bot.core.engine import QueryEngine
from bot.core.engine.common import clean_query
from bot.core.engine.indexes import Indexes
from bot.core.engine.search import _found
from bot.core.engine.words import QUESTION_WORDS, kind_words
from bot.core.i18n import using
from bot.core.loader import load_dataset
from bot.core.matching import latin_spellings, text_tokens
from bot.core.matching.text import STOPWORDS
from bot.core.pages import PER_PAGE, page, page_count


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> QueryEngine:
    from bench.synthetic import synthetic_names, write_dataset

    folder = tmp_path_factory.mktemp("synthetic-10k")
    write_dataset(folder, synthetic_names(6292, 20261130), records_every=1, seed=20261130)
    result = load_dataset(folder)
    assert result.ok
    assert result.dataset is not None
    assert len(result.dataset.records) >= 10_000
    return QueryEngine(result.dataset)


def every_match(ix: Indexes, query: str) -> tuple[list[str], str]:
    """Record ids as /resolution ranked them by scoring and sorting every match, and its message."""
    query, _error = clean_query(query)
    kinds, rest = kind_words(query)
    asked = query
    if kinds or (rest and rest[0] in QUESTION_WORDS):
        asked = " ".join(w for w in rest if w not in QUESTION_WORDS and w not in STOPWORDS)
    everything = len(ix.texts)

    def search(text: str) -> tuple[list[tuple[str, bool]], int]:
        hits = ix.texts.search(text, limit=everything)
        if not hits:
            return [], 0
        docs: set[int] = set()  # documents with any form of any of the words
        for token in {t for t in text_tokens(text, query=True) if t not in STOPWORDS}:
            for word, _weight in ix.texts._expand(token, as_prefix=False):
                docs.update(doc for doc, _sat in ix.texts._walk(word))
        return [(h.key, h.exact) for h in hits], max(len(docs), len(hits))

    hits, total = search(asked) if asked.strip() else ([], 0)
    for form in () if hits else latin_spellings(asked):
        hits, total = search(form)
        if hits:
            break
    if not hits and asked != query and not kinds:
        hits, total = search(query)
    named = ix.names.lookup(query)
    if ix.non_acts_named(query) or (named.status == "exact" and ix.non_acts_of(named.hits)):
        hits = [(key, exact) for key, exact in hits if exact]
    records = [r for r in (ix.dataset.record(key) for key, _exact in hits) if r is not None]
    if kinds and not asked.strip():
        records = [r for r in ix.newest if kinds & set(r.kinds)]
        total = len(records)
    elif kinds:
        records.sort(key=lambda r: not kinds & set(r.kinds))
    ids = list(dict.fromkeys(r.id for r in records))
    return ids, _found(len(ids), total, query, kinds, by_kind_only=bool(kinds) and not asked)


def queries(ix: Indexes) -> list[str]:
    rng = random.Random(16)
    vocabulary = sorted({w for r in ix.dataset.records[:400] for w in f"{r.title} {r.summary}".split()})
    common = ["resolution", "artsakh", "council", "text", "adopted", "record", "republic"]
    out = [*common, *(f"{a} {b}" for a in common for b in common if a < b)]
    out += ["artsakh council resolution adopted", "the resolution", "resolution recognizing",
            "recognition", "recognition condemnation", "did france recognize artsakh",
            "calls for recognition council", "reso", "artsak", "councl", "305 to 1", "Арцах",
            "resolution 2014", "which cities recognized artsakh", "self-determination council"]
    out += [" ".join(rng.sample(vocabulary, rng.randint(1, 3))) for _ in range(40)]
    return out


def shown_ids(answer: Answer, start: int, stop: int) -> list[str]:
    return [entry.key for entry in answer.entries[start:stop]]


def test_every_page_of_a_search_is_the_full_rankings(engine: QueryEngine) -> None:
    ix = engine._search._ix
    for query in queries(ix):
        expected, message = every_match(ix, query)
        answer = engine.resolution(query)
        if not expected:
            assert answer.status is not Status.FOUND, query
            continue
        assert answer.status is Status.FOUND, query
        # The first page, a page further on, the last one, and then every match read through.
        count = page_count(answer)
        for index in (0, min(3, count - 1), count - 1):
            shown = page(answer, index)
            start = index * PER_PAGE
            assert [e.key for e in shown.entries] == expected[start : start + PER_PAGE], (query, index)
        assert [r.id for r in answer.records] == expected, query
        assert shown_ids(answer, 0, len(expected)) == expected, query
        assert len(answer.entries) == len(expected)
        assert answer.message == message, query


def test_a_word_in_every_record_lists_every_record_best_first(engine: QueryEngine) -> None:
    answer = engine.resolution("artsakh")
    records = len(engine.dataset.records)
    assert answer.message == f"{records} records for 'artsakh', best match first."
    assert len(answer.entries) == records
    keys = [entry.key for entry in answer.entries]
    assert len(set(keys)) == records
    last = page(answer, page_count(answer) - 1)
    assert last.entries
    assert last.entries[-1].key == keys[-1]


def test_a_later_page_is_in_the_language_the_answer_was_asked_in(engine: QueryEngine) -> None:
    with using("fr"):
        answer = engine.resolution("artsakh council")
    later = page(answer, 5).entries  # shown later, outside the French answer's context
    with using("fr"):
        asked_in_french = page(engine.resolution("artsakh council"), 5).entries
    with using("en"):
        in_english = page(engine.resolution("artsakh council"), 5).entries
    assert [e.key for e in later] == [e.key for e in asked_in_french] == [e.key for e in in_english]
    assert later == asked_in_french
    assert later != in_english  # the entries do say something in words (kinds, months)


def test_the_page_picker_names_each_offered_pages_dates_as_the_page_shows_them(engine: QueryEngine) -> None:
    from bot.discordbot.picker import page_options

    for query in ("artsakh", "council resolution", "recognition"):
        answer = engine.resolution(query)
        for current in (0, 7, page_count(answer) - 1):
            options = page_options(answer, current)
            assert len(options) > 20
            for option in options:
                dates = [e.date for e in page(answer, int(option.value)).entries if e.date]
                expected = f"{dates[0]} … {dates[-1]}" if len(dates) > 1 else (dates[0] if dates else None)
                assert option.description == expected, (query, option.value)
                assert option.default == (int(option.value) == current)
