"""The dataset loader: the shipped data validates, and every class of problem is reported
with the right file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hostile import BOMB_ALIAS, alias_bomb, anchor_line, first_alias_line

from bot.core import loader
from bot.core.loader import (
    EVENTS_FILE,
    MAX_ALIAS_PROBLEMS,
    MAX_PROBLEMS,
    NON_ACTS_FILE,
    RESOLUTIONS_FILE,
    Problem,
    check_file,
    detect_file_kind,
    identify_file,
    load_dataset,
    load_files,
    summarize,
)
from bot.core.model import Kind, Level, PartialDate
from bot.core.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini"

HEAD = """\
dataset:
  version: "1"
  methodology: "m"
countries:
  - id: us
    name: United States
jurisdictions:
  - id: california
    name: California
    level: state
    country: us
    location: [38.58, -121.49]
"""

RECORD = """\
  - id: rec-1
    jurisdiction: california
    body: Assembly
    date: "2014-05-08"
    kinds: [recognition]
    title: "T"
    summary: "S"
    sources:
      - url: https://example.org/a
"""

EVENTS = """\
events:
  - id: ev-1
    title: "E"
    date: "1991-09-02"
    summary: "S"
    sources:
      - url: https://example.org/e
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text)


def write(tmp_path: Path, resolutions: str, events: str = EVENTS) -> Path:
    (tmp_path / RESOLUTIONS_FILE).write_text(resolutions, encoding="utf-8")
    (tmp_path / EVENTS_FILE).write_text(events, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, resolutions: str, events: str = EVENTS) -> list[str]:
    """Every problem as `file:line: message`, with the folder stripped for readability."""
    result = load_dataset(write(tmp_path, resolutions, events))
    assert result.dataset is None, "a dataset with problems must not load"
    assert not result.ok
    prefix = f"{tmp_path}/"
    return [str(p).removeprefix(prefix) for p in result.problems]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing needle."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def only(found: list[str], start: str) -> str:
    matching = [p for p in found if p.startswith(start)]
    assert len(matching) == 1, f"expected one problem starting {start!r}, got {found}"
    return matching[0]


# ---------------------------------------------------------------------------- valid data


def test_shipped_dataset_validates() -> None:
    result = load_dataset(ROOT / "data")
    assert [str(p) for p in result.problems] == []
    assert result.dataset is not None
    assert len(result.dataset.records) > 0
    assert len(result.dataset.events) > 0


def test_minimal_valid_dataset_loads_every_field() -> None:
    result = load_dataset(MINI)
    assert result.problems == ()
    ds = result.dataset
    assert ds is not None
    assert ds.info.version == "test-1"
    rec = ds.record("us-ca-assembly-2014-05-08")
    assert rec is not None
    # unquoted 2014-05-08 is still read as text, at day precision
    assert rec.date == PartialDate(2014, 5, 8)
    assert rec.alternative_dates[0].date == PartialDate(2014, 5, 7)
    assert rec.vote is not None
    assert (rec.vote.yes, rec.vote.no, rec.vote.abstain) == (70, 1, 0)
    assert rec.reference == "AJR 32"
    assert rec.sources[0].title == "AJR 32 text"
    assert rec.line == 44
    month = ds.record("us-la-council-2013-01")
    assert month is not None
    assert month.date == PartialDate(2013, 1)
    assert month.kinds == (Kind.RECOGNITION, Kind.SELF_DETERMINATION)
    year = ds.record("au-nsw-council-2012")
    assert year is not None
    assert year.date == PartialDate(2012)
    assert ds.jurisdiction("california").aliases == ("Calif",)
    assert ds.ambiguous_names[0].jurisdictions == ("los-angeles", "louisiana")
    war = ds.event("war-1992-1994")
    assert war is not None
    assert war.end == PartialDate(1994, 5, 12)


