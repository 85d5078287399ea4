"""``python -m bot console``: an interactive prompt answering the slash commands locally."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.cli.ask import COMMANDS, EXIT_FOUND, EXIT_INVALID, HasData, exit_code, load_engine, run_command
from bot.cli.text import render_answer, render_card, render_page
from bot.core.answers import Answer
from bot.core.cards import card_for
from bot.core.clock import Clock
from bot.core.engine import QueryEngine
from bot.core.i18n import using
from bot.core.pages import page_count

log = logging.getLogger(__name__)

PROMPT = "artsakh> "

#: command -> (arguments, example, what it does)
COMMAND_HELP: dict[str, tuple[str, str, str]] = {
    "jurisdiction": ("NAME", "/jurisdiction calif", "records of a place, country or parliament"),
    "resolution": ("WORDS", "/resolution 305 to 1", "search records by words, reference or sponsor"),
    "date": ("DATE", "/date nov 2020", "records and events on a day, month, year or range"),
    "onthisday": ("[DAY]", "/onthisday 25 November", "anniversaries on a day (default: today, UTC)"),
    "timeline": ("[FROM [TO]]", "/timeline 2020 2023", "timeline events, optionally between two years"),
    "list": ("[FILTERS]", "/list state country=us", "records by level=, country=, kind= (or bare words)"),
    "stats": ("", "/stats", "counts by level, kind, country and year"),
    "about": ("", "/about", "dataset version, methodology and sources"),
    "picture": (
        "WHAT [OPTIONS]",
        "/picture map kind=recognition region=europe out=map.png",
        "save a picture: map (kind=, from=, to=, region=), stats or timeline (from=, to=)",
    ),
    "next": ("", "/next", "the next page of the last list (/prev: the one before)"),
    "prev": ("", "/prev", "the page before"),
    "card": ("N", "/card 3", "the details of entry N of the last list: its card with every source"),
    "help": ("", "/help", "this list"),
    "quit": ("", "/quit", "leave (Ctrl-D works too)"),
}
ALIASES = {"exit": "quit", "q": "quit", "?": "help", "h": "help"}
NAMES = tuple(COMMAND_HELP)


def help_text() -> str:
    """Every command with its arguments, what it does and an example."""
    rows = [
        (f"/{name} {args}".rstrip(), what, example) for name, (args, example, what) in COMMAND_HELP.items()
    ]
    width = max(len(r[0]) for r in rows)
    lines = ["Commands (the leading / is optional):"]
    lines += [f"  {usage.ljust(width)}  {what}. e.g. {example}" for usage, what, example in rows]
    lines.append("Options may also be named as on Discord: /jurisdiction name: calif, /date when: 2014.")
    lines.append("Levels: supranational, national, state, region, county, city.")
    lines.append("Kinds: recognition, call-for-recognition, self-determination, condemnation, statement.")
    lines.append("Regions (maps): world, europe, north-america, south-america, oceania.")
    return "\n".join(lines) + "\n"


def resolve_command(word: str) -> str | None:
    """The command a typed word means: its name, an alias or a unique prefix; None otherwise."""
    word = word.lower().lstrip("/")
    if not word:
        return None
    if word in COMMAND_HELP:
        return word
    if word in ALIASES:
        return ALIASES[word]
    matches = [name for name in NAMES if name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def _banner(engine: QueryEngine) -> str:
    ds = engine.dataset
    return (
        f"Artsakh recognition console, dataset version {ds.info.version}: "
        f"{len(ds.records)} records, {len(ds.events)} timeline events.\n"
        "Type /help for the commands, /quit or Ctrl-D to leave.\n"
    )


def complete_command(text: str, state: int) -> str | None:
    """Readline completer for command names (with or without the leading slash)."""
    words = [f"/{name}" for name in NAMES] + list(NAMES)
    options = [w + " " for w in words if w.startswith(text)]
    return options[state] if state < len(options) else None


def _setup_readline() -> None:
    """Tab completion of command names and line history, when readline is available."""
    try:
        import readline  # noqa: PLC0415 - only for interactive terminals
    except ImportError:  # pragma: no cover - e.g. Windows without pyreadline
        return
    readline.set_completer(complete_command)
    readline.set_completer_delims(" \t\n")
    readline.parse_and_bind("tab: complete")


def _reader(stdin: TextIO) -> Callable[[], str | None]:
    """A function returning the next line (None at end of input)."""
    if stdin is sys.stdin and stdin.isatty():
        _setup_readline()

        def read_tty() -> str | None:
            try:
                return input(PROMPT)
            except EOFError:
                return None

        return read_tty

    def read_pipe() -> str | None:
        line = stdin.readline()
        return line if line else None

    return read_pipe


def save_picture(engine: QueryEngine, text: str, stdout: TextIO, data_folder: Path | None) -> int:
    """``/picture map region=europe out=FILE.png``: draw a picture and say where it went."""
    from bot.cli.render import RenderError, parse_words, write_picture  # noqa: PLC0415 - loads matplotlib

    try:
        out = write_picture(engine, parse_words(text), data_folder)
    except RenderError as err:
        stdout.write(f"{err}\n")
        return EXIT_INVALID
    stdout.write(f"Saved {out}.\n")
    return EXIT_FOUND


@dataclass
class Shown:
    """The console's last list answer and the page on show, for /next, /prev and /card."""

    answer: Answer | None = None
    index: int = 0


