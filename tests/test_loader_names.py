"""The loader's names per language, locations, body-name glossary and non-acts file:
what loads, and every problem with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.loader import (
    EVENTS_FILE,
    NON_ACTS_FILE,
    RESOLUTIONS_FILE,
    check_file,
    detect_file_kind,
    identify_file,
    load_dataset,
    load_files,
)
from bot.core.model import PartialDate

HEAD = """\
dataset:
  version: "1"
  methodology: "m"
countries:
  - id: us
    name: United States
    names: {hy: "Ամերիկայի Միացյալ Նահանգներ", ru: "Соединённые Штаты Америки"}
    aliases: [USA]
  - id: fr
    name: France
    names: {hy: "Ֆրանսիա", ru: "Франция", fr: "France"}
jurisdictions:
  - id: california
    name: California
    level: state
    country: us
    names: {hy: "Կալիֆոռնիա", ru: "Калифорния", fr: "Californie", es: "California"}
    aliases: [Calif]
    location: [36.78, -119.42]
  - id: france
    name: France
    level: national
    country: fr
    names: {ru: "Франция"}
    location: [46.6, 2.2]
"""

GLOSSARY = """\
body_names:
  - body: Senate
    names: {hy: "Սենատ", ru: "Сенат", fr: "Sénat"}
    aliases: [Senato]
  - body: State Senate
    names: {ru: "Сенат штата"}
"""

RECORDS = """\
resolutions:
  - id: fr-senate
    jurisdiction: france
    body: Senate (Sénat)
    date: "2020-11-25"
    kinds: [call-for-recognition]
    title: "T"
    summary: "S"
    sources:
      - url: https://example.org/a
  - id: ca-senate
    jurisdiction: california
    body: State Senate
    body_aliases: [California Senate]
    date: "2014-08-27"
    kinds: [call-for-recognition]
    title: "T"
    summary: "S"
    sources:
      - url: https://example.org/b
  - id: ca-assembly
    jurisdiction: california
    body: State Assembly
    date: "2014-05-08"
    kinds: [call-for-recognition]
    title: "T"
    summary: "S"
    sources:
      - url: https://example.org/c
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

NON_ACTS = """\
non_acts:
  - id: us-hres-1203-2020
    names: [us congress, H.Res.1203]
    title: "H.Res.1203 (2020): introduced, never adopted"
    date: "2020-10-23"
    explanation: "Introduced and referred to committee; no further action."
    sources:
      - url: https://example.org/hres1203
  - id: us-hres-320-2023
    names: [us congress, H.Res.320]
    title: "H.Res.320 (2023): introduced, never adopted"
    explanation: "Introduced and referred to committee; no further action."
    sources:
      - url: https://example.org/hres320
"""


def write(folder: Path, resolutions: str, events: str = EVENTS, non_acts: str | None = NON_ACTS) -> Path:
    (folder / RESOLUTIONS_FILE).write_text(resolutions, encoding="utf-8")
    (folder / EVENTS_FILE).write_text(events, encoding="utf-8")
    if non_acts is not None:
        (folder / NON_ACTS_FILE).write_text(non_acts, encoding="utf-8")
    return folder