def test_summary_counts_by_level_and_kind() -> None:
    ds = load_dataset(MINI).dataset
    assert ds is not None
    summary = summarize(ds)
    assert summary.records == 3
    assert summary.events == 2
    assert dict(summary.by_level) == {Level.STATE: 2, Level.CITY: 1}
    assert dict(summary.by_kind) == {
        Kind.RECOGNITION: 1,
        Kind.CALL_FOR_RECOGNITION: 2,
        Kind.SELF_DETERMINATION: 1,
    }
    assert summary.line() == (
        "OK: 3 records (by level: state 2, city 1; by kind: recognition 1, call-for-recognition 2, "
        "self-determination 1) in 4 jurisdictions of 2 countries, 2 events"
    )


def test_problem_str() -> None:
    assert str(Problem("data/events.yaml", 12, "bad")) == "data/events.yaml:12: bad"
    assert str(Problem("data/events.yaml", 0, "file not found")) == "data/events.yaml: file not found"


# ---------------------------------------------------------------------------- syntax & structure


def test_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n  - id: [unclosed\n    body: x\n"
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(f"resolutions.yaml:{line_of(text, 'body: x')}: YAML syntax error")


def test_problems_in_both_files_are_all_collected(tmp_path: Path) -> None:
    res = HEAD + "resolutions:\n" + RECORD.replace('title: "T"', 'title: ""')
    ev = EVENTS.replace('summary: "S"', 'summary: ""')
    found = problems(tmp_path, res, ev)
    assert found == [
        f"resolutions.yaml:{line_of(res, 'title:')}: resolution 'rec-1': 'title' must not be empty",
        f"events.yaml:{line_of(ev, 'summary:')}: event 'ev-1': 'summary' must not be empty",
    ]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / RESOLUTIONS_FILE).write_text("# nothing\n", encoding="utf-8")
    result = load_dataset(tmp_path)
    assert result.dataset is None
    assert [str(p).removeprefix(f"{tmp_path}/") for p in result.problems] == [
        "resolutions.yaml: the file is empty",
        "events.yaml: file not found",
    ]


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD + '    title: "again"\n'
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'again')}: resolution 'rec-1': key 'title' appears twice "
        f"(first at line {line_of(text, 'title: ' + chr(34) + 'T')})")
    ]


def test_missing_required_field_is_reported_at_the_entry(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("    body: Assembly\n", "")
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, '- id: rec-1')}: resolution 'rec-1': "
                     "missing required field 'body'")]


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD + "    sumary: oops\n"
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, 'sumary')}: resolution 'rec-1': "
                     "unknown key 'sumary' (did you mean 'summary'?)")]


def test_unknown_top_level_key(tmp_path: Path) -> None:
    ev = EVENTS + "extra: 1\n"
    found = problems(tmp_path, HEAD + "resolutions:\n" + RECORD, ev)
    where = f"events.yaml:{line_of(ev, 'extra')}"
    assert found == [f"{where}: the events file: unknown key 'extra' (allowed: events)"]


def test_wrong_type_list_expected(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("kinds: [recognition]", "kinds: recognition")
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, 'kinds:')}: resolution 'rec-1': "
                     "'kinds' must be a list, not the text 'recognition'")]


def test_wrong_type_text_expected(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("body: Assembly", "body: [a, b]")
    found = problems(tmp_path, text)
    where = f"resolutions.yaml:{line_of(text, 'body:')}"
    assert found == [f"{where}: resolution 'rec-1': 'body' must be text, not a list"]


def test_entry_that_is_not_a_mapping(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n  - just text\n"
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, 'just text')}: resolution #1 must be a mapping "
                     "of keys to values, not the text 'just text'")]


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2014-02-30", "date '2014-02-30' is impossible: February 2014 has 28 days, not 30"),
        ("2014-13", "date '2014-13' is impossible: month 13 is out of range"),
        ("14-05-08", "date '14-05-08' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("May 2014", "date 'May 2014' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2014-5-8", "date '2014-5-8' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_bad_dates(tmp_path: Path, date: str, message: str) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace('date: "2014-05-08"', f"date: {date}")
    found = problems(tmp_path, text)
    assert found == [f"resolutions.yaml:{line_of(text, 'date:')}: resolution 'rec-1': {message}"]


def test_leap_day_is_fine_and_unquoted_year_is_text(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace('date: "2014-05-08"', "date: 2016-02-29")
    text += RECORD.replace("rec-1", "rec-2").replace('date: "2014-05-08"', "date: 2014")
    result = load_dataset(write(tmp_path, text))
    assert result.problems == ()
    assert result.dataset is not None
    assert result.dataset.records[0].date == PartialDate(2016, 2, 29)
    assert result.dataset.records[1].date == PartialDate(2014)


def test_alternative_date_equal_to_the_main_date(tmp_path: Path) -> None:
    alt = '    alternative_dates:\n      - date: 2014-05-08\n        note: "same"\n'
    text = HEAD + "resolutions:\n" + RECORD + alt
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, '- date: 2014-05-08')}: resolution 'rec-1': "
                     "alternative date 1: 2014-05-08 is the same as the main date; "
                     "an alternative must differ")]


