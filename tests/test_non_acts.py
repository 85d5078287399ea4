"""Acts that never happened: a query naming one gets the explanation and its sources, never a near name."""

from __future__ import annotations

import pytest
from botkit import california_ajr32, country, dataset, non_act, place, record

from bot.core.answers import Status
from bot.core.engine import QueryEngine
from bot.core.model import NonAct

HRES_1203 = non_act(
    "us-hres-1203-2020",
    ["us congress", "H.Res.1203", "US House of Representatives"],
    "H.Res.1203 (2020): introduced, never adopted",
    "A resolution introduced in the US House of Representatives in 2020; it was never adopted.",
    "hres1203",
    date="2020-10-23",
)
HRES_320 = non_act(
    "us-hres-320-2023",
    ["us congress", "H.Res.320"],
    "H.Res.320 (2023): introduced, never adopted",
    "A resolution introduced in 2023; it was never adopted.",
    "hres320",
)
TEXAS = non_act("texas-none", ["Texas", "TX"], "Texas: no act found", "No act of Texas was found.", "texas")
ARMENIA = non_act(
    "armenia-none", ["Armenia", "Հայաստան"], "Armenia: no formal recognition",
    "Armenia has not formally recognized the NKR.", "armenia",
)
HOUSE = non_act(
    "house-none", ["house of representatives"], "No US House act", "The US House adopted no such act.",
    "house",
)
GLENDALE = record(
    "us-glendale-2020", "glendale", "City Council", "2020-10-27", "call-for-recognition",
    "Resolution of the Glendale City Council", "Urges recognition.", "glendale",
)
MICHIGAN = record(
    "us-mi-house-2020", "michigan", "House of Representatives", "2020-10-14", "call-for-recognition",
    "House Resolution 319", "Urges recognition.", "michigan",
)


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return QueryEngine(dataset(
        "non-acts",
        countries=[country("us", "United States", "USA", "US")],
        jurisdictions=[
            place("california", "California", "state", "us", "CA"),
            place("glendale", "Glendale", "city", "us"),
            place("michigan", "Michigan", "state", "us"),
        ],
        records=[california_ajr32(), GLENDALE, MICHIGAN],
        non_acts=[HRES_1203, HRES_320, TEXAS, ARMENIA, HOUSE],
    ))


def _ids(acts: tuple[NonAct, ...]) -> list[str]:
    return [n.id for n in acts]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("texas", ["texas-none"]),
        ("TX", ["texas-none"]),
        ("texsa", ["texas-none"]),  # a typo of a non-act is that non-act, not a near place
        ("armenia", ["armenia-none"]),
        ("Հայաստան", ["armenia-none"]),
        ("us congress", ["us-hres-1203-2020", "us-hres-320-2023"]),
        ("H.Res.1203", ["us-hres-1203-2020"]),
        ("nonact:texas-none", ["texas-none"]),  # the value of its autocomplete choice
    ],
)
def test_a_jurisdiction_query_naming_a_non_act_explains_it_privately(
    engine: QueryEngine, query: str, expected: list[str]
) -> None:
    answer = engine.jurisdiction(query)
    assert answer.status is Status.NOT_FOUND  # private, like any "not found"
    assert _ids(answer.non_acts) == expected
    assert answer.records == ()
    assert answer.candidates == ()
    assert answer.message.startswith("No act on record for")
    assert [e.key for e in answer.entries] == expected
    assert all(e.sources and e.lines for e in answer.entries)


def test_the_non_act_entry_has_its_title_date_explanation_and_sources(engine: QueryEngine) -> None:
    [entry] = engine.jurisdiction("H.Res.1203").entries
    assert entry.heading == "H.Res.1203 (2020): introduced, never adopted · 23 October 2020"
    assert entry.lines == (HRES_1203.explanation,)
    assert entry.url == "https://example.org/hres1203"


def test_a_name_that_also_matches_records_shows_them_and_mentions_the_non_act(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("house of representatives")
    assert answer.status is Status.FOUND
    assert [r.id for r in answer.records] == ["us-mi-house-2020"]
    assert _ids(answer.non_acts) == ["house-none"]
    assert any("never adopted: No US House act" in line for line in answer.lines)
    assert [e.key for e in answer.entries] == ["us-mi-house-2020", "house-none"]  # records first


def test_real_places_are_untouched(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("glendale")
    assert answer.status is Status.FOUND
    assert answer.non_acts == ()
    assert engine.jurisdiction("Глендейл").records == (GLENDALE,)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("H.Res.1203", ["us-hres-1203-2020"]),
        ("texas", ["texas-none"]),
        ("us congress", ["us-hres-1203-2020", "us-hres-320-2023"]),
    ],
)
def test_free_text_search_naming_a_non_act_explains_it(
    engine: QueryEngine, query: str, expected: list[str]
) -> None:
    answer = engine.resolution(query)
    assert answer.status is Status.NOT_FOUND
    assert _ids(answer.non_acts) == expected
    assert answer.records == ()


def test_free_text_search_shows_records_with_every_word_and_mentions_the_non_act(engine: QueryEngine) -> None:
    answer = engine.resolution("house of representatives")
    assert answer.status is Status.FOUND
    assert [r.id for r in answer.records] == ["us-mi-house-2020"]
    assert _ids(answer.non_acts) == ["house-none"]


def test_autocomplete_offers_the_non_act_after_places_and_its_pick_explains_it(engine: QueryEngine) -> None:
    choices = engine.suggest_jurisdictions("tex")
    assert [c.value for c in choices] == ["nonact:texas-none"]
    assert choices[0].label == "Texas: no act found (no act on record)"
    picked = engine.jurisdiction(choices[0].value)
    assert _ids(picked.non_acts) == ["texas-none"]
    first = engine.suggest_jurisdictions("ca")
    assert first[0].value == "california"