def problems(
    folder: Path, resolutions: str, events: str = EVENTS, non_acts: str | None = NON_ACTS
) -> list[str]:
    result = load_dataset(write(folder, resolutions, events, non_acts))
    assert result.dataset is None, "a dataset with problems must not load"
    return [str(p).replace(f"{folder}/", "") for p in result.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ---------------------------------------------------------------------------- what loads


def test_names_location_glossary_and_non_acts_load(tmp_path: Path) -> None:
    result = load_dataset(write(tmp_path, HEAD + GLOSSARY + RECORDS))
    assert [str(p) for p in result.problems] == []
    ds = result.dataset
    assert ds is not None
    california = ds.jurisdiction("california")
    assert california.name_in("hy") == "Կալիֆոռնիա"
    assert california.name_in("ru") == "Калифорния"
    assert california.name_in("it") is None
    assert california.location == (36.78, -119.42)
    # every name per language is found like an alias; the name itself comes first
    assert california.spellings == ("California", "Կալիֆոռնիա", "Калифорния", "Californie", "Calif")
    us = ds.country("us")
    assert us.name_in("hy") == "Ամերիկայի Միացյալ Նահանգներ"
    assert us.spellings[-1] == "USA"

    fr_senate = ds.record("fr-senate")
    assert fr_senate is not None
    # "Senate" is in "Senate (Sénat)" as a whole word: its names become body aliases
    assert fr_senate.body_in("hy") == "Սենատ"
    assert fr_senate.body_aliases == ("Սենատ", "Сенат", "Sénat", "Senato")
    ca_senate = ds.record("ca-senate")
    assert ca_senate is not None
    # both entries fit "State Senate": only the exact one applies (a state senate is not "Сенат");
    # the record's own alias stays first
    assert ca_senate.body_in("ru") == "Сенат штата"
    assert ca_senate.body_in("hy") is None
    assert ca_senate.body_aliases == ("California Senate", "Сенат штата")
    assembly = ds.record("ca-assembly")
    assert assembly is not None
    assert assembly.body_aliases == ()
    assert assembly.body_names == ()

    assert [n.id for n in ds.non_acts] == ["us-hres-1203-2020", "us-hres-320-2023"]
    hres = ds.non_act("us-hres-1203-2020")
    assert hres is not None
    assert hres.names == ("us congress", "H.Res.1203")
    assert hres.date == PartialDate(2020, 10, 23)
    assert hres.sources[0].url == "https://example.org/hres1203"
    assert ds.non_act("us-hres-320-2023") is not None
    assert ds.non_act("nothing") is None


def test_a_folder_without_the_non_acts_file_has_no_non_acts(tmp_path: Path) -> None:
    result = load_dataset(write(tmp_path, HEAD + RECORDS, non_acts=None))
    assert result.ok
    assert result.dataset is not None
    assert result.dataset.non_acts == ()


def test_check_data_summary_counts_non_acts(tmp_path: Path) -> None:
    import io

    from bot.cli.main import check_data

    out, err = io.StringIO(), io.StringIO()
    assert check_data(write(tmp_path, HEAD + RECORDS), out, err) == 0
    assert out.getvalue().endswith(", 1 event, 2 non-acts\n")
    single = check_file(tmp_path / NON_ACTS_FILE)
    assert single.kind == "non_acts"
    assert single.summary is not None
    assert single.summary.line() == "OK: 2 non-acts"


# ---------------------------------------------------------------------------- names and locations


def test_a_name_per_language_may_not_belong_to_two_places(tmp_path: Path) -> None:
    text = HEAD.replace('names: {ru: "Франция"}', 'names: {ru: "Калифорния"}')
    found = problems(tmp_path, text + RECORDS)
    first, second = line_of(text, 'ru: "Калифорния", fr'), line_of(text, 'names: {ru: "Калифорния"}')
    assert (
        f"resolutions.yaml:{second}: jurisdiction 'france': name 'Калифорния' is already claimed by "
        f"jurisdiction 'california' ('Калифорния' at line {first})"
    ) in found
    assert (
        f"resolutions.yaml:{first}: jurisdiction 'california': name 'Калифорния' is also claimed by "
        f"jurisdiction 'france' ('Калифорния' at line {second})"
    ) in found


def test_a_country_name_may_not_belong_to_two_countries(tmp_path: Path) -> None:
    text = HEAD.replace("    aliases: [USA]\n", "    aliases: [USA, Франция]\n")
    found = problems(tmp_path, text + RECORDS)
    assert any("country 'fr': name 'Франция' is already claimed by country 'us'" in p for p in found), found


def test_the_same_name_for_a_country_and_its_national_jurisdiction_is_fine(tmp_path: Path) -> None:
    # France the country and France the nation share names by design.
    assert load_dataset(write(tmp_path, HEAD + RECORDS)).ok


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ('{HY: "Ֆրանսիա"}', "'HY' is not a language code (two or three lower-case letters, such as hy"),
        ('{armenian: "Ֆրանսիա"}', "'armenian' is not a language code"),
        ('{ru: ""}', "'ru' must not be empty"),
        ("{ru: [a, b]}", "'ru' must be text, not a list"),
        ("[Франция]", "'names' must be a mapping of keys to values, not a list"),
    ],
)
def test_bad_names(tmp_path: Path, names: str, message: str) -> None:
    text = HEAD.replace('names: {ru: "Франция"}', f"names: {names}")
    found = problems(tmp_path, text + RECORDS)
    line = line_of(text, f"names: {names}")
    start = f"resolutions.yaml:{line}: jurisdiction 'france': "
    assert any(p.startswith(start) and message in p for p in found), found


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("[91, 2.2]", "the latitude 91 is out of range (-90 to 90)"),
        ("[46.6, -180.5]", "the longitude -180.5 is out of range (-180 to 180)"),
        ("[46.6]", "'location' must be [latitude, longitude], not a list"),
        ("[46.6, 2.2, 0]", "'location' must be [latitude, longitude], not a list"),
        ("46.6", "'location' must be [latitude, longitude], not the text '46.6'"),
        ("[north, 2.2]", "the latitude must be a number of degrees, not the text 'north'"),
        ("[nan, 2.2]", "the latitude nan is out of range"),
    ],
)
def test_bad_locations(tmp_path: Path, location: str, message: str) -> None:
    text = HEAD.replace("location: [46.6, 2.2]", f"location: {location}")
    found = problems(tmp_path, text + RECORDS)
    line = line_of(text, f"location: {location}")
    start = f"resolutions.yaml:{line}: jurisdiction 'france': "
    assert any(p.startswith(start) and message in p for p in found), found


