"""Property-based tests (Hypothesis) over every parser: dates, times, time zones, queries,
configuration, data files and uploads.

For any input: no exception escapes (only each parser's own user-facing error), the bot logs
no error (the engine turns a crash into a polite answer and logs it, so a logged error is a
crash), every answer fits Discord's limits as the Discord adapter renders it, and a parsed
value reads back the same where it should (a date's label, a time's ``HH:MM``, a zone's name).

Example counts are kept small so the whole set adds a few seconds to the suite; run with
``HYPOTHESIS_PROFILE=thorough`` for a long search.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import math
import os
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import discord
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from test_discord_render import assert_within_limits

from bot.config import SECTIONS, Config, ConfigError, load_config
from bot.core.answers import Answer, Status
from bot.core.cards import card_for
from bot.core.clock import ManualClock
from bot.core.dates import MAX_YEAR, MIN_YEAR, MONTHS, DateQueryError, parse_date_query
from bot.core.engine import QueryEngine
from bot.core.loader import EVENTS_FILE, RESOLUTIONS_FILE, load_dataset, load_files
from bot.core.reloading import DataStore
from bot.core.times import parse_hhmm, suggest_times
from bot.core.timezones import TimeZoneError, resolve_timezone, suggest_timezones
from bot.discordbot.choices import to_choices
from bot.discordbot.moderation import render_reload
from bot.discordbot.render import CHOICE_LIMIT
from bot.discordbot.replay import Ask, KeptAsks
from bot.discordbot.views import answer_pages, present

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
_T = TypeVar("_T")

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATASET = load_dataset(DATA).dataset
assert DATASET is not None
ENGINE = QueryEngine(DATASET)

# ---------------------------------------------------------------------------------------------- inputs

# Fragments people (and attackers) type: real names, dates and the characters that break things.
NAMES = sorted(
    {j.name for j in DATASET.jurisdictions}
    | {a for j in DATASET.jurisdictions for a in j.aliases}
    | {c.name for c in DATASET.countries}
    | {r.id for r in DATASET.records[:40]}
)
FRAGMENTS = [
    *NAMES, *MONTHS[1:], "2020", "1991-09-02", "nov", "to", "-", "–", "/", ".", ":", "since", "before",
    "today", "yesterday", "@everyone", "<@&123>", "```", "\u200b", "\u0000", "\n", "ա", "Ф", "é", "  ",
    "*", "_", "~", "|", "country:", "body:", "UTC+4", "Asia/Yerevan", "yerevan",
]
texts = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=6).map(" ".join),
)
years = st.integers(MIN_YEAR, MAX_YEAR)
days = st.dates(dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31))


@contextmanager
def no_bot_errors() -> Iterator[None]:
    """Fail when the bot logs an error (how the engine and adapters report a crash they caught)."""
    records: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Catch(logging.ERROR)
    logger = logging.getLogger("bot")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not records, "; ".join(
        f"{r.name}: {r.getMessage()} ({r.exc_info[1]!r})" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in records
    )


KEPT = KeptAsks(100)


def assert_component_fits(component: dict[str, Any]) -> None:
    if "custom_id" in component:
        assert 1 <= len(component["custom_id"]) <= 100
    if component.get("type") == 2:  # a button
        assert len(component.get("label", "")) <= 80
    options = component.get("options", [])
    assert len(options) <= 25
    for option in options:
        assert 1 <= len(option["label"]) <= 100
        assert 1 <= len(option["value"]) <= 100
        assert len(option.get("description", "")) <= 100
    assert len(component.get("placeholder", "")) <= 150


def assert_fits_discord(answer: Answer, text: str = "") -> None:
    """The answer as the Discord adapter shows it: every page's embed and components within limits."""
    assert answer.title
    if answer.status is Status.INVALID:
        assert answer.message
    for index in range(answer_pages(answer)):
        shown = present(
            answer, owner=123456789012345678, ask=Ask(answer.command, (text,)), footer="Dataset x",
            index=index, dataset_card=lambda key: card_for(key, DATASET), kept=KEPT,
        )
        assert_within_limits(shown.embed)
        seen = (shown.embed.title or "") + (shown.embed.description or "")
        assert "@everyone" not in seen
        assert "@here" not in seen
        rows = shown.view.to_components() if shown.view is not None else []
        assert len(rows) <= 5
        for row in rows:
            assert len(row["components"]) <= 5
            for component in row["components"]:
                assert_component_fits(component)


def assert_choices(choices: list[discord.app_commands.Choice[str]]) -> None:
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice.name) <= CHOICE_LIMIT
        assert 1 <= len(choice.value) <= CHOICE_LIMIT


