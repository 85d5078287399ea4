"""A reload's engine reuses the text and date indexes' work, and answers exactly as one built afresh.

Random edits of a synthetic dataset (titles, summaries, votes, dates, records added, removed and
moved): each edited dataset's successor engine (built from the engine in use) must hold the very
same text index as a new engine (the same words, postings and weights, to the last bit) and give
the same answers to a few hundred /resolution queries and autocompletions, and to date questions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench.synthetic import synthetic_names, write_dataset
from bot.core.engine import QueryEngine
from bot.core.loader import load_dataset
from bot.core.matching import TextIndex, text_tokens
from bot.core.model import Dataset, PartialDate, Record, Vote
from bot.core.pages import page

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder: Path = tmp_path_factory.mktemp("synthetic")
    write_dataset(folder, synthetic_names(300, 7), records_every=1, seed=7)
    dataset = load_dataset(folder).dataset
    assert dataset is not None
    return dataset


def with_records(dataset: Dataset, records: list[Record]) -> Dataset:
    return Dataset(
        info=dataset.info,
        countries=dataset.countries,
        jurisdictions=dataset.jurisdictions,
        records=tuple(records),
        events=dataset.events,
        ambiguous_names=dataset.ambiguous_names,
        non_acts=dataset.non_acts,
        body_names=dataset.body_names,
    )


def edit(dataset: Dataset, kind: str, rng: random.Random, number: int) -> Dataset:
    """The dataset with one kind of edit, as a moderator's fix and reload would make it."""
    records = list(dataset.records)
    at = rng.randrange(len(records))
    record = records[at]
    words = [w for r in rng.sample(records, 5) for w in r.title.split()]
    if kind == "title":  # a new word, words from other titles, a reference-like number
        title = f"Zorvanian accord {number} {' '.join(rng.sample(words, 3))} AJR {rng.randint(1, 99)}"
        records[at] = dataclasses.replace(record, title=title)
    elif kind == "summaries":  # several summaries, shorter or longer: every field average moves
        for n in rng.sample(range(len(records)), 12):
            old = records[n].summary.split()
            summary = " ".join(old[: rng.randint(1, len(old))] + rng.sample(words, rng.randint(0, 6)))
            records[n] = dataclasses.replace(records[n], summary=summary)
    elif kind == "vote":
        records[at] = dataclasses.replace(record, vote=Vote(yes=rng.randint(2, 400), no=rng.randint(0, 9)))
    elif kind == "date":
        date = PartialDate(rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28))
        records[at] = dataclasses.replace(record, date=date)
    elif kind == "remove":
        del records[at]
    elif kind == "add":
        added = dataclasses.replace(
            record, id=f"{record.id}-copy-{number}", title=f"Quillmoor statement {number} on {words[0]}"
        )
        records.insert(rng.randrange(len(records) + 1), added)
    elif kind == "move":
        records.insert(rng.randrange(len(records)), records.pop(at))
    else:  # "same": the same records again, as a reload of unchanged data makes them (new objects)
        records = [dataclasses.replace(r) for r in records]
    return with_records(dataset, records)