def test_location_is_required(tmp_path: Path) -> None:
    text = HEAD.replace("    location: [46.6, 2.2]\n", "") + RECORDS
    line = line_of(text, "- id: france")
    assert problems(tmp_path, text) == [
        f"resolutions.yaml:{line}: jurisdiction 'france': missing required field 'location'"
    ]
    empty = HEAD.replace("location: [46.6, 2.2]", "location:") + RECORDS
    line = empty.splitlines().index("    location:") + 1
    message = "'location' must be [latitude, longitude], not the text ''"
    assert problems(tmp_path, empty) == [f"resolutions.yaml:{line}: jurisdiction 'france': {message}"]


# ---------------------------------------------------------------------------- body-name glossary


def test_glossary_problems(tmp_path: Path) -> None:
    glossary = GLOSSARY + "  - body: senate\n    names: {ru: x}\n  - body: Assembly\n  - names: {ru: y}\n"
    text = HEAD + glossary + RECORDS
    found = problems(tmp_path, text)
    twice, first = line_of(text, "body: senate"), line_of(text, "body: Senate")
    assert f"resolutions.yaml:{twice}: body name 'senate': listed twice (first at line {first})" in found
    empty = line_of(text, "body: Assembly")
    assert f"resolutions.yaml:{empty}: body name 'Assembly': give 'names' or 'aliases' (or both)" in found
    nameless = line_of(text, "names: {ru: y}")
    assert f"resolutions.yaml:{nameless}: body name #5: missing required field 'body'" in found


# ---------------------------------------------------------------------------- non-acts