def test_event_that_ends_before_it_starts(tmp_path: Path) -> None:
    ev = EVENTS + '    end: "1991-08"\n'
    found = problems(tmp_path, HEAD + "resolutions:\n" + RECORD, ev)
    where = f"events.yaml:{line_of(ev, 'end:')}"
    assert found == [f"{where}: event 'ev-1': ends (1991-08) before it starts (1991-09-02)"]


def test_event_with_a_span_in_the_same_month_is_fine(tmp_path: Path) -> None:
    ev = EVENTS.replace('date: "1991-09-02"', 'date: "1991-09"') + '    end: "1991-09-02"\n'
    result = load_dataset(write(tmp_path, HEAD + "resolutions:\n" + RECORD, ev))
    assert result.problems == ()


# ---------------------------------------------------------------------------- enumerations & values


def test_unknown_kind_lists_the_allowed_ones(tmp_path: Path) -> None:
    record = RECORD.replace("kinds: [recognition]", "kinds: [recognition, recognised]")
    text = HEAD + "resolutions:\n" + record
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'kinds:')}: resolution 'rec-1': unknown kind 'recognised' "
        "(allowed: recognition, call-for-recognition, self-determination, condemnation, statement)")
    ]


def test_unknown_level_lists_the_allowed_ones(tmp_path: Path) -> None:
    text = HEAD.replace("level: state", "level: province") + "resolutions:\n" + RECORD
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'level:')}: jurisdiction 'california': unknown level 'province' "
        "(allowed: supranational, national, state, region, county, city)")
    ]


def test_negative_and_non_numeric_votes(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD + "    vote:\n      yes: 70\n      no: -1\n      abstain: some\n"
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'no: -1')}: resolution 'rec-1': "
         "vote: 'no' must not be negative, not -1"),
        (f"resolutions.yaml:{line_of(text, 'abstain:')}: resolution 'rec-1': vote: 'abstain' must be a whole "
        "number, not 'some'"),
    ]


@pytest.mark.parametrize("bad_id", ["Rec-1", "-rec", "rec_1", "réc"])
def test_ids_must_match_the_pattern(tmp_path: Path, bad_id: str) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("id: rec-1", f"id: {bad_id}")
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, f'id: {bad_id}')}: resolution '{bad_id}': "
         f"id '{bad_id}' must use only "
        "lower-case letters, digits and '-' and start with a letter or digit")
    ]


def test_empty_title_and_summary(tmp_path: Path) -> None:
    record = RECORD.replace('title: "T"', "title: ").replace('summary: "S"', 'summary: "  "')
    text = HEAD + "resolutions:\n" + record
    found = problems(tmp_path, text)
    assert found == [
        f"resolutions.yaml:{line_of(text, 'title:')}: resolution 'rec-1': 'title' must not be empty",
        f"resolutions.yaml:{line_of(text, 'summary:')}: resolution 'rec-1': 'summary' must not be empty",
    ]


# ---------------------------------------------------------------------------- sources


@pytest.mark.parametrize("url", ["ftp://example.org/x", "example.org/x", "https://", "javascript:alert(1)"])
def test_source_must_be_an_http_url(tmp_path: Path, url: str) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("url: https://example.org/a", f'url: "{url}"')
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, 'url:')}: resolution 'rec-1': source 1: "
                     f"{url!r} is not an http(s) URL")]


