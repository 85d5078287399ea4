"""``python -m bot ask``: answer one query (or one per stdin line) from the bundled dataset."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO
from zoneinfo import ZoneInfo

from bot.cli.options import HELP, OPTIONS, OptionError, add_ask_arguments, ask_usage_problem, split_options
from bot.cli.text import render_answer
from bot.core.answers import Answer, Status
from bot.core.clock import Clock, today_in
from bot.core.engine import QueryEngine, clean_query, parse_kind, parse_level
from bot.core.i18n import using
from bot.core.model import Event, Record
from bot.core.timezones import EXAMPLE_HINT, TimeZoneError, resolve_timezone

log = logging.getLogger(__name__)

COMMANDS = tuple(OPTIONS)  # jurisdiction, resolution, date, onthisday, timeline, list, stats, about

EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID = 2



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


def load_engine(config: HasData, out: TextIO, snapshots: Path | None = None) -> QueryEngine | None:
    """Load the dataset at ``config.data.path``; print its problems and return None if any.

    With ``snapshots`` (the bot's folder of validated datasets, :mod:`bot.core.snapshot`), files
    read and checked before are not parsed again. The text index is built only if a question
    searches record texts.
    """
    path = config.data.path
    if snapshots is not None:
        from bot.core.snapshot import SnapshotCache  # noqa: PLC0415 - only ask reads snapshots

        result = SnapshotCache(snapshots).load_dataset(path)
    else:
        from bot.core.loader import load_dataset  # noqa: PLC0415 - PyYAML, only to read the files

        result = load_dataset(path)
    if result.dataset is None or result.problems:
        problems = result.problems
        for problem in problems:
            out.write(f"{problem}\n")
        out.write(f"The dataset in {path} has {len(problems)} problem(s); nothing was answered.\n")
        return None
    return QueryEngine(result.dataset, eager=False)


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


def _year(options: dict[str, str], name: str) -> int | None:
    text = options.get(name, "")
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise UsageError(f"{name} must be a year like 1988, not '{text[:20]}'.")
    return int(text)


def _zone_or_invalid(text: str) -> ZoneInfo:
    """The zone ``text`` names, read as every adapter reads one; UsageError otherwise."""
    try:
        return resolve_timezone(text)
    except TimeZoneError as exc:
        if exc.unknown:
            raise UsageError(f"Unknown time zone '{' '.join(text.split())[:40]}'. {EXAMPLE_HINT}") from None
        raise UsageError(str(exc)) from None


def _with_options(
    engine: QueryEngine, name: str, options: dict[str, str], clock: Clock, zone: ZoneInfo | None
) -> Answer:
    """Answer ``name`` from its Discord-style options."""
    value = options.get
    if name == "jurisdiction":
        return engine.jurisdiction(value("name", ""))
    if name == "resolution":
        return engine.resolution(value("query", ""))
    if name == "date":
        return engine.date(value("when", ""), today=today_in(clock, zone))
    if name == "onthisday":
        if value("timezone"):
            zone = _zone_or_invalid(options["timezone"])
        return engine.on_this_day(value("date") or None, today=today_in(clock, zone))
    if name == "timeline":
        return engine.timeline(_year(options, "from_year"), _year(options, "to_year"))
    return engine.list_records(value("level") or None, value("country") or None, value("kind") or None)


def run_command(
    engine: QueryEngine, command: str, text: str, *, clock: Clock, zone: ZoneInfo | None = None
) -> Answer:
    """Answer one ``COMMAND TEXT`` query ("today" is in ``zone``, UTC by default).

    TEXT is plain words or Discord's ``option: value`` form; unknown commands and bad
    arguments give INVALID.
    """
    name = command.strip().lower().lstrip("/")
    if name not in COMMANDS:
        shown = command[:40]
        return _invalid(shown, text[:200], f"Unknown command '{shown}'. Use one of: {', '.join(COMMANDS)}.")
    try:
        options = split_options(name, text)
        if options is not None:
            return _with_options(engine, name, options, clock, zone)
    except (OptionError, UsageError) as exc:
        return _invalid(name, text[:200], str(exc))
    if name == "jurisdiction":
        return engine.jurisdiction(text)
    if name == "resolution":
        return engine.resolution(text)
    if name == "date":
        return engine.date(text, today=today_in(clock, zone))
    if name == "onthisday":
        return engine.on_this_day(text or None, today=today_in(clock, zone))
    if name in {"stats", "about"}:
        return engine.stats() if name == "stats" else engine.about()
    cleaned, error = clean_query(text)
    if error:
        return _invalid(name, text[:200], error)
    try:
        if name == "timeline":
            return engine.timeline(*parse_timeline_args(cleaned))
        return engine.list_records(*parse_list_args(cleaned))
    except UsageError as exc:
        return _invalid(name, cleaned, str(exc))


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
        "non_acts": [
            {
                "id": n.id,
                "title": n.title,
                "date": n.date.iso() if n.date else None,
                "explanation": n.explanation,
                "sources": [{"url": s.url, "title": s.title} for s in n.sources],
            }
            for n in answer.non_acts
        ],
    }


def tz_option(text: str) -> ZoneInfo:
    """``--tz``: read as every adapter reads a time zone."""
    if not text.strip():
        raise argparse.ArgumentTypeError("--tz needs a time zone, e.g. --tz Asia/Yerevan.")
    try:
        return _zone_or_invalid(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_ask_args(argv: Sequence[str]) -> argparse.Namespace:
    """``ask``'s arguments from ``argv`` (the words after ``ask``); UsageError says what is wrong."""
    parser = argparse.ArgumentParser(prog="python -m bot ask", add_help=False, exit_on_error=False)
    add_ask_arguments(parser)
    try:
        args, extras = parser.parse_known_args(list(argv))
    except argparse.ArgumentError as err:
        own = isinstance(err.__context__, argparse.ArgumentTypeError)  # our message, complete as is
        raise UsageError(err.message if own else str(err)) from None
    if extras:
        raise UsageError(f"Unknown option '{extras[0]}'.")
    return args


def _emit(answer: Answer, engine: QueryEngine, as_json: bool, out: TextIO) -> None:
    if as_json:
        import json  # noqa: PLC0415 - only for --json

        out.write(json.dumps(answer_json(answer, engine), ensure_ascii=False) + "\n")
    else:
        out.write(render_answer(answer))


def ask_command(
    argv: list[str], *, config: HasData, clock: Clock, stdin: TextIO, stdout: TextIO,
    snapshots: Path | None = None,
) -> int:
    """Run ``ask`` with ``argv`` (the words after ``ask``); return the exit status."""
    try:
        args = parse_ask_args(argv)
    except UsageError as exc:
        stdout.write(f"error: {exc}\n")
        return EXIT_INVALID
    return run_ask(args, config=config, clock=clock, stdin=stdin, stdout=stdout, snapshots=snapshots)


def run_ask(
    args: argparse.Namespace, *, config: HasData, clock: Clock, stdin: TextIO, stdout: TextIO,
    snapshots: Path | None = None,
) -> int:
    """Answer the query ``args`` hold (see ``add_ask_arguments``) in its ``--language``; the exit status.

    ``snapshots``: the folder of validated datasets to read the data from (see :func:`load_engine`).
    """
    with using(getattr(args, "language", None)):
        return _run_ask(args, config=config, clock=clock, stdin=stdin, stdout=stdout, snapshots=snapshots)


def _run_ask(
    args: argparse.Namespace, *, config: HasData, clock: Clock, stdin: TextIO, stdout: TextIO,
    snapshots: Path | None = None,
) -> int:
    if args.help:  # (`python -m bot ask --help` is answered before this module is loaded)
        stdout.write(HELP)
        return EXIT_FOUND
    command: str | None = args.query_command
    words: list[str] = list(args.words)
    problem = ask_usage_problem(command, words)  # (`python -m bot ask` checks it before loading this module)
    if problem is not None or command is None:
        stdout.write(f"error: {problem}\n")
        return EXIT_INVALID
    engine = load_engine(config, stdout, snapshots)
    if engine is None:
        return EXIT_INVALID
    zone: ZoneInfo | None = args.tz
    if command != "-":
        answer = run_command(engine, command, " ".join(words), clock=clock, zone=zone)
        _emit(answer, engine, args.json, stdout)
        return exit_code(answer)
    first = True
    worst = EXIT_FOUND
    for raw in stdin:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, text = line.partition(" ")
        answer = run_command(engine, name, text.strip(), clock=clock, zone=zone)
        if not args.json and not first:
            stdout.write("\n")
        first = False
        _emit(answer, engine, args.json, stdout)
        worst = max(worst, exit_code(answer))
    return worst