def test_non_act_problems_name_their_file_and_line(tmp_path: Path) -> None:
    bad = """\
non_acts:
  - id: no-sources
    names: [texas]
    title: "T"
    explanation: "E"
    sources: []
  - id: no-names
    names: []
    title: "T"
    explanation: "E"
    sources:
      - url: https://example.org/x
  - id: twice
    names: [idaho, Idaho]
    title: "T"
    explanation: "E"
    tags: [x]
    sources:
      - url: https://example.org/y
  - id: no-explanation
    names: [armenia]
    title: "T"
    sources:
      - url: https://example.org/z
"""
    found = problems(tmp_path, HEAD + RECORDS, non_acts=bad)
    assert found == [
        "non_acts.yaml:6: non-act 'no-sources': needs at least one source",
        "non_acts.yaml:8: non-act 'no-names': needs at least one name people type",
        "non_acts.yaml:14: non-act 'twice': name 'Idaho' is listed twice (first at line 14)",
        (
            "non_acts.yaml:17: non-act 'twice': unknown key 'tags' (allowed: id, names, title, explanation, "
            "sources, date)"
        ),
        "non_acts.yaml:20: non-act 'no-explanation': missing required field 'explanation'",
    ]


def test_a_non_act_may_not_take_a_real_place_name(tmp_path: Path) -> None:
    bad = NON_ACTS.replace("[us congress, H.Res.320]", "[us congress, Калифорния, usa]")
    found = problems(tmp_path, HEAD + RECORDS, non_acts=bad)
    line = line_of(bad, "Калифорния")
    place, country = line_of(HEAD, "Калифорния"), line_of(HEAD, "USA")
    assert found == [
        (
            f"non_acts.yaml:{line}: non-act 'us-hres-320-2023': name 'Калифорния' is also a name of "
            f"jurisdiction 'california' ('Калифорния' at resolutions.yaml:{place}); "
            "a non-act must not hide real records"
        ),
        (
            f"non_acts.yaml:{line}: non-act 'us-hres-320-2023': name 'usa' is also a name of country 'us' "
            f"('USA' at resolutions.yaml:{country}); a non-act must not hide real records"
        ),
    ]


def test_non_act_ids_are_unique_across_all_files(tmp_path: Path) -> None:
    bad = NON_ACTS.replace("id: us-hres-320-2023", "id: ev-1")
    found = problems(tmp_path, HEAD + RECORDS, non_acts=bad)
    line = line_of(bad, "id: ev-1")
    assert found == [f"non_acts.yaml:{line}: duplicate id 'ev-1' (already used at events.yaml:2)"]


def test_non_acts_file_is_told_apart_by_its_top_key() -> None:
    assert detect_file_kind(NON_ACTS.encode()) == "non_acts"
    kind, found = identify_file(b"non_acts: []\nevents: []\n", "up.yaml")
    assert kind is None
    assert [str(p) for p in found] == [
        "up.yaml:1: this file has events and non_acts keys at the top level; they belong in separate files"
    ]


def test_uploaded_non_acts_bytes_are_named_by_the_upload(tmp_path: Path) -> None:
    write(tmp_path, HEAD + RECORDS)
    upload = NON_ACTS.replace('date: "2020-10-23"', 'date: "2020-10-32"').encode()
    result = load_files(
        tmp_path / RESOLUTIONS_FILE, tmp_path / EVENTS_FILE, non_acts=upload, non_acts_name="my.yaml"
    )
    line = line_of(NON_ACTS, "date:")
    message = "date '2020-10-32' is impossible: October 2020 has 31 days, not 32"
    assert [str(p) for p in result.problems] == [f"my.yaml:{line}: non-act 'us-hres-1203-2020': {message}"]


# ---------------------------------------------------------------------------- wording and sources