def test_no_sources(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD.replace("    sources:\n      - url: https://example.org/a\n",
                                                    "    sources: []\n")
    found = problems(tmp_path, text)
    where = f"resolutions.yaml:{line_of(text, 'sources:')}"
    assert found == [f"{where}: resolution 'rec-1': needs at least one source"]


def test_event_without_sources_key(tmp_path: Path) -> None:
    ev = EVENTS.replace("    sources:\n      - url: https://example.org/e\n", "")
    found = problems(tmp_path, HEAD + "resolutions:\n" + RECORD, ev)
    where = f"events.yaml:{line_of(ev, '- id: ev-1')}"
    assert found == [f"{where}: event 'ev-1': missing required field 'sources'"]


# ---------------------------------------------------------------------------- ids and references


def test_duplicate_id_across_resolutions_and_events(tmp_path: Path) -> None:
    ev = EVENTS.replace("id: ev-1", "id: rec-1")
    res = HEAD + "resolutions:\n" + RECORD
    found = problems(tmp_path, res, ev)
    assert found == [(f"events.yaml:{line_of(ev, 'id: rec-1')}: duplicate id 'rec-1' "
                     f"(already used at {tmp_path}/resolutions.yaml:{line_of(res, 'id: rec-1')})")]


def test_duplicate_record_id_in_one_file(tmp_path: Path) -> None:
    text = HEAD + "resolutions:\n" + RECORD + RECORD
    found = problems(tmp_path, text)
    assert found == [(f"resolutions.yaml:{line_of(text, 'id: rec-1', 2)}: duplicate id 'rec-1' "
                     f"(already used at line {line_of(text, 'id: rec-1')})")]


def test_duplicate_jurisdiction_and_country_ids(tmp_path: Path) -> None:
    text = (HEAD.replace("jurisdictions:\n", "  - id: us\n    name: USA again\njurisdictions:\n")
            + "  - id: california\n    name: Kalifornia\n    level: state\n    country: us\n"
            + "    location: [38.58, -121.49]\n"
            + "resolutions:\n" + RECORD)
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'id: us', 2)}: country 'us': duplicate id "
        f"(already used at line {line_of(text, 'id: us')})"),
        (f"resolutions.yaml:{line_of(text, 'id: california', 2)}: jurisdiction 'california': duplicate id "
        f"(already used at line {line_of(text, 'id: california')})"),
    ]


def test_unknown_jurisdiction_and_unknown_country(tmp_path: Path) -> None:
    text = (HEAD.replace("country: us", "country: usa") + "resolutions:\n"
            + RECORD.replace("jurisdiction: california", "jurisdiction: calif"))
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{line_of(text, 'id: california')}: jurisdiction 'california': "
        "unknown country 'usa' (not in countries)"),
        f"resolutions.yaml:{line_of(text, 'id: rec-1')}: resolution 'rec-1': unknown jurisdiction 'calif'",
    ]


# ---------------------------------------------------------------------------- names


def test_names_are_compared_as_lookups_compare_them() -> None:
    assert normalize("  São  Paulo ") == "sao paulo"
    assert normalize("L.A.") == normalize("la")
    assert normalize("Saint-Denis") == normalize("saint denis")
    assert normalize("ԱՐՑԱԽ") == "արցախ"
    assert normalize("St. Louis") == normalize("Saint Louis")


def test_alias_claimed_by_two_jurisdictions_reports_both_places(tmp_path: Path) -> None:
    text = (HEAD.replace("    country: us\n", '    country: us\n    aliases: [Calif, "Cálif."]\n', 1)
            + "  - id: calif-city\n    name: CALIF\n    level: city\n    country: us\n"
            + "    location: [39.2, -122.0]\n"
            + "resolutions:\n" + RECORD)
    first = line_of(text, "aliases:")
    second = line_of(text, "name: CALIF")
    found = problems(tmp_path, text)
    assert found == [
        (f"resolutions.yaml:{first}: jurisdiction 'california': name 'Calif' is also claimed by "
        f"jurisdiction 'calif-city' ('CALIF' at line {second})"),
        (f"resolutions.yaml:{second}: jurisdiction 'calif-city': name 'CALIF' is already claimed by "
        f"jurisdiction 'california' ('Calif' at line {first})"),
    ]


