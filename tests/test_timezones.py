"""Time-zone lookup: what people type → an IANA zone, and autocomplete choices."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.core.timezones import (
    ALIASES,
    DEFAULT_ZONES,
    MAX_CHOICES,
    parse_utc_offset,
    resolve_timezone,
    suggest_timezones,
    zone_label,
)

SUMMER = dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC)
WINTER = dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("yerevan", "Asia/Yerevan"),
        ("Yerevan", "Asia/Yerevan"),
        ("yerevn", "Asia/Yerevan"),
        ("Asia/Yerevan", "Asia/Yerevan"),
        ("armenia", "Asia/Yerevan"),
        ("Stepanakert", "Asia/Yerevan"),
        ("yerevan armenia", "Asia/Yerevan"),
        ("los angeles", "America/Los_Angeles"),
        ("Los_Angeles", "America/Los_Angeles"),
        ("  los   angeles ", "America/Los_Angeles"),
        ("los angelos", "America/Los_Angeles"),
        ("LA", "America/Los_Angeles"),
        ("california", "America/Los_Angeles"),
        ("pacific", "America/Los_Angeles"),
        ("US/Pacific", "America/Los_Angeles"),
        ("paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        ("EUROPE/PARIS", "Europe/Paris"),
        ("parris", "Europe/Paris"),
        ("france", "Europe/Paris"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Etc/UTC", "UTC"),
        ("eastern", "America/New_York"),
        ("new york", "America/New_York"),
        ("new yrok", "America/New_York"),
        ("moscow", "Europe/Moscow"),
        ("moskow", "Europe/Moscow"),
        ("beirut", "Asia/Beirut"),
        ("beirout", "Asia/Beirut"),
        ("tehran", "Asia/Tehran"),
        ("sydney", "Australia/Sydney"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("kiev", "Europe/Kyiv"),
        ("UTC+4", "Etc/GMT-4"),
        ("utc-5", "Etc/GMT+5"),
        ("Etc/GMT-4", "Etc/GMT-4"),
    ],
)
def test_resolve_timezone(text: str, zone: str) -> None:
    assert resolve_timezone(text).key == zone


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a time zone"),
        ("   ", "Type a time zone"),
        ("xyzzy", "I don't know the time zone “xyzzy”. Use an IANA name like Asia/Yerevan"),
        ("georgia", "several time zones: Asia/Tbilisi, America/New_York"),
        ("usa", "several time zones"),
        ("san", "could be"),
        ("+05:30", "no fixed UTC+05:30 zone"),
        ("x" * 500, "I don't know the time zone"),
    ],
)
def test_resolve_timezone_errors_are_short_and_helpful(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        resolve_timezone(text)
    assert len(str(info.value)) < 200


def test_suggest_prefix_first_and_offsets_in_labels() -> None:
    choices = suggest_timezones("yerevan", now=SUMMER)
    assert choices[0] == ("Asia/Yerevan (UTC+04:00)", "Asia/Yerevan")
    la = suggest_timezones("los angeles", now=WINTER)
    assert la[0] == ("America/Los_Angeles (UTC-08:00)", "America/Los_Angeles")
    assert suggest_timezones("los angeles", now=SUMMER)[0][0] == "America/Los_Angeles (UTC-07:00)"
    assert suggest_timezones("paris", now=SUMMER)[0] == ("Europe/Paris (UTC+02:00)", "Europe/Paris")
    assert suggest_timezones("tehran", now=WINTER)[0][0] == "Asia/Tehran (UTC+03:30)"


def test_suggest_without_now_has_plain_labels() -> None:
    assert suggest_timezones("paris") == [("Europe/Paris", "Europe/Paris")]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("yerevn", "Asia/Yerevan"),
        ("los angelos", "America/Los_Angeles"),
        ("sydny", "Australia/Sydney"),
        ("tehrn", "Asia/Tehran"),
        ("pari", "Europe/Paris"),
        ("LA", "America/Los_Angeles"),
        ("america/los", "America/Los_Angeles"),
        ("angeles", "America/Los_Angeles"),
        ("utc", "UTC"),
    ],
)
def test_suggest_typos_and_prefixes(text: str, first: str) -> None:
    assert suggest_timezones(text, now=SUMMER)[0][1] == first


def test_suggest_la_lists_los_angeles_then_la_cities() -> None:
    values = [v for _, v in suggest_timezones("la")]
    assert values[0] == "America/Los_Angeles"
    assert "America/La_Paz" in values
    assert "Africa/Lagos" in values


def test_suggest_empty_input_gives_common_zones() -> None:
    choices = suggest_timezones("", now=SUMMER)
    values = [v for _, v in choices]
    assert values == list(DEFAULT_ZONES)[:MAX_CHOICES]
    for expected in ("Asia/Yerevan", "Europe/Paris", "America/Los_Angeles", "America/New_York", "UTC"):
        assert expected in values
    assert ("UTC", "UTC") in choices


@pytest.mark.parametrize("text", ["", "a", "america/", "e", "pacific/", "s", "UTC+0", "utc-5"])
def test_suggest_is_bounded_and_labels_fit(text: str) -> None:
    choices = suggest_timezones(text, now=SUMMER)
    assert 0 < len(choices) <= 25
    assert len({v for _, v in choices}) == len(choices)  # no duplicates
    for label, value in choices:
        assert 0 < len(label) <= 100  # zone names are short: a Discord choice shows them whole
        assert len(value) <= 100
        assert resolve_timezone(value).key == value  # every suggestion is accepted back


def test_suggest_respects_limit() -> None:
    assert len(suggest_timezones("america/", limit=5)) == 5
    assert len(suggest_timezones("america/", limit=100)) == 25


def test_suggest_area_prefix_lists_only_that_area() -> None:
    values = [v for _, v in suggest_timezones("europe/")]
    assert len(values) == 25
    assert all(v.startswith("Europe/") for v in values)
    assert values[0] == "Europe/Paris"  # common zones first


def test_suggest_hides_legacy_names() -> None:
    values = [v for _, v in suggest_timezones("pacific")]
    assert "US/Pacific" not in values
    assert values[0] == "America/Los_Angeles"
    assert all(not v.startswith(("US/", "Etc/")) for v in values)


def test_suggest_offset_lists_zones_at_that_offset() -> None:
    values = [v for _, v in suggest_timezones("UTC+4", now=SUMMER)]
    assert values[0] == "Etc/GMT-4"
    assert "Asia/Yerevan" in values
    assert "Asia/Dubai" in values
    assert "Europe/Paris" not in values


def test_suggest_nothing_for_gibberish() -> None:
    assert suggest_timezones("qqqqzzzz") == []


def test_suggest_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        suggest_timezones("paris", now=dt.datetime(2024, 1, 1))  # noqa: DTZ001


def test_zone_label() -> None:
    assert zone_label("Asia/Yerevan", SUMMER) == "Asia/Yerevan (UTC+04:00)"
    assert zone_label("Asia/Kolkata", SUMMER) == "Asia/Kolkata (UTC+05:30)"
    assert zone_label("UTC", SUMMER) == "UTC"
    assert zone_label("Europe/Paris") == "Europe/Paris"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("UTC+4", 240), ("gmt-03:00", -180), ("+0530", 330), ("utc + 14", 840), ("paris", None), ("+25", None)],
)
def test_parse_utc_offset(text: str, minutes: int | None) -> None:
    offset = parse_utc_offset(text)
    assert (None if offset is None else offset.total_seconds() / 60) == minutes


def _tzdata_links() -> list[tuple[str, str]]:
    """(target, name) of every link line of the tzdata package's tzdata.zi."""
    from importlib import resources

    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return [(p[1], p[2]) for p in (line.split() for line in text.splitlines()) if len(p) == 3 and p[0] == "L"]


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Kiev", "Europe/Kyiv"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Australia/ACT", "Australia/Sydney"),  # legacy names tzdata links, no hand-kept table
        ("America/Atka", "America/Adak"),
        ("Asia/Chongqing", "Asia/Shanghai"),
        ("Europe/Amsterdam", "Europe/Amsterdam"),  # a country's own zone stays itself
        ("Europe/Stockholm", "Europe/Stockholm"),
    ],
)
def test_legacy_names_come_from_tzdata_links(text: str, zone: str) -> None:
    assert resolve_timezone(text).key == zone