def test_no_text_may_say_circulated_list(tmp_path: Path) -> None:
    notes = '    notes: "The Circulated\\n  List says May."\n'
    records = RECORDS.replace('    summary: "S"\n', '    summary: "S"\n' + notes, 1)
    events = EVENTS.replace('summary: "S"', 'summary: "S"\n    notes: "Missing from the circulated list."')
    non_acts = NON_ACTS.replace(
        'title: "H.Res.320 (2023): introduced, never adopted"', 'title: "Not on the circulated list"'
    )
    text = HEAD.replace("Calif]", "Calif, circulated list]") + records
    found = problems(tmp_path, text, events, non_acts)
    said = (
        "says 'circulated list'; readers never saw that list: say plainly what is claimed and by whom "
        "(e.g. 'often described as')"
    )
    alias, note = line_of(text, "Calif, circulated"), line_of(text, "The Circulated")
    event, title = line_of(events, "Missing from"), line_of(non_acts, "Not on the")
    assert found == [
        f"resolutions.yaml:{alias}: jurisdiction 'california': an entry of 'aliases' {said}",
        f"resolutions.yaml:{note}: resolution 'fr-senate': 'notes' {said}",
        f"events.yaml:{event}: event 'ev-1': 'notes' {said}",
        f"non_acts.yaml:{title}: non-act 'us-hres-320-2023': 'title' {said}",
    ]


def test_the_methodology_and_source_titles_are_checked_too(tmp_path: Path) -> None:
    titled = RECORDS.replace(
        "      - url: https://example.org/a\n",
        '      - url: https://example.org/a\n        title: "The circulated list"\n',
    )
    text = HEAD.replace('methodology: "m"', 'methodology: "As in the circulated list."') + titled
    found = problems(tmp_path, text)
    assert [p.split(": ", 2)[1] for p in found] == ["dataset", "resolution 'fr-senate'"]
    title_line = line_of(text, "The circulated list")
    assert found[1].startswith(f"resolutions.yaml:{title_line}:")


def test_comments_may_mention_it(tmp_path: Path) -> None:
    # comments are for editors, not shown to users
    assert load_dataset(write(tmp_path, "# no circulated list here\n" + HEAD + RECORDS)).ok


FIRST_SOURCES = "    sources:\n      - url: https://example.org/a\n"
LAST_SOURCES = "    sources:\n      - url: https://example.org/hres320\n"


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            RESOLUTIONS_FILE,
            HEAD + RECORDS.replace(FIRST_SOURCES, "", 1),
            "resolution 'fr-senate': missing required field 'sources'",
        ),
        (
            RESOLUTIONS_FILE,
            HEAD + RECORDS.replace(FIRST_SOURCES, "    sources: []\n", 1),
            "resolution 'fr-senate': needs at least one source",
        ),
        (
            EVENTS_FILE,
            EVENTS.replace("    sources:\n      - url: https://example.org/e\n", ""),
            "event 'ev-1': missing required field 'sources'",
        ),
        (
            EVENTS_FILE,
            EVENTS.replace("      - url: https://example.org/e\n", "").replace("sources:", "sources: []"),
            "event 'ev-1': needs at least one source",
        ),
        (
            NON_ACTS_FILE,
            NON_ACTS.replace(LAST_SOURCES, ""),
            "non-act 'us-hres-320-2023': missing required field 'sources'",
        ),
        (
            NON_ACTS_FILE,
            NON_ACTS.replace(LAST_SOURCES, "    sources: []\n"),
            "non-act 'us-hres-320-2023': needs at least one source",
        ),
    ],
)
def test_every_record_event_and_non_act_needs_a_source(
    tmp_path: Path, file: str, text: str, message: str
) -> None:
    files = {RESOLUTIONS_FILE: HEAD + RECORDS, EVENTS_FILE: EVENTS, NON_ACTS_FILE: NON_ACTS, file: text}
    found = problems(tmp_path, files[RESOLUTIONS_FILE], files[EVENTS_FILE], files[NON_ACTS_FILE])
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:"), found
    assert found[0].endswith(message), found


def test_the_shipped_data_passes_the_wording_and_source_checks() -> None:
    root = Path(__file__).resolve().parents[1] / "data"
    result = load_dataset(root)
    assert [str(p) for p in result.problems] == []
    ds = result.dataset
    assert ds is not None
    assert all(r.sources for r in ds.records)
    assert all(e.sources for e in ds.events)
    assert all(n.sources for n in ds.non_acts)
    for path in root.glob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        shown = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
        assert "circulated list" not in " ".join(shown.casefold().split()), path