def test_ambiguous_name_problems(tmp_path: Path) -> None:
    text = (HEAD + "ambiguous_names:\n"
            "  - name: CALIFORNIA\n    jurisdictions: [california, nowhere]\n"
            "  - name: Cal\n    jurisdictions: [california]\n"
            + "resolutions:\n" + RECORD)
    found = problems(tmp_path, text)
    a = line_of(text, "name: CALIFORNIA")
    b = line_of(text, "name: Cal", 2)
    assert found == [
        (f"resolutions.yaml:{a}: ambiguous name 'CALIFORNIA': is also a name of jurisdiction 'california' "
        f"('California' at line {line_of(text, 'name: California')}); remove one of them"),
        f"resolutions.yaml:{a}: ambiguous name 'CALIFORNIA': unknown jurisdiction 'nowhere'",
        f"resolutions.yaml:{b}: ambiguous name 'Cal': must list two or more jurisdictions",
    ]


# ---------------------------------------------------------------------------- everything at once


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    bad = (RECORD.replace("rec-1", "rec-2").replace('date: "2014-05-08"', 'date: "2014-02-30"')
           .replace("kinds: [recognition]", "kinds: [nope]")
           .replace("url: https://example.org/a", "url: notaurl"))
    text = HEAD + "resolutions:\n" + RECORD + bad
    found = problems(tmp_path, text)
    assert len(found) == 3
    assert [int(p.split(":")[1]) for p in found] == [
        line_of(text, "2014-02-30"), line_of(text, "nope"), line_of(text, "notaurl")
    ]


# ---------------------------------------------------------------------------- uploads and single files


def test_load_files_with_uploaded_bytes_uses_the_upload_name() -> None:
    upload = (MINI / EVENTS_FILE).read_bytes().replace(b'date: "1991-09-02"', b'date: "1991-09-31"')
    result = load_files(MINI / RESOLUTIONS_FILE, upload, events_name="my-events.yaml")
    assert result.dataset is None
    assert [str(p) for p in result.problems] == [
        ("my-events.yaml:4: event 'nkr-proclamation': date '1991-09-31' is impossible: "
        "September 1991 has 30 days, not 31")
    ]
    good = load_files((MINI / RESOLUTIONS_FILE).read_bytes(), MINI / EVENTS_FILE)
    assert good.ok
    assert good.dataset is not None
    assert len(good.dataset.records) == 3


def test_detect_file_kind() -> None:
    assert detect_file_kind((MINI / RESOLUTIONS_FILE).read_bytes()) == "resolutions"
    assert detect_file_kind((MINI / EVENTS_FILE).read_bytes()) == "events"
    assert detect_file_kind(b"hello: world\n") is None
    assert detect_file_kind(b"events: [\n") is None
    assert detect_file_kind(b"\xff\xfe") is None
    assert detect_file_kind(b"events: []\nresolutions: []\n") is None


def test_identify_file_explains_why_not() -> None:
    kind, found = identify_file(b"a: 1\nb: [\n", "up.yaml")
    assert kind is None
    assert str(found[0]).startswith("up.yaml:3: YAML syntax error")
    kind, found = identify_file(b"hello: 1\n", "up.yaml")
    assert kind is None
    assert str(found[0]).startswith("up.yaml:1: this file is neither a resolutions file")


def test_check_single_file(tmp_path: Path) -> None:
    ok = check_file(MINI / EVENTS_FILE)
    assert ok.kind == "events"
    assert ok.problems == ()
    assert ok.summary is not None
    assert ok.summary.line() == "OK: 2 events"
    res = check_file(MINI / RESOLUTIONS_FILE)
    assert res.summary is not None
    assert res.summary.line().startswith("OK: 3 records")
    assert "event" not in res.summary.line()
    broken = tmp_path / "events.yaml"
    broken.write_text(EVENTS + EVENTS.removeprefix("events:\n"), encoding="utf-8")
    check = check_file(broken)
    assert [str(p) for p in check.problems] == [f"{broken}:8: duplicate id 'ev-1' (already used at line 2)"]
    assert check.summary is None


