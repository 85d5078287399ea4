"""``python -m bot ask``: answer one query (or one per stdin line) from the bundled dataset."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.text import render_answer
from bot.core.answers import Answer, Status
from bot.core.clock import Clock, today_in
from bot.core.engine import QueryEngine, clean_query, parse_kind, parse_level
from bot.core.loader import load_dataset
from bot.core.model import Event, Record

log = logging.getLogger(__name__)

COMMANDS = ("jurisdiction", "resolution", "date", "onthisday", "timeline", "list", "stats", "about")

EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2

HELP = """\
usage: python -m bot ask [--json] [--tz ZONE] COMMAND [TEXT...]
       python -m bot ask [--json] [--tz ZONE] -        (one "COMMAND TEXT" per stdin line)

Answer a query from the bundled dataset, as the bot's slash commands do.

commands:
  jurisdiction NAME      records of a place, country or parliament   jurisdiction calfornia
  resolution WORDS       search records by words or id               resolution 305 to 1
  date DATE              records and events on a day, month, year    date nov 2020
                         or range                                    date 2012-2014
  onthisday [DAY]        anniversaries on a day (default: today)     onthisday 25 November
  timeline [FROM [TO]]   timeline events, optionally between years   timeline 2012 2014
                         (one year: that year only)                  timeline 2023
  list [FILTERS]         records, newest first; filters are          list level=state country=us
                         level=, country=, kind= (or bare words:     list city recognition
                         a level, a kind, then a country name)       list country=united states
  stats                  counts by level, kind, country and year
  about                  dataset version, methodology and sources

options:
  --json       print one JSON object per answer (keys: command, query, status, matched,
               title, message, records, events, candidates, nearest, fields, lines)
  --tz ZONE    time zone for "today" (IANA name, e.g. Asia/Yerevan; default UTC)
  -h, --help   show this help

levels: supranational, national, state, region, county, city
kinds:  recognition, call-for-recognition, self-determination, condemnation, statement