def queries(dataset: Dataset, rng: random.Random) -> list[str]:
    """Common words and their pairs, rare words, prefixes, typos, ids, numbers and several words."""
    counts: Counter[str] = Counter()
    for record in dataset.records:
        counts.update(set(text_tokens(f"{record.title} {record.summary} {record.reference or ''}")))
    common = [w for w, _n in counts.most_common(12) if len(w) > 2][:6]
    words = sorted(w for w in counts if w.isalpha() and len(w) > 3)
    numbers = sorted(w for w in counts if w.isdigit())
    out = [*common, *(f"{a} {b}" for a in common[:4] for b in common[:4] if a < b)]
    out += rng.sample(words, 50)
    out += [w[: rng.randint(2, len(w) - 1)] for w in rng.sample(words, 30)]  # typed so far
    out += [w[:2] + w[3:] for w in rng.sample(words, 15)]  # a letter missed
    out += [r.id for r in rng.sample(list(dataset.records), 10)]
    out += [*rng.sample(numbers, min(15, len(numbers))), "305 to 1", "2020", "ajr 5"]
    out += [" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(25)]
    out += [f"{w} resolution" for w in rng.sample(words, 10)]
    out += ["zorvanian", "zorvanian accord", "quillmoor", "quillmoor statement", "zorv", "quillm", "accord"]
    return out


def same_index(new: TextIndex, fresh: TextIndex) -> None:
    """The same documents, words, postings, weights and pruning orders, to the last bit."""
    assert (new._keys, new._labels, new._layouts) == (fresh._keys, fresh._labels, fresh._layouts)
    assert (new._vocab, new._words) == (fresh._vocab, fresh._words)
    assert new._impact_at == fresh._impact_at
    for name in ("_docs_np", "_sats_np", "_impact_np", "_flat_np"):
        assert np.array_equal(getattr(new, name), getattr(fresh, name)), name
    for name in ("_indptr", "_masks", "_idf", "_max_sat"):
        assert getattr(new, name).tolist() == getattr(fresh, name).tolist(), name


def answers(engine: QueryEngine, asked: list[str]) -> list[object]:
    """What a member sees: each /resolution answer (every record, in order; the first page) and suggestion."""
    out: list[object] = []
    for query in asked:
        answer = engine.resolution(query)
        shown = [r.id for r in answer.records]  # every record found, in order
        out.append((answer.status, answer.title, answer.message, answer.lines, shown))
        out.append(page(answer, 0))
        out.append(engine.suggest_resolutions(query))
        out.append(engine.suggest_resolutions(query + " "))
    return out


def date_answers(engine: QueryEngine) -> list[object]:
    out: list[object] = []
    for query in ("2014", "1990 to 2025", "May 2015", "24 April 2015", "2020-11", "1915", "2031"):
        out.append(engine.date(query, today=TODAY))
    for day in ("24 April", "29 February", "28 February", "1 January", None):
        out.append(engine.on_this_day(day, today=TODAY))
    out += [engine.upcoming(TODAY, 60), engine.upcoming(dt.date(2025, 2, 20), 30)]
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_a_reloads_engine_answers_as_a_new_one_after_random_edits(base: Dataset, seed: int) -> None:
    rng = random.Random(seed)
    engine = QueryEngine(base)
    dataset = base
    kinds = ["title", "summaries", "vote", "date", "remove", "add", "move", "same"]
    rng.shuffle(kinds)
    for number, kind in enumerate(kinds):
        dataset = edit(dataset, kind, rng, number)
        before = engine
        engine = before.successor(dataset)
        fresh = QueryEngine(dataset)
        same_index(engine._ix.texts, fresh._ix.texts)
        asked = queries(dataset, rng)
        assert answers(engine, asked) == answers(fresh, asked), kind
        assert date_answers(engine) == date_answers(fresh), kind
        # what did not change was kept: every text's words, and the date tables when no date changed
        kept = before._ix.texts._slots.keys() & engine._ix.texts._slots.keys()
        assert len(kept) > 0.9 * len(engine._ix.texts._slots)
        dates_kept = engine._ix.dates._by_first is before._ix.dates._by_first
        assert dates_kept == (kind in ("title", "summaries", "vote", "same")), kind


def test_a_text_index_splits_only_the_texts_its_previous_one_did_not_have(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.core.matching import text as text_module

    docs = [(f"r{n}", f"Record {n}", {"title": f"Council resolution {n}", "summary": "Recognizes Artsakh."})
            for n in range(50)]
    first = TextIndex(docs)
    split: list[str] = []
    tokens_of = text_module._tokens_of

    def counted(texts: list[str]) -> object:
        split.extend(texts)
        return tokens_of(texts)

    monkeypatch.setattr(text_module, "_tokens_of", counted)
    docs[3] = ("r3", "Record 3", {"title": "Senate motion 3", "summary": "Recognizes Artsakh."})
    second = TextIndex(docs, first)
    assert split == ["Senate motion 3"]
    assert [h.key for h in second.search("senate motion")] == ["r3"]
    assert 3 not in second.with_every_word("council resolution")  # its old title is gone
    assert second._vocab is not first._vocab  # a new word: the vocabulary is new...
    third = TextIndex(docs, second)
    assert third._vocab is second._vocab  # ...and kept when no word came or went
    assert [(h.key, h.score) for h in third.search("artsakh council")] == [
        (h.key, h.score) for h in TextIndex(docs).search("artsakh council")
    ]