def test_check_single_file_with_a_syntax_error_is_named_by_its_file_name(tmp_path: Path) -> None:
    broken = tmp_path / "events.yaml"
    broken.write_text("events:\n  - id: a\n    title: [x\n", encoding="utf-8")
    check = check_file(broken)
    assert check.kind == "events"
    assert len(check.problems) == 1
    assert str(check.problems[0]).startswith(f"{broken}:4: YAML syntax error")
    assert check.summary is None


# ---------------------------------------------------------------------------- hostile files


def test_an_alias_bomb_is_refused_with_file_and_line_before_the_walk() -> None:
    bomb = alias_bomb()
    references = bomb.count(BOMB_ALIAS)
    assert len(bomb) >= 32 * 1024
    result = load_files(bomb.encode(), MINI / EVENTS_FILE, resolutions_name="bomb.yaml")
    assert result.dataset is None
    shown = [str(p) for p in result.problems]
    first = first_alias_line(bomb)
    listed = MAX_ALIAS_PROBLEMS - 1  # the anchor, then the first aliases
    assert shown == [
        (f"bomb.yaml:{anchor_line(bomb)}: anchor '&record': anchors and aliases are not allowed "
         "in data files; write the value out"),
        *(f"bomb.yaml:{first + n}: '*record' repeats an anchored value: anchors and aliases are not "
          "allowed in data files; write the value out" for n in range(listed)),
        (f"bomb.yaml:{first + listed}: {references - listed} more anchors or aliases from here on "
         "(not listed)"),
    ]
    # the same refusal for an upload's first look and for check-data on the file alone
    kind, found = identify_file(bomb.encode(), "bomb.yaml")
    assert kind is None
    assert [str(p) for p in found] == shown
    assert detect_file_kind(bomb.encode()) is None


def test_one_harmless_anchor_is_still_refused(tmp_path: Path) -> None:
    text = HEAD.replace("  - id: us\n", "  - &us\n    id: us\n") + "resolutions:\n" + RECORD
    assert problems(tmp_path, text) == [
        (f"{RESOLUTIONS_FILE}:5: anchor '&us': anchors and aliases are not allowed in data files; "
         "write the value out")
    ]
    # an ampersand or asterisk in text is no anchor
    text = HEAD + "resolutions:\n" + RECORD.replace('title: "T"', 'title: "Q&A * 2"').replace(
        "body: Assembly", "body: A&B *Assembly*"
    )
    assert load_dataset(write(tmp_path, text)).ok


def test_a_walk_over_its_work_budget_stops_with_one_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    # no alias-free file can reach the real budget (a few visits per node, a node per two
    # characters); a budget of nothing shows what a file that did would get
    monkeypatch.setattr(loader, "WORK_PER_CHAR", 0)
    monkeypatch.setattr(loader, "WORK_FLOOR", 50)
    result = load_dataset(ROOT / "data")
    assert result.dataset is None
    too_much = (
        "checking this file takes far more work than a file of its size should; "
        "nothing was loaded (is it generated, or deeply repetitive?)"
    )
    assert [str(p) for p in result.problems] == [
        f"{ROOT / 'data' / RESOLUTIONS_FILE}: {too_much}",
        f"{ROOT / 'data' / EVENTS_FILE}: {too_much}",
        f"{ROOT / 'data' / NON_ACTS_FILE}: {too_much}",
    ]


def test_a_file_of_nothing_but_problems_stops_after_a_thousand(tmp_path: Path) -> None:
    text = HEAD + "resolutions: [" + "{}, " * 2000 + "]\n"
    found = problems(tmp_path, text)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0] == f"{RESOLUTIONS_FILE}: stopped after {MAX_PROBLEMS} problems; fix these and check again"
    assert found[1] == f"{RESOLUTIONS_FILE}:13: resolution #1: missing required field 'id'"


def test_a_control_character_is_one_problem_at_its_line(tmp_path: Path) -> None:
    text = HEAD.replace("name: California", "name: Califórnia") + "resolutions:\n" + RECORD.replace(
        'summary: "S"', 'summary: "S\x01"'
    )
    assert problems(tmp_path, text) == [
        f"{RESOLUTIONS_FILE}:{line_of(text, 'summary:')}: the character U+0001 is not allowed in YAML text"
    ]