def test_every_tzdata_link_resolves_and_none_is_suggested() -> None:
    links = _tzdata_links()
    assert len(links) > 100
    suggested = {v for _, v in suggest_timezones("a", limit=25)} | {v for _, v in suggest_timezones("")}
    for target, name in links:
        key = resolve_timezone(name).key
        if name.casefold() in ALIASES:  # "EST" is the Eastern time people mean, not tzdata's fixed EST
            assert key == ALIASES[name.casefold()][0], name
            continue
        assert key in {target, name, "UTC"}, name
        if key != name:
            assert name not in suggested
    assert "Australia/ACT" not in [v for _, v in suggest_timezones("australia/")]


def test_exact_reading_takes_no_guess() -> None:
    assert resolve_timezone("yerevan", exact=True).key == "Asia/Yerevan"
    assert resolve_timezone("Europe/Kiev", exact=True).key == "Europe/Kyiv"
    with pytest.raises(ValueError, match="I don't know the time zone “yerevn”"):
        resolve_timezone("yerevn", exact=True)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("EST", "America/New_York"),
        ("EDT", "America/New_York"),
        ("CST", "America/Chicago"),
        ("MST", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("HST", "Pacific/Honolulu"),
        ("CET", "Europe/Paris"),
        ("EET", "Europe/Athens"),
        ("MSK", "Europe/Moscow"),
        ("AMT", "Asia/Yerevan"),
    ],
)
def test_abbreviations_mean_the_zone_people_mean_with_daylight_saving(typed: str, zone: str) -> None:
    assert resolve_timezone(typed).key == zone
    assert suggest_timezones(typed)[0][1] == zone
    if zone == "America/New_York":  # EST in July is daylight time: 12:00 UTC is 08:00 there
        july = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC).astimezone(resolve_timezone(typed))
        assert july.hour == 8