def one_line(message: str) -> None:
    assert message.strip()
    assert "\n" not in message
    assert "Traceback" not in message


def read_or_refusal(read: Callable[[], _T], error: type[Exception], longest: int) -> _T | None:
    """What ``read`` returns; None when it refused with ``error`` in one short line."""
    try:
        return read()
    except error as err:
        message = str(err)
    one_line(message)
    assert len(message) <= longest
    return None


# ---------------------------------------------------------------------------------------------- dates


@given(texts)
def test_any_date_query_is_read_or_refused_in_words(text: str) -> None:
    query = read_or_refusal(lambda: parse_date_query(text, today=TODAY), DateQueryError, 300)
    if query is None:
        return
    assert query.spans or query.month_day
    for span in query.spans:
        assert span.start <= span.end
        assert dt.date(MIN_YEAR - 200, 1, 1) <= span.start


@given(texts)
def test_a_read_date_reads_back_from_its_own_label(text: str) -> None:
    try:
        query = parse_date_query(text, today=TODAY)
    except DateQueryError:
        return
    for span in query.spans:
        again = parse_date_query(span.label, today=TODAY)
        assert again.spans[0] == span, (text, span.label)


@given(days, st.sampled_from(["{iso}", "{d} {month} {y}", "{month} {d}, {y}", "{mon} {y}", "{y}"]))
def test_a_written_date_is_read_as_that_day_month_or_year(day: dt.date, form: str) -> None:
    month = MONTHS[day.month]
    text = form.format(iso=day.isoformat(), d=day.day, month=month, mon=month[:3].lower(), y=day.year)
    [span] = parse_date_query(text, today=TODAY).spans
    if "{d}" in form or "{iso}" in form:
        assert span.start == span.end == day
    elif "{mon}" in form:
        assert (span.start.year, span.start.month, span.start.day) == (day.year, day.month, 1)
        assert span.end.month == day.month
    else:
        assert (span.start, span.end) == (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    assert parse_date_query(span.label, today=TODAY).spans == (span,)


@given(years, years)
def test_a_year_range_reads_back(first: int, last: int) -> None:
    low, high = sorted((first, last))
    assume(low != high)
    [span] = parse_date_query(f"{low}-{high}", today=TODAY).spans
    assert (span.start, span.end) == (dt.date(low, 1, 1), dt.date(high, 12, 31))
    assert parse_date_query(span.label, today=TODAY).spans == (span,)


# ---------------------------------------------------------------------------------------------- times


@given(texts)
@example("0\n0")  # found by this test: the refusal echoed the newline
def test_any_time_is_read_or_refused_in_words(text: str) -> None:
    try:
        value = parse_hhmm(text)
    except ValueError as err:
        one_line(str(err))
        return
    assert value.second == value.microsecond == 0
    assert value.tzinfo is None


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)), st.sampled_from(["{h:02d}:{m:02d}",
       "{h}:{m:02d}", "{h}h{m:02d}", "{h:02d}.{m:02d}", " {h} : {m:02d} "]))
def test_a_time_reads_back_from_every_way_of_writing_it(value: dt.time, form: str) -> None:
    text = form.format(h=value.hour, m=value.minute)
    assert parse_hhmm(text) == value
    assert parse_hhmm(value.strftime("%H:%M")) == value


@settings(max_examples=20)
@given(texts)
def test_time_suggestions_are_choices_that_parse(text: str) -> None:
    suggestions = suggest_times(text)
    assert len(suggestions) <= 25
    for suggestion in suggestions:
        assert parse_hhmm(suggestion).strftime("%H:%M") == suggestion


# ---------------------------------------------------------------------------------------------- time zones

# every zone the system knows, less two files that are no place: "Factory" (tzdata's
# placeholder, "-00") and "localtime" (the machine's own setting)
ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


@given(texts)
def test_any_time_zone_is_read_or_refused_in_words(text: str) -> None:
    with no_bot_errors():
        zone = read_or_refusal(lambda: resolve_timezone(text), TimeZoneError, 400)
    if zone is None:
        return
    assert dt.datetime(2026, 6, 1, tzinfo=zone).utcoffset() is not None


@given(texts)
def test_time_zone_suggestions_fit_and_resolve_to_themselves(text: str) -> None:
    with no_bot_errors():
        suggestions = suggest_timezones(text, now=NOW)
    assert len(suggestions) <= 25
    for label, zone in suggestions:
        assert 1 <= len(label) <= CHOICE_LIMIT
        assert resolve_timezone(zone, exact=True).key == zone