exit status: 0 found, 1 not found or ambiguous, 2 invalid query or usage error.
With "-", every stdin line gets its own answer and the exit status is 0 unless the
dataset cannot be loaded (each answer carries its own status).
"""


class DataSettings(Protocol):
    """The part of the configuration that says where the data is."""

    @property
    def path(self) -> Path:
        """The data folder (or file)."""
        ...


class HasData(Protocol):
    """Any configuration object with ``.data.path`` (bot.config.Config qualifies)."""

    @property
    def data(self) -> DataSettings:
        """Data settings."""
        ...


class UsageError(ValueError):
    """Bad command-line usage; the message is for the user."""


def exit_code(answer: Answer) -> int:
    """0 found, 1 not found or ambiguous, 2 invalid."""
    if answer.status is Status.FOUND:
        return EXIT_FOUND
    if answer.status is Status.INVALID:
        return EXIT_INVALID
    return EXIT_NOT_FOUND


def load_engine(config: HasData, out: TextIO) -> QueryEngine | None:
    """Load the dataset at ``config.data.path``; print its problems and return None if any."""
    path = config.data.path
    result = load_dataset(path)
    if result.dataset is None or result.problems:
        problems = result.problems
        for problem in problems:
            out.write(f"{problem}\n")
        out.write(f"The dataset in {path} has {len(problems)} problem(s); nothing was answered.\n")
        return None
    return QueryEngine(result.dataset)


def _invalid(command: str, query: str, message: str) -> Answer:
    return Answer(command=command, query=query, status=Status.INVALID, title="Invalid query", message=message)


_YEAR_RANGE_RE = re.compile(r"^(\d{1,4})\s*(?:-|–|—|to|\.\.)\s*(\d{1,4})$", re.IGNORECASE)


def parse_timeline_args(text: str) -> tuple[int | None, int | None]:
    """``""``, ``2020``, ``2012 2014``, ``2012-2014``, ``from 2012``, ``until 2014``; UsageError otherwise."""
    words = text.strip()
    if not words:
        return None, None
    match = _YEAR_RANGE_RE.match(words)
    if match:
        return int(match.group(1)), int(match.group(2))
    parts = words.lower().split()
    if len(parts) == 2 and parts[0] in {"from", "since"} and parts[1].isdigit():
        return int(parts[1]), None
    if len(parts) == 2 and parts[0] in {"until", "to", "before"} and parts[1].isdigit():
        return None, int(parts[1])
    if len(parts) == 1 and parts[0].isdigit():
        return int(parts[0]), int(parts[0])
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    raise UsageError("Use: timeline [FROM_YEAR [TO_YEAR]], e.g. 'timeline 2012 2014' or 'timeline 2023'.")


_PLURAL_LEVELS = {"states", "cities", "counties", "regions"}
_KIND_PHRASE_RE = re.compile(r"\bcall\s+for\s+recognition\b|\bself\s+determination\b", re.IGNORECASE)


def parse_list_args(text: str) -> tuple[str | None, str | None, str | None]:
    """``level=state country=united states kind=recognition`` or bare words; (level, country, kind).

    Bare words: leading level and kind words are taken as such, the rest is a country
    name (so ``list united states`` is a country, ``list states us`` is level and country).
    """
    text = _KIND_PHRASE_RE.sub(lambda m: "-".join(m.group(0).split()), text)
    values: dict[str, list[str]] = {}
    current: str | None = None
    bare: list[str] = []
    for token in text.split():
        key, sep, value = token.partition("=")
        if sep:
            key = key.lower()
            if key not in {"level", "country", "kind"}:
                raise UsageError(f"Unknown filter '{key}='. Use level=, country= or kind=.")
            if key in values:
                raise UsageError(f"'{key}=' is given twice.")
            values[key] = [value] if value else []
            current = key
        elif current is not None:
            values[current].append(token)
        else:
            bare.append(token)
    country_words: list[str] = []
    for word in bare:
        lowered = word.lower()
        level_like = parse_level(word) is not None and (lowered not in _PLURAL_LEVELS or not country_words)
        if level_like and "level" not in values and not country_words:
            values["level"] = [word]
        elif parse_kind(word) is not None and "kind" not in values and not country_words:
            values["kind"] = [word]
        else:
            country_words.append(word)
    if country_words:
        if "country" in values:
            raise UsageError("Give the country once, either as country=NAME or as bare words.")
        values["country"] = country_words
    level, country, kind = (" ".join(values.get(k, [])) or None for k in ("level", "country", "kind"))
    return level, country, kind


def run_command(engine: QueryEngine, command: str, text: str, *, today: dt.date) -> Answer:
    """Answer one ``COMMAND TEXT`` query; unknown commands and bad arguments give INVALID."""
    name = command.strip().lower().lstrip("/")
    if name == "jurisdiction":
        return engine.jurisdiction(text)
    if name == "resolution":
        return engine.resolution(text)
    if name == "date":
        return engine.date(text, today=today)
    if name == "onthisday":
        return engine.on_this_day(text or None, today=today)
    if name in {"stats", "about"}:
        return engine.stats() if name == "stats" else engine.about()
    if name in {"timeline", "list"}:
        cleaned, error = clean_query(text)
        if error:
            return _invalid(name, text[:200], error)
        try:
            if name == "timeline":
                return engine.timeline(*parse_timeline_args(cleaned))
            return engine.list_records(*parse_list_args(cleaned))
        except UsageError as exc:
            return _invalid(name, cleaned, str(exc))
    shown = command[:40]
    return _invalid(shown, text[:200], f"Unknown command '{shown}'. Use one of: {', '.join(COMMANDS)}.")


def _record_json(record: Record, engine: QueryEngine) -> dict[str, Any]:
    ds = engine.dataset
    try:
        jurisdiction = ds.jurisdiction(record.jurisdiction)
        place, level = jurisdiction.name, jurisdiction.level.value
        country = ds.country(jurisdiction.country).name
    except KeyError:
        place, level, country = record.jurisdiction, "", ""
    return {
        "id": record.id,
        "jurisdiction": place,
        "body": record.body,
        "level": level,
        "country": country,
        "date": record.date.iso(),
        "kind": [k.value for k in record.kinds],
        "title": record.title,
        "alternative_dates": [{"date": a.date.iso(), "note": a.note} for a in record.alternative_dates],
        "sources": [{"url": s.url, "title": s.title} for s in record.sources],
    }


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "date": event.date.iso(),
        "end_date": event.end.iso() if event.end else None,
        "title": event.title,
    }


def answer_json(answer: Answer, engine: QueryEngine) -> dict[str, Any]:
    """The answer as a JSON-ready dict."""
    return {
        "command": answer.command,
        "query": answer.query,
        "status": answer.status.value,
        "matched": answer.matched,
        "title": answer.title,
        "message": answer.message,
        "records": [_record_json(r, engine) for r in answer.records],
        "events": [_event_json(e) for e in answer.events],
        "candidates": [{"label": c.label, "value": c.value} for c in answer.candidates],
        "nearest": [_record_json(r, engine) for r in answer.nearest],
        "fields": [{"name": f.name, "value": f.value} for f in answer.fields],
        "lines": list(answer.lines),
    }


def _parse_options(argv: Sequence[str]) -> tuple[bool, str | None, list[str], bool]:
    """(json, tz, rest, help) from the leading options; UsageError on unknown options."""
    as_json = False
    tz: str | None = None
    args = list(argv)
    while args:
        arg = args[0]
        if arg == "--json":
            as_json = True
        elif arg in {"-h", "--help"}:
            return as_json, tz, args[1:], True
        elif arg == "--tz":
            if len(args) < 2:
                raise UsageError("--tz needs a time zone, e.g. --tz Asia/Yerevan.")
            tz = args[1]
            args.pop(0)
        elif arg.startswith("--tz="):
            tz = arg.removeprefix("--tz=")
        elif arg == "--":
            args.pop(0)
            break
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"Unknown option '{arg}'.")
        else:
            break
        args.pop(0)
    return as_json, tz, args, False


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        message = f"Unknown time zone '{name}'. Use an IANA name such as Asia/Yerevan or UTC."
        raise UsageError(message) from exc


def _emit(answer: Answer, engine: QueryEngine, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(answer_json(answer, engine), ensure_ascii=False) + "\n")
    else:
        out.write(render_answer(answer))


def ask_command(argv: list[str], *, config: HasData, clock: Clock, stdin: TextIO, stdout: TextIO) -> int:
    """Run ``ask`` with ``argv`` (the words after ``ask``); return the exit status."""
    try:
        as_json, tz_name, rest, wants_help = _parse_options(argv)
        if wants_help:
            stdout.write(HELP)
            return EXIT_FOUND
        zone = _zone(tz_name)
        if not rest:
            raise UsageError("Give a command, e.g. 'ask jurisdiction california'; see --help.")
        command, words = rest[0], rest[1:]
        if command != "-" and command.lower() not in COMMANDS:
            raise UsageError(f"Unknown command '{command[:40]}'. Use one of: {', '.join(COMMANDS)}.")
        if command == "-" and words:
            raise UsageError("With '-', give the queries on stdin, one 'COMMAND TEXT' per line.")
    except UsageError as exc:
        stdout.write(f"error: {exc}\n")
        return EXIT_INVALID
    engine = load_engine(config, stdout)
    if engine is None:
        return EXIT_INVALID
    today = today_in(clock, zone)
    if command != "-":
        answer = run_command(engine, command, " ".join(words), today=today)
        _emit(answer, engine, as_json, stdout)
        return exit_code(answer)
    first = True
    for raw in stdin:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, text = line.partition(" ")
        answer = run_command(engine, name, text.strip(), today=today)
        if not as_json and not first:
            stdout.write("\n")
        first = False
        _emit(answer, engine, as_json, stdout)
    return EXIT_FOUND