def _turn(shown: Shown, command: str, rest: str, engine: QueryEngine, stdout: TextIO) -> int:
    """/next, /prev and /card N over the last list answer."""
    answer = shown.answer
    if answer is None or not answer.entries:
        stdout.write("No list to page: ask something first, like /list or /date 2020.\n")
        return EXIT_INVALID
    if command == "card":
        number = int(rest) if rest.strip().isdigit() else 0
        if not 1 <= number <= len(answer.entries):
            stdout.write(f"Give an entry's number, 1 to {len(answer.entries)}: /card 1.\n")
            return EXIT_INVALID
        card = card_for(answer.entries[number - 1].key, engine.dataset)
        stdout.write(render_card(card) if card is not None else "That entry is no longer in the data.\n")
        return EXIT_FOUND
    step = 1 if command == "next" else -1
    last = page_count(answer) - 1
    if not 0 <= shown.index + step <= last:
        stdout.write("That was the last page.\n" if step > 0 else "That was the first page.\n")
        return EXIT_INVALID
    shown.index += step
    stdout.write(render_page(answer, shown.index))
    return EXIT_FOUND


def write_answer(answer: Answer, engine: QueryEngine, stdout: TextIO, shown: Shown | None) -> None:
    """The answer as the console shows it: one record as its card, a list a page at a time."""
    if shown is not None and len(answer.entries) > 1:
        shown.answer, shown.index = answer, 0
        stdout.write(render_page(answer, 0))
        return
    entry = answer.entries[0] if answer.single and answer.ok else None
    card = card_for(entry.key, engine.dataset, entry.marks) if entry is not None else None
    if shown is not None and card is not None:
        lead = answer.message if not answer.message.startswith("1 ") else ""
        stdout.write((f"{lead}\n\n" if lead else "") + render_card(card))
        return
    stdout.write(render_answer(answer))


def answer_line(
    line: str,
    engine: QueryEngine,
    clock: Clock,
    stdout: TextIO,
    data_folder: Path | None = None,
    *,
    shown: Shown | None = None,
) -> int | None:
    """Answer one console line; its exit status (0 found, 1 not found, 2 invalid), None for /quit.

    With ``shown`` (the interactive console) lists come a page at a time and /next, /prev and
    /card page them; without it (one line given on the command line) answers come whole.
    """
    text = line.strip()
    if not text:
        return EXIT_FOUND
    word, _, rest = text.partition(" ")
    command = resolve_command(word)
    if command is None:
        stdout.write(f"Unknown command '{word.lstrip('/')[:40]}'. Type /help for the list.\n")
        return EXIT_INVALID
    if command == "quit":
        return None
    if command == "help":
        stdout.write(help_text())
        return EXIT_FOUND
    if command == "picture":
        return save_picture(engine, rest, stdout, data_folder)
    if command in ("next", "prev", "card"):
        return _turn(shown or Shown(), command, rest, engine, stdout)
    assert command in COMMANDS
    answer = run_command(engine, command, rest.strip(), clock=clock)
    write_answer(answer, engine, stdout, shown)
    stdout.write("\n")
    return exit_code(answer)


def handle_line(
    line: str,
    engine: QueryEngine,
    clock: Clock,
    stdout: TextIO,
    data_folder: Path | None = None,
    *,
    shown: Shown | None = None,
) -> bool:
    """Answer one console line; False when the user asked to quit."""
    return answer_line(line, engine, clock, stdout, data_folder, shown=shown) is not None


def console_command(
    *,
    config: HasData,
    clock: Clock,
    stdin: TextIO,
    stdout: TextIO,
    line: str | None = None,
    language: str | None = None,
) -> int:
    """Run the interactive console until /quit, end of input or a second Ctrl-C in a row.

    With ``line``, answer that one line and exit with its status (0 found, 1 not found or
    ambiguous, 2 invalid or an unknown command), as ``ask`` does. The answers are in
    ``language`` (English when None); the console's own words stay English.
    """
    with using(language):
        return _console(config=config, clock=clock, stdin=stdin, stdout=stdout, line=line)


def _console(*, config: HasData, clock: Clock, stdin: TextIO, stdout: TextIO, line: str | None) -> int:
    engine = load_engine(config, stdout)
    if engine is None:
        return EXIT_INVALID
    if line is not None:
        status = answer_line(line, engine, clock, stdout, config.data.path)
        return EXIT_FOUND if status is None else status
    stdout.write(_banner(engine))
    read = _reader(stdin)
    shown = Shown()
    interrupted = False
    while True:
        try:
            line = read()
        except KeyboardInterrupt:
            if interrupted:
                stdout.write("\nBye.\n")
                return 0
            interrupted = True
            stdout.write("\n(Press Ctrl-C again, type /quit or press Ctrl-D to leave.)\n")
            continue
        interrupted = False
        if line is None:
            stdout.write("\nBye.\n")
            return 0
        try:
            keep_going = handle_line(line, engine, clock, stdout, config.data.path, shown=shown)
        except KeyboardInterrupt:
            stdout.write("\n(Interrupted.)\n")
            continue
        if not keep_going:
            stdout.write("Bye.\n")
            return 0
