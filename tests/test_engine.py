"""The query engine and the entries it presents, against the real shipped dataset."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from botkit import country, dataset, place, record

from bot.core.answers import Answer, Status
from bot.core.engine import MAX_QUERY_LENGTH, QueryEngine, ordinal, parse_kind, parse_level
from bot.core.loader import load_dataset
from bot.core.model import Dataset, Event, Kind, Level, PartialDate, Source
from bot.core.present import event_span, record_entry, whole_years, years_ago

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def engine() -> QueryEngine:
    result = load_dataset(DATA)
    assert result.dataset is not None, [str(p) for p in result.problems]
    assert not result.problems
    return QueryEngine(result.dataset)


CALIFORNIA = {"us-ca-assembly-2014-05-08", "us-ca-senate-2014-08-27"}


def ids(answer: Answer) -> list[str]:
    return [r.id for r in answer.records]


def entry_text(answer: Answer, key: str) -> str:
    entry = next(e for e in answer.entries if e.key == key)
    return "\n".join([entry.heading, *entry.lines])


def us_record_ids(engine: QueryEngine) -> set[str]:
    ds = engine.dataset
    return {r.id for r in ds.records if ds.jurisdiction(r.jurisdiction).country == "us"}


# --------------------------------------------------------------------------- jurisdiction


def test_typo_resolves_and_says_how_it_was_read(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("calfornia")
    assert answer.status is Status.FOUND
    assert ids(answer) == ["us-ca-senate-2014-08-27", "us-ca-assembly-2014-05-08"]
    assert answer.message.startswith("Showing California for 'calfornia'.")
    assert answer.matched == "California"
    assert answer.title == "California"
    assert [e.key for e in answer.entries] == ids(answer)


def test_exact_name_needs_no_explanation(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("California")
    assert answer.status is Status.FOUND
    assert "Showing" not in answer.message
    assert "2 records" in answer.message


def test_alias_is_explained(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("RI")
    assert answer.status is Status.FOUND
    assert ids(answer) == ["us-ri-house-2012-05-17"]
    assert answer.message.startswith("Showing Rhode Island for 'RI'.")


@pytest.mark.parametrize(
    ("query", "values"),
    [("LA", {"los-angeles", "louisiana"}), ("Fresno", {"fresno-county", "fresno-city"})],
)
def test_ambiguous_names_list_candidates_that_round_trip(
    engine: QueryEngine, query: str, values: set[str]
) -> None:
    answer = engine.jurisdiction(query)
    assert answer.status is Status.AMBIGUOUS
    assert answer.message == f"'{query}' could mean several places:"
    assert {c.value for c in answer.candidates} == values
    assert not answer.records
    for candidate in answer.candidates:
        assert candidate.label.strip()
        assert "\n" not in candidate.label
        picked = engine.jurisdiction(candidate.value)
        assert picked.status is Status.FOUND
        assert picked.records == engine.dataset.records_of(candidate.value)
        assert "Showing" not in picked.message


@pytest.mark.parametrize(("query", "non_act"), [("texas", "texas-no-act"), ("IDAHO", "idaho-no-act")])
def test_places_that_never_acted_say_so(engine: QueryEngine, query: str, non_act: str) -> None:
    answer = engine.jurisdiction(query)
    assert answer.status is Status.NOT_FOUND
    assert answer.message == f"No act on record for '{query}':"
    assert [n.id for n in answer.non_acts] == [non_act]
    assert not answer.records


@pytest.mark.parametrize("query", ["new york", "germany", "ohio"])
def test_false_friends_find_nothing(engine: QueryEngine, query: str) -> None:
    answer = engine.jurisdiction(query)
    assert answer.status is Status.NOT_FOUND
    assert answer.message.startswith(f"Nothing matches '{query}'.")
    assert not answer.records
    assert not answer.entries


def test_country_gathers_every_jurisdiction(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("united states")
    assert answer.status is Status.FOUND
    assert set(ids(answer)) == us_record_ids(engine)
    days = [r.date.last_day() for r in answer.records]
    assert days == sorted(days, reverse=True)
    assert set(ids(engine.jurisdiction("USA"))) == us_record_ids(engine)


def test_country_wins_over_its_national_twin(engine: QueryEngine) -> None:
    ds = engine.dataset
    french = {r.id for r in ds.records if ds.jurisdiction(r.jurisdiction).country == "fr"}
    for query in ("france", "France", "france"):
        answer = engine.jurisdiction(query)
        assert answer.status is Status.FOUND
        assert set(ids(answer)) == french
        assert "fr-lyon-council-2020" in ids(answer)
        assert "fr-senate-2020-11-25" in ids(answer)
    # the twin's own id goes to the country too (the superset)
    assert set(ids(engine.jurisdiction("belgium"))) == {
        "be-chamber-2025-07-17",
        "be-chamber-2020-12-18",
        "be-senate-2020-12-11",
        "be-senate-committee-2020-12-07",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("french senate", ["fr-senate-2020-11-25"]),
        ("european parliament", ["eu-parliament-1999-03-11"]),
        ("california senate", ["us-ca-senate-2014-08-27"]),
        (
            "Los Angeles City Council",
            [
                "us-los-angeles-council-2021-03",
                "us-los-angeles-council-2020-12-10",
                "us-los-angeles-council-2020-09-30",
                "us-los-angeles-council-2018-09-07",
                "us-los-angeles-council-2013-09-10",
            ],
        ),
    ],
)
def test_bodies(engine: QueryEngine, query: str, expected: list[str]) -> None:
    answer = engine.jurisdiction(query)
    assert answer.status is Status.FOUND
    assert ids(answer) == expected


def test_generic_body_words_are_never_guessed(engine: QueryEngine) -> None:
    senate = engine.jurisdiction("senate")
    assert senate.status is Status.AMBIGUOUS
    values = {c.value for c in senate.candidates}
    assert {"body:france:senate-senat", "body:uruguay:senate", "body:california:state-senate"} <= values
    council = engine.jurisdiction("city council")
    assert council.status is Status.AMBIGUOUS
    assert 10 < len(council.candidates) <= 25  # as many as the menu holds
    if len(council.candidates) < 25:
        assert council.lines == ()
    else:
        assert council.lines[0].startswith("…and ")
    for candidate in council.candidates:
        picked = engine.jurisdiction(candidate.value)
        assert picked.status is Status.FOUND
        for r in picked.records:  # the body's name, or one of its other names, has both words
            words = {w for name in (r.body, *r.body_aliases) for w in name.casefold().split()}
            assert {"city", "council"} <= words, candidate


def test_bodies_of_one_place_are_shown_together(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("Massachusetts House")
    assert answer.status is Status.FOUND
    assert ids(answer) == ["us-ma-house-2012-08-06", "us-ma-house-2004-11"]
    assert answer.title == "Massachusetts — State House; State House of Representatives"


def test_country_prefixed_value_is_exact(engine: QueryEngine) -> None:
    answer = engine.jurisdiction("country:au")
    assert answer.status is Status.FOUND
    assert ids(answer) == [
        "au-sa-assembly-2021-02-03",
        "au-nsw-assembly-2020-10-22",
        "au-nsw-council-2012-10-25",
    ]
    assert "Showing" not in answer.message


# --------------------------------------------------------------------------- entries


def test_french_senate_entry(engine: QueryEngine) -> None:
    answer = engine.resolution("fr-senate-2020-11-25")
    assert answer.status is Status.FOUND
    entry = answer.entries[0]
    assert entry.heading == "France — Senate (Sénat) · 25 November 2020"
    text = "\n".join(entry.lines)
    assert "call for recognition" in text
    assert "305–1, 30 abstentions" in text
    assert entry.url is not None
    assert entry.url.startswith("https://")
    assert entry.url == entry.sources[0].url
    assert any(line.startswith("Note: ") for line in entry.lines)


def test_entry_shows_the_record_title_first(engine: QueryEngine) -> None:
    entry = engine.resolution("fr-senate-2020-11-25").entries[0]
    assert entry.lines[0] == "French Senate resolution on the need to recognize the Nagorno-Karabakh Republic"
    assert entry.lines[1] == "Kind: call for recognition"
    # Why an entry is listed (an anniversary) still comes before what it is.
    day = engine.on_this_day("25 November", today=TODAY)
    senate = next(e for e in day.entries if e.key == "fr-senate-2020-11-25")
    assert senate.lines[:2] == (
        "6 years ago.",
        "French Senate resolution on the need to recognize the Nagorno-Karabakh Republic",
    )


@pytest.mark.parametrize(
    ("key", "line", "generic"),
    [
        # The note says the precision itself: it stands alone.
        ("it-cesena-council-2020-11", "Known only to the month: reported on 14 November 2020.", "month"),
        # Any other note follows the precision, on the same line.
        (
            "fr-lyon-council-2020",
            "Known only to the year. Late 2020; the exact date was not established.",
            "year",
        ),
        (
            "fr-auvergne-rhone-alpes-council-2020-12",
            "Known only to the month. December 2020; the exact day was not established.",
            "month",
        ),
    ],
)
def test_date_precision_is_said_once(engine: QueryEngine, key: str, line: str, generic: str) -> None:
    entry = engine.resolution(key).entries[0]
    assert line in entry.lines
    assert f"Known only to the {generic}." not in entry.lines
    said = [t for t in entry.lines if re.search(f"only (to )?the {generic}", t, re.IGNORECASE)]
    assert said == [line]


def test_a_year_without_a_note_gets_the_generic_line(engine: QueryEngine) -> None:
    # every year-only record in the shipped data has its own note; without one, the generic line
    ds = engine.dataset
    berga = ds.record("es-berga-council-2020")
    assert berga is not None
    assert berga.date_note is not None
    bare = dataclasses.replace(berga, date_note=None)
    quiet = QueryEngine(
        Dataset(
            info=ds.info,
            countries=ds.countries,
            jurisdictions=ds.jurisdictions,
            records=tuple(bare if r.id == berga.id else r for r in ds.records),
            events=ds.events,
            ambiguous_names=ds.ambiguous_names,
        )
    )
    entry = quiet.resolution("es-berga-council-2020").entries[0]
    assert [t for t in entry.lines if re.search("only (to )?the year", t, re.IGNORECASE)] == [
        "Known only to the year."
    ]


def test_belgium_entry_shows_both_dates(engine: QueryEngine) -> None:
    text = entry_text(engine.resolution("be-chamber-2020-12-18"), "be-chamber-2020-12-18")
    expected = (
        "Dates differ: 18 December 2020 (used here); 17 December 2020 (The plenary sitting of "
        "Thursday 17 December 2020: announced beforehand by Azerbaijan's parliament"
    )
    assert expected in text
    assert "Not settled: 17 and 18 December 2020 are about equally supported." in text
    assert "condemnation of Azerbaijan" in text


MINNESOTA = "us-mn-senate-2020-05"


@pytest.mark.parametrize(
    "ask",
    [
        lambda e: e.jurisdiction("minnesota"),
        lambda e: e.resolution("kiffmeyer"),
        lambda e: e.date("2020-05-05", today=TODAY),
        lambda e: e.date("may 2020", today=TODAY),
        lambda e: e.date("2020", today=TODAY),
        lambda e: e.list_records(level="state"),
        lambda e: e.jurisdiction("united states"),
    ],
)
def test_minnesota_never_shows_a_day(engine: QueryEngine, ask: object) -> None:
    answer = ask(engine)  # type: ignore[operator]
    assert MINNESOTA in ids(answer)
    entry = next(e for e in answer.entries if e.key == MINNESOTA)
    assert entry.heading == "Minnesota — State Senate · May 2020"
    assert not re.search(r"\d+ May 2020", entry.heading)
    # The precision and the date note in one line: said once, not twice.
    assert (
        "Known only to the month. Reported on 5 May 2020; the exact day of adoption was not found."
        in entry.lines
    )
    assert sum("known only to the month" in line.casefold() for line in entry.lines) == 1


def test_event_spans() -> None:
    def event(start: str, end: str | None = None) -> Event:
        return Event(
            id="x",
            title="X",
            date=PartialDate.parse_iso(start),
            end=PartialDate.parse_iso(end) if end else None,
            summary="s",
            sources=(Source("https://example.org"),),
        )

    assert event_span(event("2023-09-19", "2023-09-20")) == "19–20 September 2023"
    assert event_span(event("2023-09-24", "2023-10-03")) == "24 September – 3 October 2023"
    assert event_span(event("2022-12-12", "2023-09-24")) == "12 December 2022 – 24 September 2023"
    assert event_span(event("1991-09-02")) == "2 September 1991"
    assert event_span(event("2020-05", "2020-06")) == "May – June 2020"


def test_years_ago() -> None:
    assert years_ago(PartialDate(2020, 11, 25), TODAY) == "6 years ago"
    assert years_ago(PartialDate(2020, 11, 26), TODAY) == "5 years ago"
    assert years_ago(dt.date(2025, 11, 25), TODAY) == "1 year ago"
    assert years_ago(TODAY, TODAY) == "today"
    assert years_ago(PartialDate(2026, 1, 2), TODAY) == "this year"
    assert years_ago(PartialDate(2020, 5), TODAY) == "6 years ago"
    assert whole_years(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == 1
    assert whole_years(dt.date(2020, 2, 29), dt.date(2021, 2, 27)) == 0
    assert years_ago(dt.date(2030, 1, 1), TODAY) == "3 years later"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


# --------------------------------------------------------------------------- resolution


def test_resolution_search_best_first(engine: QueryEngine) -> None:
    answer = engine.resolution("305 to 1")
    assert answer.status is Status.FOUND
    assert ids(answer)[0] == "fr-senate-2020-11-25"
    assert engine.resolution("AJR 32").records[0].reference == "AJR 32"
    assert set(ids(engine.resolution("AJR 32"))[:2]) == CALIFORNIA
    # the Île-de-France motion demands the withdrawal of Azerbaijani forces from Armenia in its own
    # words; the Belgian Chamber's note says headlines gave it that demand
    assert ids(engine.resolution("withdrawal of azerbaijani forces"))[:2] == [
        "fr-ile-de-france-council-2022-11-09",
        "be-chamber-2020-12-18",
    ]
    assert ids(engine.resolution("sister city"))[0] == "us-highland-council-2013"
    assert set(ids(engine.resolution("Mike Gatto"))[:2]) == CALIFORNIA


def test_resolution_exact_id_and_nothing(engine: QueryEngine) -> None:
    answer = engine.resolution("US-MN-SENATE-2020-05")
    assert answer.status is Status.FOUND
    assert ids(answer) == [MINNESOTA]
    nothing = engine.resolution("qwxzv jjjkq")
    assert nothing.status is Status.NOT_FOUND
    assert nothing.message == "No record matches 'qwxzv jjjkq'."


# --------------------------------------------------------------------------- dates


def test_date_month(engine: QueryEngine) -> None:
    answer = engine.date("nov 2020", today=TODAY)
    assert answer.status is Status.FOUND
    assert answer.title == "Records in November 2020"
    november = {
        r.id
        for r in engine.dataset.records
        if r.date.first_day() <= dt.date(2020, 11, 30) and r.date.last_day() >= dt.date(2020, 11, 1)
    }
    assert set(ids(answer)) == november
    assert "it-cesena-council-2020-11" in ids(answer)
    assert "fr-lyon-council-2020" in ids(answer)  # known only to the year: may be November
    assert {e.id for e in answer.events} == {"war-2020", "trilateral-statement-2020"}
    days = [e.heading for e in answer.entries]
    assert len(days) == len(answer.records) + len(answer.events)


def test_date_two_readings(engine: QueryEngine) -> None:
    answer = engine.date("5/8/2014", today=TODAY)
    assert answer.status is Status.FOUND
    assert ids(answer) == ["us-ca-assembly-2014-05-08"]
    assert "5 August 2014" in answer.message
    assert "8 May 2014" in answer.message
    assert "Matches the reading 8 May 2014." in answer.entries[0].lines


def test_date_nothing_gives_nearest(engine: QueryEngine) -> None:
    answer = engine.date("1999-05-11", today=TODAY)
    assert answer.status is Status.NOT_FOUND
    assert answer.message == "Nothing on 11 May 1999."
    assert [r.id for r in answer.nearest] == ["eu-parliament-1999-03-11", "us-ma-house-2004-11"]
    assert answer.entries[0].heading.startswith("Nearest before: European Union — European Parliament")
    assert answer.entries[1].heading.startswith("Nearest after: Massachusetts")
    assert not answer.records


def test_date_alternative_date_matches_and_says_so(engine: QueryEngine) -> None:
    answer = engine.date("2020-12-17", today=TODAY)
    assert answer.status is Status.FOUND
    # day matches first (the alternative date says so), then the three known only to December 2020
    assert ids(answer)[:2] == ["fr-villeurbanne-council-2020-12-17", "be-chamber-2020-12-18"]
    assert set(ids(answer)[2:]) == {
        "fr-auvergne-rhone-alpes-council-2020-12",
        "fr-montpellier-council-2020-12",
        "it-san-pietro-vernotico-council-2020-12",
    }
    text = entry_text(answer, "be-chamber-2020-12-18")
    assert "Listed for the date some sources give: 17 December 2020" in text
    montpellier = entry_text(answer, "fr-montpellier-council-2020-12")
    assert "Its date is known only as December 2020, which includes 17 December 2020." in montpellier
    assert "Montpellier — City Council · December 2020" in montpellier


def test_month_precision_matches_its_days_but_year_only_does_not(engine: QueryEngine) -> None:
    answer = engine.date("2020-05-05", today=TODAY)
    assert ids(answer) == [MINNESOTA]
    assert "fr-lyon-council-2020" not in ids(answer)
    assert "it-brancaleone-council-2021" not in ids(engine.date("2021-06-01", today=TODAY))
    quiet = engine.date("2021-07-13", today=TODAY)
    assert quiet.status is Status.NOT_FOUND
    assert quiet.lines == (
        "Dated only to 2021, so it may fall on 13 July 2021: Brancaleone — City Council · 2021.",
        "For 13 July in other years, try /onthisday.",
    )
    assert "it-brancaleone-council-2021" in ids(engine.date("2021", today=TODAY))


def test_events_match_by_span(engine: QueryEngine) -> None:
    assert [e.id for e in engine.date("2020-10-01", today=TODAY).events] == ["war-2020"]
    assert {e.id for e in engine.date("2023-09-20", today=TODAY).events} == {
        "offensive-2023",
        "lachin-blockade",
    }


def test_month_day_means_every_year(engine: QueryEngine) -> None:
    answer = engine.date("May 8", today=TODAY)
    assert answer.status is Status.FOUND
    assert ids(answer) == ["us-ca-assembly-2014-05-08"]
    assert "8 May" in answer.title


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a"),
        ("   ", "Type a"),
        ("x" * 5000, "That query is too long (max 200 characters)."),
        ("2020\x00-11", "control characters"),
        ("31 February 2020", "29 days"),
        ("hello", "could not read"),
    ],
)
def test_date_invalid(engine: QueryEngine, text: str, message: str) -> None:
    answer = engine.date(text, today=TODAY)
    assert answer.status is Status.INVALID
    assert message in answer.message
    assert len(answer.query) <= MAX_QUERY_LENGTH + 1


# --------------------------------------------------------------------------- on this day, upcoming


def test_on_this_day(engine: QueryEngine) -> None:
    answer = engine.on_this_day("25 November", today=TODAY)
    assert answer.status is Status.FOUND
    assert answer.title == "On this day: 25 November"
    assert ids(answer) == ["fr-senate-2020-11-25"]
    assert answer.entries[0].lines[0] == "6 years ago."
    assert engine.on_this_day(None, today=TODAY).records == answer.records
    assert engine.on_this_day("", today=TODAY).records == answer.records


def test_on_this_day_counts_from_a_full_date(engine: QueryEngine) -> None:
    answer = engine.on_this_day("2024-11-25", today=TODAY)
    assert answer.entries[0].lines[0] == "4 years ago."
    same = engine.on_this_day("2020-11-25", today=TODAY)
    assert same.entries[0].lines[0] == "That same day."


def test_on_this_day_alternative_date_and_event_end(engine: QueryEngine) -> None:
    answer = engine.on_this_day("17 December", today=TODAY)
    assert set(ids(answer)) == {"be-chamber-2020-12-18", "fr-villeurbanne-council-2020-12-17"}
    belgium = entry_text(answer, "be-chamber-2020-12-18")
    assert "Listed for the date some sources give: 17 December 2020" in belgium
    ended = engine.on_this_day("20 September", today=TODAY)
    assert [e.id for e in ended.events] == ["offensive-2023"]
    assert "Anniversary of its end, 20 September 2023." in entry_text(ended, "offensive-2023")


def test_on_this_day_never_invents_a_day(engine: QueryEngine) -> None:
    # Minnesota (May 2020) was reported on 5 May, but its day is unknown.
    answer = engine.on_this_day("5 May", today=TODAY)
    assert MINNESOTA not in ids(answer)
    assert [e.id for e in answer.events] == ["bishkek-protocol"]


def test_on_this_day_nothing_and_bad_input(engine: QueryEngine) -> None:
    nothing = engine.on_this_day("2 January", today=TODAY)
    assert nothing.status is Status.NOT_FOUND
    assert nothing.message == "Nothing on record for 2 January. The nearest anniversaries:"
    assert nothing.records == ()
    # the day before (the date set for the dissolution) and the day after (Almagro, 4 January 2015)
    assert [e.key for e in nothing.entries] == ["dissolution-deadline-2024", "uy-foreign-minister-2015-01-04"]
    assert [r.id for r in nothing.nearest] == ["uy-foreign-minister-2015-01-04"]
    deadline = engine.on_this_day("1 January", today=TODAY)
    assert [e.id for e in deadline.events] == ["dissolution-deadline-2024"]
    assert engine.on_this_day("nov 2020", today=TODAY).status is Status.INVALID
    two = engine.on_this_day("5/8/2014", today=TODAY)
    assert two.status is Status.AMBIGUOUS
    assert {c.value for c in two.candidates} == {"2014-05-08", "2014-08-05"}
    assert engine.on_this_day("2014-05-08", today=TODAY).records[0].id == "us-ca-assembly-2014-05-08"


def _leap_dataset() -> Dataset:
    leap = record(
        "leap-record",
        "testville",
        "Council",
        "2016-02-29",
        "statement",
        "Leap-day motion",
        "A motion on a leap day.",
        "leap",
    )
    return dataset(
        "t",
        methodology="m",
        countries=[country("xx", "Testland")],
        jurisdictions=[place("testville", "Testville", "city", "xx")],
        records=[leap],
    )


def test_leap_day_shown_on_28_february_in_common_years() -> None:
    leap = QueryEngine(_leap_dataset())
    common = leap.on_this_day(None, today=dt.date(2027, 2, 28))
    assert ids(common) == ["leap-record"]
    assert common.entries[0].lines[0] == "11 years ago."
    assert "shown on 28 February because 2027 is not a leap year" in "\n".join(common.entries[0].lines)
    assert leap.on_this_day(None, today=dt.date(2028, 2, 28)).status is Status.NOT_FOUND
    assert ids(leap.on_this_day(None, today=dt.date(2028, 2, 29))) == ["leap-record"]
    assert ids(leap.on_this_day("29 February", today=dt.date(2027, 1, 1))) == ["leap-record"]
    assert ids(leap.date("Feb 29", today=dt.date(2027, 1, 1))) == ["leap-record"]


def test_upcoming(engine: QueryEngine) -> None:
    answer = engine.upcoming(dt.date(2026, 9, 25), days=7)
    assert answer.status is Status.FOUND
    keys = [e.key for e in answer.entries]
    assert keys == [
        "war-2020",
        "dissolution-decree",
        "us-mi-senate-2017-09-28",
        "us-glendale-council-2020-09-29",
        "us-los-angeles-council-2020-09-30",
        "cl-chamber-2020-10-01",
    ]
    assert answer.entries[0].lines[0] == "In 2 days, on 27 September: 6th anniversary."
    quiet = engine.upcoming(dt.date(2026, 1, 6), days=7)
    assert quiet.status is Status.NOT_FOUND
    assert engine.upcoming(TODAY, days=0).status is Status.INVALID


def test_upcoming_lists_a_disputed_record_once(engine: QueryEngine) -> None:
    answer = engine.upcoming(dt.date(2026, 12, 15), days=5)
    assert [e.key for e in answer.entries].count("be-chamber-2020-12-18") == 1
    entry = next(e for e in answer.entries if e.key == "be-chamber-2020-12-18")
    assert entry.lines[0] == "In 3 days, on 18 December: 6th anniversary."


def test_date_answers_equal_a_scan_of_every_record() -> None:
    """The engine finds dates through indexes; its answers must be those of checking every record."""
    import random

    from botkit import event

    from bot.core.dates import parse_date_query
    from bot.core.model import AlternativeDate, Precision, Record

    rng = random.Random(7)

    def some_date() -> PartialDate:
        year = rng.randint(1990, 2025)
        roll = rng.random()
        if roll < 0.15:
            return PartialDate(year)
        if roll < 0.35:
            return PartialDate(year, rng.randint(1, 12))
        if roll < 0.40:
            return PartialDate(rng.choice((1992, 2000, 2016, 2020)), 2, 29)
        return PartialDate(year, rng.randint(1, 12), rng.randint(1, 28))

    records = [
        record(
            f"r{i}", f"p{i % 5}", "Council", some_date(), "statement", f"Motion {i}", "A motion.", f"r{i}",
            alternative_dates=tuple(AlternativeDate(some_date(), "elsewhere") for _ in range(i % 4 // 2)),
        )
        for i in range(400)
    ]
    events = []
    for i in range(40):
        start = some_date()
        later = start.last_day() + dt.timedelta(days=rng.randint(0, 900))
        end = PartialDate.from_date(later) if i % 2 else None
        events.append(event(f"e{i}", f"Event {i}", start, "It happened.", f"e{i}", end=end))
    data = dataset(
        "t",
        countries=[country("xx", "Testland")],
        jurisdictions=[place(f"p{i}", f"Place {i}", "city", "xx") for i in range(5)],
        records=records,
        events=events,
    )
    engine = QueryEngine(data)

    def may_fall(date: PartialDate, start: dt.date, end: dt.date) -> bool:
        if date.precision is Precision.YEAR and start == end:
            return False
        return date.first_day() <= end and start <= date.last_day()

    def dates_of(r: Record) -> list[PartialDate]:
        return [r.date, *(a.date for a in r.alternative_dates)]

    queries = [str(y) for y in range(1988, 2028)] + ["1995 to 1997", "before 1991", "since 2024", "5/3/2020"]
    queries += [f"{rng.randint(1, 28)} {m} {rng.randint(1990, 2025)}" for m in ("May", "February") * 10]
    queries += [f"{m} {y}" for m in ("March", "December") for y in range(1990, 2026, 3)]
    for query in queries:
        spans = parse_date_query(query, today=TODAY).spans
        answer = engine.date(query, today=TODAY)
        want = {r.id for r in records if any(may_fall(d, s.start, s.end) for d in dates_of(r) for s in spans)}
        want_events = {
            e.id
            for e in events
            if any(e.date.first_day() <= s.end and s.start <= (e.end or e.date).last_day() for s in spans)
        }
        assert {r.id for r in answer.records} == want, query
        assert {e.id for e in answer.events} == want_events, query
        if answer.status is Status.NOT_FOUND:
            start, end = min(s.start for s in spans), max(s.end for s in spans)
            early = [r for r in records if r.date.last_day() < start]
            late = [r for r in records if r.date.first_day() > end]
            nearest = [
                *(max(early, key=lambda r: (r.date.last_day(), r.id)) for _ in early[:1]),
                *(min(late, key=lambda r: (r.date.first_day(), r.id)) for _ in late[:1]),
            ]
            assert answer.nearest == tuple(nearest), query

    def on(date: PartialDate, month_day: tuple[int, int]) -> bool:
        return date.precision is Precision.DAY and (date.month, date.day) == month_day

    for today in (dt.date(2027, 2, 28), dt.date(2028, 2, 28), dt.date(2026, 11, 25), dt.date(2026, 3, 1)):
        days = [(today.month, today.day)]
        if days[0] == (2, 28) and today.year % 4:
            days.append((2, 29))  # a common year's 28 February also stands for 29 February
        answer = engine.on_this_day(None, today=today)
        want = {r.id for r in records if any(on(d, md) for d in dates_of(r) for md in days)}
        want_events = {e.id for e in events if any(on(d, md) for d in (e.date, e.end) if d for md in days)}
        assert {r.id for r in answer.records} == want, today
        assert {e.id for e in answer.events} == want_events, today


# --------------------------------------------------------------------------- timeline, list


def test_timeline(engine: QueryEngine) -> None:
    everything = engine.timeline()
    assert everything.status is Status.FOUND
    assert len(everything.events) == len(engine.dataset.events)
    starts = [e.date.first_day() for e in everything.events]
    assert starts == sorted(starts)
    assert [e.id for e in engine.timeline(2020, 2020).events] == ["war-2020", "trilateral-statement-2020"]
    assert [e.id for e in engine.timeline(2023, 2023).events] == [
        "lachin-blockade",
        "offensive-2023",
        "exodus-2023",
        "dissolution-decree",
    ]
    assert [e.id for e in engine.timeline(1995, 2019).events] == [
        "constitutional-referendum-2006",
        "four-day-war-2016",
        "constitutional-referendum-2017",
    ]
    assert engine.timeline(1995, 2005).status is Status.NOT_FOUND
    bad = engine.timeline(2014, 2012)
    assert bad.status is Status.INVALID
    assert "after" in bad.message
    heading = engine.timeline(2023, 2023).entries[1].heading
    assert heading == "Azerbaijani offensive of September 2023 · 19–20 September 2023"


def test_list_filters(engine: QueryEngine) -> None:
    ds = engine.dataset
    states = engine.list_records(level="state")
    state_ids = {r.id for r in ds.records if ds.jurisdiction(r.jurisdiction).level is Level.STATE}
    assert set(ids(states)) == state_ids
    recognition_us = engine.list_records(country="usa", kind="recognition")
    assert recognition_us.status is Status.FOUND
    assert set(ids(recognition_us)) == {
        r.id for r in ds.records if Kind.RECOGNITION in r.kinds and r.id in us_record_ids(engine)
    }
    assert engine.list_records(country="Itly").status is Status.FOUND
    assert "Showing Italy for 'Itly'." in engine.list_records(country="Itly").message
    assert len(engine.list_records().records) == len(ds.records)


def test_list_bad_values(engine: QueryEngine) -> None:
    level = engine.list_records(level="planet")
    assert level.status is Status.INVALID
    assert "supranational, national, state, region, county, city" in level.message
    kind = engine.list_records(kind="praise")
    assert kind.status is Status.INVALID
    assert "call-for-recognition" in kind.message
    country = engine.list_records(country="germany")
    assert country.status is Status.NOT_FOUND
    assert country.message.startswith("No country matches 'germany'.")
    assert engine.list_records(level="supranational", country="us").status is Status.NOT_FOUND


def test_level_and_kind_words() -> None:
    assert parse_level("States") is Level.STATE
    assert parse_level("cities") is Level.CITY
    assert parse_level("counties") is Level.COUNTY
    assert parse_level("town") is None
    assert parse_kind("call for recognition") is Kind.CALL_FOR_RECOGNITION
    assert parse_kind("Self_Determination") is Kind.SELF_DETERMINATION
    assert parse_kind("condemnation of Azerbaijan") is Kind.CONDEMNATION


# --------------------------------------------------------------------------- stats, about


def test_stats(engine: QueryEngine) -> None:
    answer = engine.stats()
    assert answer.status is Status.FOUND
    fields = {f.name: f.value for f in answer.fields}
    ds = engine.dataset
    assert fields["Records"] == str(len(ds.records))
    assert fields["Events"] == str(len(ds.events))
    states = sum(1 for r in ds.records if ds.jurisdiction(r.jurisdiction).level is Level.STATE)
    assert f"state: {states}" in fields["By level"].splitlines()
    us = len(us_record_ids(engine))
    assert fields["By country"].splitlines()[0] == f"United States: {us}"
    assert "2020: " in fields["By year"]
    assert sum(int(line.split(": ")[1]) for line in fields["By year"].splitlines()) == len(ds.records)
    kinds = fields["By kind"].splitlines()
    assert any(line.startswith("call for recognition: ") for line in kinds)
    assert not any(line.startswith("call-for-recognition") for line in kinds)


def test_count_line_reads_naturally_for_one_and_many(engine: QueryEngine) -> None:
    one = engine.jurisdiction("Honolulu")
    assert one.status is Status.FOUND
    assert len(one.records) == 1
    assert one.message == "1 record."
    many = engine.jurisdiction("Los Angeles")
    assert many.message == "5 records, newest first."


def test_about(engine: QueryEngine) -> None:
    answer = engine.about()
    assert answer.status is Status.FOUND
    fields = {f.name: f.value for f in answer.fields}
    assert fields["Dataset version"] == engine.dataset.info.version
    assert "never as a day" in " ".join(answer.lines)
    assert any("sources" in line.lower() for line in answer.lines)


# --------------------------------------------------------------------------- autocomplete


def test_suggest_jurisdictions(engine: QueryEngine) -> None:
    cal = engine.suggest_jurisdictions("cal")
    assert cal[0].value == "california"
    assert 0 < len(cal) <= 25
    french = [c.value for c in engine.suggest_jurisdictions("french s")]
    assert french[0] == "body:france:senate-senat"
    default = engine.suggest_jurisdictions("")
    assert 0 < len(default) <= 25
    assert default[0].value == "country:us"
    assert len(engine.suggest_jurisdictions("", limit=5)) == 5
    for text in ("", "cal", "fr", "los", "fresno", "sen", "eu", "new", "a"):
        for candidate in engine.suggest_jurisdictions(text):
            assert candidate.label.strip()
            assert "\n" not in candidate.label
            assert len(candidate.value) <= 100
            picked = engine.jurisdiction(candidate.value)
            assert picked.status in {Status.FOUND, Status.NOT_FOUND}, candidate
            assert "Showing" not in picked.message, candidate


def test_suggest_resolutions(engine: QueryEngine) -> None:
    suggestions = engine.suggest_resolutions("ajr")
    assert {c.value for c in suggestions[:2]} == CALIFORNIA
    newest = engine.suggest_resolutions("")
    assert len(newest) == 25
    assert [c.value for c in newest[:3]] == [
        "be-chamber-2025-07-17",
        "ar-buenos-aires-legislature-2023-12-07",
        "es-senate-2023-10-17",
    ]
    for text in ("", "ajr", "french", "senate", "2020", "fresno"):
        for candidate in engine.suggest_resolutions(text):
            assert candidate.label.strip()
            assert "\n" not in candidate.label
            picked = engine.resolution(candidate.value)
            assert picked.status is Status.FOUND
            assert ids(picked) == [candidate.value]


def test_suggest_countries(engine: QueryEngine) -> None:
    assert engine.suggest_countries("ita")[0].value == "it"
    assert engine.suggest_countries("")[0].value == "us"
    assert len(engine.suggest_countries("")) == len(engine.dataset.countries)
    for candidate in engine.suggest_countries("u"):
        assert engine.list_records(country=candidate.value).status is Status.FOUND


def test_record_entry_uses_the_dataset_names(engine: QueryEngine) -> None:
    record = engine.dataset.record("us-ca-assembly-2014-05-08")
    assert record is not None
    entry = record_entry(record, engine.dataset, prefix="Nearest after:")
    assert entry.heading == "Nearest after: California — State Assembly · 8 May 2014"
    assert "Reference: AJR 32 · Sponsor: Assemblymember Mike Gatto" in entry.lines


# --------------------------------------------------------------------------- robustness


WEIRD = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x1bb",
    "x" * 201,
    "x" * 5000,
    "💥" * 10,
    "'; DROP TABLE records; --",
    "((((",
    "\\",
    "%s %d {0}",
    "\u200b",
    "ա",
    "0",
    "-1",
    "2020-02-30",
    "9999-12-31",
    "country:",
    "country:zz",
    "body:",
]


@pytest.mark.parametrize("text", WEIRD)
def test_never_raises(engine: QueryEngine, text: str, caplog: pytest.LogCaptureFixture) -> None:
    # The engine turns a crash into a polite INVALID answer and logs it, so the answers alone
    # cannot tell a handled query from a crash: any error the bot logged fails the test.
    caplog.set_level(logging.ERROR, logger="bot")
    answers = [
        engine.jurisdiction(text),
        engine.resolution(text),
        engine.date(text, today=TODAY),
        engine.on_this_day(text, today=TODAY),
        engine.list_records(level=text),
        engine.list_records(country=text),
        engine.list_records(kind=text),
    ]
    for answer in answers:
        assert answer.status in set(Status)
        assert answer.title
        if answer.status is Status.INVALID:
            assert answer.message
            assert "Traceback" not in answer.message
    for suggest in (engine.suggest_jurisdictions, engine.suggest_resolutions, engine.suggest_countries):
        assert len(suggest(text)) <= 25
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]
    assert not crashes, f"the engine crashed on {text!r}: " + "; ".join(
        f"{r.name}: {r.getMessage()} ({r.exc_info[1]!r})" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in crashes
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a name"),
        ("x" * 201, "That query is too long (max 200 characters)."),
        ("cali\x07fornia", "control characters"),
    ],
)
def test_jurisdiction_invalid(engine: QueryEngine, text: str, message: str) -> None:
    answer = engine.jurisdiction(text)
    assert answer.status is Status.INVALID
    assert message in answer.message


def test_zero_width_space_is_ignored(engine: QueryEngine) -> None:
    assert ids(engine.jurisdiction("cali\u200bfornia")) == ids(engine.jurisdiction("california"))


def test_map_titles_use_the_kind_as_the_menus_show_it(engine: QueryEngine) -> None:
    answer = engine.map("condemnation")
    assert answer.title.endswith("Condemnation of Azerbaijan · World"), answer.title