@given(st.sampled_from(ZONES), st.sampled_from([str, str.lower, str.upper]))
def test_every_zone_name_reads_back(name: str, case: Any) -> None:
    zone = resolve_timezone(case(name))
    again = resolve_timezone(zone.key, exact=True)
    assert again.key == zone.key
    instant = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    assert instant.astimezone(zone).utcoffset() == instant.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()


# ---------------------------------------------------------------------------------------------- queries


@given(texts)
def test_any_query_gets_an_answer_that_fits_discord(text: str) -> None:
    with no_bot_errors():
        answers = [
            ENGINE.jurisdiction(text),
            ENGINE.resolution(text),
            ENGINE.date(text, today=TODAY),
            ENGINE.on_this_day(text, today=TODAY),
            ENGINE.list_records(country=text),
            ENGINE.list_records(level=text, kind=text),
        ]
        for answer in answers:
            assert_fits_discord(answer, text)


@given(texts)
@example("u")  # offers acts that never happened ("us congress"): explained, not a place
def test_any_typed_prefix_gets_choices_that_answer(text: str) -> None:
    with no_bot_errors():
        places = to_choices(ENGINE.suggest_jurisdictions(text))
        records = to_choices(ENGINE.suggest_resolutions(text))
        countries = to_choices(ENGINE.suggest_countries(text))
        for choices in (places, records, countries):
            assert_choices(choices)
        for choice in places:  # a chosen suggestion is answered as the place it named
            picked = ENGINE.jurisdiction(choice.value)
            if picked.non_acts:  # or, for an act that never happened, privately explained
                assert picked.status is Status.NOT_FOUND, choice
                assert not picked.records, choice
            else:
                assert picked.status is Status.FOUND, choice
        for choice in records:
            assert ENGINE.resolution(choice.value).status is Status.FOUND, choice
        for choice in countries:
            assert ENGINE.list_records(country=choice.value).status is not Status.INVALID, choice


@given(st.one_of(st.none(), years), st.one_of(st.none(), years))
def test_any_timeline_fits_discord(first: int | None, last: int | None) -> None:
    with no_bot_errors():
        assert_fits_discord(ENGINE.timeline(first, last))


# ---------------------------------------------------------------------------------------------- configuration

toml_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(), st.booleans(), st.text(max_size=40),
    st.sampled_from(["09:00", "24:00", "Asia/Yerevan", "yerevan", "guild", "global", "off", "DEBUG", "skip"]),
)
toml_values = st.one_of(toml_scalars, st.lists(toml_scalars, max_size=4))
KEYS = {name: [f.name for f in dataclasses.fields(cls)] for name, cls in SECTIONS.items()}
config_tables = st.dictionaries(
    st.sampled_from([*KEYS, "dayly"]),
    st.sampled_from([k for keys in KEYS.values() for k in keys] + ["synk"]).flatmap(
        lambda key: st.dictionaries(st.just(key), toml_values, max_size=1)
    ),
    max_size=4,
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def toml_text(tables: dict[str, dict[str, object]]) -> str:
    return "".join(
        f"[{name}]\n" + "".join(f"{key} = {toml_value(v)}\n" for key, v in table.items())
        for name, table in tables.items()
    )


def load_or_refuse(folder: Path, config_text: str | bytes | None, env: dict[str, str]) -> Config | None:
    """The config, or None after checking the refusal is one line naming the file."""
    path = None
    if config_text is not None:
        path = folder / "bot.toml"
        path.write_bytes(config_text if isinstance(config_text, bytes) else config_text.encode())
    try:
        return load_config(path, env, cwd=folder)
    except ConfigError as err:
        one_line(str(err))
        return None


@given(st.one_of(config_tables.map(toml_text), st.text(max_size=200), st.binary(max_size=200)))
def test_any_config_file_loads_or_is_one_line(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = load_or_refuse(Path(folder), text, {})
    if config is not None:
        assert 1 <= config.daily.max_concurrency <= 50
        assert config.daily.check_interval_seconds >= 1
        assert resolve_timezone(config.daily.default_timezone).key == config.daily.zone.key


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_a_configured_time_reads_back(value: dt.time) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = load_or_refuse(Path(folder), f'[daily]\ndefault_time = "{value:%H:%M}"\n', {})
    assert config is not None
    assert config.daily.default_time == value


@given(st.binary(max_size=200), st.text(max_size=60))
def test_any_dotenv_loads_or_is_one_line(data: bytes, token: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / ".env").write_bytes(data)
        load_or_refuse(Path(folder), None, {})
        # a token is taken literally: written in quotes, it comes back as typed
        assume("\x00" not in token and "\\" not in token and "'" not in token and "\r" not in token)
        assume("\n" not in token and token.strip() == token and token)
        for encoding in ("utf-8", "utf-16"):
            (Path(folder) / ".env").write_bytes(f"DISCORD_TOKEN='{token}'\n".encode(encoding))
            config = load_or_refuse(Path(folder), None, {})
            assert config is not None
            assert config.token == token


# ---------------------------------------------------------------------------------------------- data files

SHIPPED = {name: (DATA / name).read_text(encoding="utf-8") for name in (RESOLUTIONS_FILE, EVENTS_FILE)}
mutations = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(["delete", "duplicate", "insert", "replace"]), texts),
    min_size=1, max_size=4,
)


