"""Discord's ``option: value`` form, as people copy it from Discord or the README into the CLI.

``/jurisdiction name: calfornia``, ``/date when: 2014``, ``/list level: state country: us`` and
``/onthisday date: 25 november timezone: yerevan`` name their options as Discord shows them.
A text that does not start with one of the command's option names is plain words, as before.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn


class _Regions:
    """The map's region keys for ``--region``, read when the option is checked or help is shown.

    Not when the parser is made: every command line builds it, and the regions' module loads
    the data model and Babel.
    """

    def __iter__(self) -> Iterator[str]:
        from bot.core.figures import REGIONS  # noqa: PLC0415

        return iter(REGIONS)

    def __contains__(self, key: object) -> bool:
        return key in set(self)



class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit 2), not the usage block too."""

    def error(self, message: str) -> NoReturn:
        """``python -m bot ask: error: … (see --help)`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message.rstrip('.')} (see --help)\n")

#: ``ask --help`` (here, so that it is shown without loading the engine).
HELP = """\
usage: python -m bot ask [--json] [--tz ZONE] [--language LANG] COMMAND [TEXT...]
       python -m bot ask [--json] [--tz ZONE] [--language LANG] -   (one "COMMAND TEXT" per stdin line)

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

TEXT may also name the options as Discord shows them: jurisdiction name: calfornia,
date when: 2014, list level: state country: us, onthisday date: 25 november timezone: paris.

options:
  --json       print one JSON object per answer (keys: command, query, status, matched,
               title, message, records, events, candidates, nearest, fields, lines)
  --tz ZONE    time zone for "today" (default UTC): an IANA name, a city or an offset,
               read as the bot reads it (Asia/Yerevan, yerevan, US/Pacific, UTC+4)
  --language LANG  answer in en (default), hy (Eastern Armenian), ru, fr or es, as a
               server set to that language sees the answers (errors about the command
               line itself stay in English)
  --config PATH  the configuration file (also accepted before "ask")
  -h, --help   show this help

levels: supranational, national, state, region, county, city
kinds:  recognition, call-for-recognition, self-determination, condemnation, statement

exit status: 0 found, 1 not found or ambiguous, 2 invalid query or usage error.
With "-", every stdin line gets its own answer (each carries its own status) and the
exit status is the worst of them: 2 if any line was invalid, else 1 if any found nothing.
"""

#: Each command's options, as its slash command names them.
OPTIONS: dict[str, tuple[str, ...]] = {
    "jurisdiction": ("name",),
    "resolution": ("query",),
    "date": ("when",),
    "onthisday": ("date", "timezone"),
    "timeline": ("from_year", "to_year"),
    "list": ("level", "country", "kind"),
    "stats": (),
    "about": (),
}



def ask_usage_problem(command: str | None, words: list[str]) -> str | None:
    """What is wrong with ``ask COMMAND WORDS...`` as a command line (checked before any data is read)."""
    if command is None:
        return "Give a command, e.g. 'ask jurisdiction california'; see --help."
    if command != "-" and command.lower() not in OPTIONS:
        return f"Unknown command '{command[:40]}'. Use one of: {', '.join(OPTIONS)}."
    if command == "-" and words:
        return "With '-', give the queries on stdin, one 'COMMAND TEXT' per line."
    return None


_NAME = re.compile(r"(?:(?<=\s)|^)([A-Za-z_]+):(?=\s|$)")


class OptionError(ValueError):
    """An option given twice; the message is for the user."""


def split_options(command: str, text: str) -> dict[str, str] | None:
    """``{option: value}`` when ``text`` starts with one of ``command``'s options; None otherwise.

    Only the command's own option names split the text, so a colon inside a value stays in it.
    """
    names = OPTIONS.get(command, ())
    text = text.strip()
    marks = [m for m in _NAME.finditer(text) if m[1].lower() in names]
    if not marks or marks[0].start() != 0:
        return None
    found: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        name = mark[1].lower()
        if name in found:
            raise OptionError(f"'{name}:' is given twice.")
        end = following.start() if following is not None else len(text)
        found[name] = text[mark.end() : end].strip()
    return found


def _tz(text: str) -> Any:  # noqa: ANN401 - a ZoneInfo, from the ask module when used
    """``ask --tz``: read as every adapter reads a time zone (the ask module, imported when used)."""
    from bot.cli.ask import tz_option  # noqa: PLC0415 - it loads the engine

    return tz_option(text)


def language_option(text: str) -> str:
    """``--language``: one of the bot's languages (en, hy, ru, fr, es; ``ru-RU`` reads as ``ru``)."""
    from bot.core.i18n import LANGUAGES, normalise  # noqa: PLC0415 - Babel, only when the option is given

    found = normalise(text)
    if found is None:
        raise argparse.ArgumentTypeError(
            f"--language must be one of {', '.join(LANGUAGES)}, not '{text[:20]}'."
        )
    return found


def add_language_argument(parser: argparse.ArgumentParser) -> None:
    """``--language``, for ``ask`` and the console: the answers' language, as a server set to it sees them."""
    parser.add_argument(
        "--language", type=language_option, default=None, metavar="LANG",
        help="answer in en (default), hy, ru, fr or es",
    )


def add_ask_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``ask``'s options and arguments on ``parser`` (the subcommand's, or a parser of its own).

    Kept apart from :mod:`bot.cli.ask`, which loads the engine, so ``--help`` does not.
    """
    parser.add_argument("-h", "--help", action="store_true", help="show the help")
    parser.add_argument("--json", action="store_true", help="one JSON object per answer")
    parser.add_argument(  # const "": a bare --tz says what it needs
        "--tz", type=_tz, nargs="?", const="", metavar="ZONE", help="time zone for 'today' (default UTC)"
    )
    add_language_argument(parser)
    # not "command": the name the main parser gives its subcommand
    parser.add_argument("query_command", nargs="?", metavar="COMMAND", help="a command, or - for stdin")
    parser.add_argument("words", nargs=argparse.REMAINDER, metavar="TEXT", help="the query")


WHAT = ("map", "stats", "timeline")  # the pictures ``render`` draws


def render_parser(parser: argparse.ArgumentParser) -> None:
    """The ``render`` subcommand's options (here, not in bot.cli.render: that one loads matplotlib)."""
    parser.add_argument("what", choices=WHAT, help="which picture")
    parser.add_argument("--kind", help="map: only acts of this kind (recognition, call-for-recognition, ...)")
    parser.add_argument("--from-year", type=int, metavar="YEAR", help="map, timeline: the first year")
    parser.add_argument("--to-year", type=int, metavar="YEAR", help="map, timeline: the last year")
    parser.add_argument("--region", choices=_Regions(), metavar="REGION",
                        help="map: zoom to a region, one of %(choices)s (default: world)")
    parser.add_argument("--out", type=Path, metavar="FILE.png", help="where to write (default: WHAT.png)")
