"""The engine's build folds and splits many texts at once: the same forms, tokens and lists as one at a time.

:func:`~bot.core.normalize.normalize_many` must give every name's :func:`normalize` form, and the
text index's bulk splitting every text's :func:`text_tokens` (in order), for any texts: other
scripts, accents, initials, "St.", votes, references, NUL characters. The default place
suggestions, worked out from the places with records only, must be those of sorting every place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from botkit import country, dataset, place, record
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.engine import QueryEngine
from bot.core.engine.indexes import COUNTRY_PREFIX, KIND_RANK, Indexes, Target
from bot.core.loader import load_dataset
from bot.core.matching import text as text_module
from bot.core.matching import text_tokens
from bot.core.matching.text import _tokens_of
from bot.core.normalize import _INITIALS, _undot, normalize, normalize_many

DATA = Path(__file__).resolve().parents[1] / "data"

# Pieces that exercise every step: quotes, initials, "&", "St.", separators, marks, other scripts,
# digits of every kind, vote and reference forms, and NUL (which joins texts in the bulk steps).
PIECES = [
    "St.", "st", "ST", "L.A.", "U.S.A", "a.b.cd", "x.y.", "&", "'", "’", "`", "«Hawai'i»", "  ", "\t", "\n",
    "-", "_", ".", ",", "\0", "305–1", "305 to 1", "305 for, 1 against", "12 yes and 3 no", "2:1", "1.5",
    "AJR 32", "ajr32", "HR 1203", "in 2020", "of 5", "Résolution", "Çalifornia", "ß", "ŉ", "ℌ", "ǅ", "ﬁ",
    "e\u0301", "Ֆրանսիա", "Калифорния", "Σ", "٣", "１２", "²", "❶", "⑴", "vs. 4", "a1b2", "x9",
]
pieces = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=7).map(" ".join)
texts = pieces | st.text(max_size=30)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(texts, max_size=8))
@example(["St. Louis", "L.A.", "", "x\0y"])
@example(["Ֆրանսիա", "Saint-Étienne", "305–1"])
def test_names_folded_at_once_are_each_names_normalized_form(names: list[str]) -> None:
    assert normalize_many(names) == [normalize(name) for name in names]


# The initials as normalize first read them (from the letter, looked behind): the dots go alike.
_SPELLED_OUT = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.)+[^\W\d_](?![^\W_])\.?")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.sampled_from(list("aBz.. 0_-é\0Σ²")), max_size=16))
@example("a.b.cd")
@example("L.A.")
def test_initials_read_from_their_first_dot_lose_the_same_dots(text: str) -> None:
    assert _INITIALS.sub(_undot, text) == _SPELLED_OUT.sub(_undot, text)


def split_at_once(texts: list[str]) -> list[list[str]]:
    words, codes, counts = _tokens_of(texts)
    flat = [words[code] for code in codes.tolist()]
    out, at = [], 0
    for count in counts.tolist():
        out.append(flat[at : at + count])
        at += count
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(texts, max_size=8))
@example(["AJR 32 of 2020", "305 for", "1 against", "Vote: 305–1", ""])
@example(["Ֆրանսիա 12", "abc ❶", "x\0y 3", "Résolution 12 to 3"])
def test_texts_split_at_once_give_each_texts_tokens_in_order(texts: list[str]) -> None:
    assert split_at_once(texts) == [text_tokens(text) for text in texts]


@pytest.mark.parametrize("chunk", [7, 2048])
def test_the_shipped_records_texts_split_at_once_as_one_by_one(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(text_module, "_CHUNK", chunk)  # a few texts at a time, or all of them
    result = load_dataset(DATA)
    assert result.dataset is not None
    engine = QueryEngine(result.dataset, eager=False)
    texts = list(dict.fromkeys(t for _k, _l, fields in engine._ix._record_docs() for t in fields.values()))
    assert len(texts) > 100
    assert split_at_once(texts) == [text_tokens(text) for text in texts]
    assert normalize_many(texts) == [normalize(text) for text in texts]


def sorted_places(ix: Indexes, limit: int) -> list[str]:
    """The default places as a sort of every country and place would give them."""
    ds = ix.dataset
    keys: list[tuple[int, int, str, int, str]] = []
    for number, c in enumerate(ds.countries):
        if COUNTRY_PREFIX + c.id not in ix.redirect:
            count = len(ix.records_by_country.get(c.id, ()))
            keys.append((-KIND_RANK["country"], -count, c.name, number, COUNTRY_PREFIX + c.id))
    for number, j in enumerate(ds.jurisdictions, start=len(keys)):
        if j.id not in ix.redirect:
            count = len(ix.records_by_place.get(j.id, ()))
            keys.append((-KIND_RANK["jurisdiction"], -count, ds.display_name(j.id), number, j.id))
    return [key[-1] for key in sorted(keys)[:limit]]


@pytest.mark.parametrize("limit", [1, 3, 5, 8, 25])
def test_default_places_are_countries_then_most_records_then_by_label(limit: int) -> None:
    places = [
        place("springfield-il", "Springfield", "city", "us"),
        place("springfield-ma", "Springfield", "city", "us"),
        place("albany", "Albany", "city", "us"),
        place("zeta", "Zeta", "city", "us"),
        place("beta", "Beta", "city", "us"),
        place("france-nation", "France", "region", "fr"),  # named like its country: the country stands
        place("lyon", "Lyon", "city", "fr"),
    ]
    records = [
        record(f"r{n}", jid, "City Council", f"20{10 + n}-01-0{1 + n % 8}", "recognition", f"Title {n}",
               "Summary.", "src")
        for n, jid in enumerate(["zeta", "zeta", "beta", "lyon", "zeta", "france-nation"])
    ]
    ds = dataset("1", countries=[country("us", "United States"), country("fr", "France")],
                 jurisdictions=places, records=records)
    ix = QueryEngine(ds)._ix
    got: list[Target] = ix.top_places(limit)
    assert [t.key for t in got] == sorted_places(ix, limit)
    if limit == 8:  # places without records come last, by label (then in file order)
        assert [t.key for t in got] == [
            "country:us", "country:fr", "zeta", "beta", "lyon", "albany", "springfield-il", "springfield-ma"
        ]
    us = next(t for t in got if t.key == "country:us")
    assert us.members == frozenset({"springfield-il", "springfield-ma", "albany", "zeta", "beta"})