def mutate(text: str, edits: list[tuple[int, str, str]]) -> str:
    lines = text.splitlines()
    for position, how, inserted in edits:
        at = position % max(len(lines), 1)
        if how == "delete" and lines:
            del lines[at]
        elif how == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif how == "insert":
            lines.insert(at, inserted)
        elif lines:
            key, _, _ = lines[at].partition(":")
            lines[at] = f"{key}: {inserted}"
    return "\n".join(lines) + "\n"


def assert_problems_are_lines(result: Any, texts_by_name: dict[str, str]) -> None:
    if result.dataset is not None:
        assert not result.problems
        return
    assert result.problems
    for problem in result.problems:
        one_line(problem.message)
        lines = texts_by_name.get(problem.file, "").count("\n") + 2
        assert 0 <= problem.line <= lines, problem


@settings(max_examples=20)
@given(st.sampled_from([RESOLUTIONS_FILE, EVENTS_FILE]), mutations)
@example(RESOLUTIONS_FILE, [(0, "insert", "\x1f")])  # found by this test: a multi-line YAML error
@example(EVENTS_FILE, [(3, "replace", "caf\u00e9 \x01")])  # and its line, counted in bytes
def test_an_edited_data_file_loads_or_names_its_problems(
    name: str, edits: list[tuple[int, str, str]]
) -> None:
    edited = mutate(SHIPPED[name], edits)
    files = {**SHIPPED, name: edited}
    with no_bot_errors():
        result = load_files(
            files[RESOLUTIONS_FILE].encode(), files[EVENTS_FILE].encode(),
            resolutions_name=RESOLUTIONS_FILE, events_name=EVENTS_FILE,
        )
    assert_problems_are_lines(result, files)
    if result.dataset is not None:
        assert_fits_discord(QueryEngine(result.dataset).stats())


@given(st.one_of(st.binary(max_size=400), texts.map(str.encode)))
def test_any_bytes_as_a_data_file_load_or_name_their_problems(data: bytes) -> None:
    with no_bot_errors():
        result = load_files(data, DATA / EVENTS_FILE, resolutions_name="upload.yaml")
    assert result.dataset is None
    assert_problems_are_lines(result, {"upload.yaml": data.decode("utf-8", "replace")})


# ---------------------------------------------------------------------------------------------- uploads

upload_names = st.one_of(
    st.sampled_from(["resolutions.yaml", "events.yml", "upload.YAML", "notes.txt", "../../etc/x.yaml"]),
    st.text(max_size=30),
)
uploads = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([RESOLUTIONS_FILE, EVENTS_FILE]).flatmap(
        lambda name: mutations.map(lambda edits: mutate(SHIPPED[name], edits).encode())
    ),
)


@pytest.fixture(scope="module")
def upload_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(upload_names, uploads)
def test_any_upload_is_installed_or_refused_and_the_report_fits_discord(
    upload_folder: Path, name: str, data: bytes
) -> None:
    data_dir = upload_folder / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(DATA, data_dir)
    store = DataStore(data_dir, QueryEngine, clock=ManualClock(NOW), dataset=DATASET)
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    with no_bot_errors():
        report = asyncio.run(store.reload_with_upload(name, data))
    message = render_reload(report, by="mod (1)", when=NOW)
    assert_within_limits(message.embed)
    after = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    if not report.ok:
        assert report.problems
        assert store.current.dataset is DATASET  # the old data keeps serving
        assert after == before  # and nothing on disk changed
        assert message.attachment is not None
        for problem in report.problems:
            one_line(problem.message)
    else:
        assert report.file_kind is not None
        assert after[{"resolutions": RESOLUTIONS_FILE, "events": EVENTS_FILE}[report.file_kind]] == data
        assert store.current.dataset is not DATASET
        assert set(os.listdir(data_dir)) >= {RESOLUTIONS_FILE, EVENTS_FILE}
