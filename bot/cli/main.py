"""``python -m bot``: run the bot, check the data, ask offline, or open the console.

Exit codes: 0 fine, 1 the data has problems (check-data), the bot is not healthy (health) or
nothing was found (``ask``, a one-line ``console``), 2 a usage or configuration error (one line on
stderr) or an invalid query.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.options import HELP as ASK_HELP
from bot.cli.options import (
    OneLineParser,
    add_ask_arguments,
    add_language_argument,
    ask_usage_problem,
    render_parser,
)
from bot.storage.heartbeat import MAX_AGE_SECONDS, check_health, heartbeat_path

if TYPE_CHECKING:
    from bot.config import Config
    from bot.core.clock import Clock

# Each command imports what it needs when it runs (the engine for ask and the console, the
# loader for check-data, discord.py for run and sync): --help, --version, a usage error or
# health pay for none of it; the configuration's reader comes in once the arguments are read.

log = logging.getLogger(__name__)

USAGE_ERROR = 2


PACKAGE = "artsakh-recognition-bot"


def version_line() -> str:
    """The installed version, with discord.py's and Python's: ``0.1.0 (discord.py 2.7.1, Python 3.11.7)``."""
    import importlib.metadata  # noqa: PLC0415 - only for --version

    found = {}
    for dist in (PACKAGE, "discord.py"):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "not installed"
    python = ".".join(str(n) for n in sys.version_info[:3])
    return f"{found[PACKAGE]} (discord.py {found['discord.py']}, Python {python})"


def program_name(argv0: str | None = None) -> str:
    """How the program was called, for usage lines: ``python3 -m bot``, or the script's name."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name in ("__main__.py", "-m", "-c", ""):
        interpreter = getattr(sys, "orig_argv", [""])[0] or "python"
        return f"{Path(interpreter).name} -m bot"
    return Path(argv0).name


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    config_help = "TOML config file (default: $BOT_CONFIG, else built-in defaults)"
    parser = OneLineParser(
        prog=prog or program_name(),
        description="Discord bot about the recognition of the Republic of Artsakh (Nagorno-Karabakh).",
        epilog="With no command: run the bot when DISCORD_TOKEN is set, otherwise open the offline console.",
    )
    parser.add_argument("--config", metavar="PATH", type=Path, help=config_help)
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    # --config after the subcommand too (`python -m bot run --config FILE`); SUPPRESS keeps the one
    # given before it when it is not repeated.
    common = OneLineParser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS, help=config_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run", parents=[common], help="connect to Discord and serve commands (needs DISCORD_TOKEN)"
    )
    check = sub.add_parser(
        "check-data", parents=[common],
        help="validate the dataset and print every problem as file:line: message",
    )
    check.add_argument(
        "path", nargs="?", type=Path, metavar="PATH",
        help="a data folder, or one resolutions/events YAML file (default: the configured data path)",
    )
    ask = sub.add_parser(
        "ask", add_help=False, parents=[common],
        help="answer one question offline, as the bot would (try: ask --help)",
    )
    add_ask_arguments(ask)
    console = sub.add_parser(
        "console", parents=[common],
        help="an interactive offline console for trying commands; with a LINE, answer it and exit",
    )
    add_language_argument(console)
    console.add_argument(
        "line", nargs=argparse.REMAINDER, metavar="LINE",
        help="one console line, e.g. /jurisdiction name: calfornia (exit 0 found, 1 not found, 2 invalid)",
    )
    sub.add_parser(
        "sync", parents=[common],
        help="register the slash commands with Discord and exit (needs DISCORD_TOKEN)",
    )
    render = sub.add_parser(
        "render", parents=[common], help="write the map, the chart by year or the timeline as a PNG file"
    )
    render_parser(render)
    health = sub.add_parser(
        "health", parents=[common],
        help="exit 0 if the running bot is connected to Discord (its heartbeat is fresh), else 1",
    )
    health.add_argument(
        "--max-age", type=float, default=MAX_AGE_SECONDS, metavar="SECONDS",
        help=f"how old the heartbeat may be (default: {MAX_AGE_SECONDS:.0f})",
    )
    return parser


def _setup_logging(config: Config, stream: TextIO) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in list(root.handlers):
        if getattr(old, "_bot_cli", False):
            root.removeHandler(old)
    handler._bot_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(config.logging.level)


def _lazy(module: str, name: str) -> Callable[..., int] | None:
    """Import ``module.name`` only when needed; None when that module is not available."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name and (module == err.name or module.startswith(err.name + ".")):
            return None
        raise
    func: Callable[..., int] = getattr(mod, name)
    return func


class _VersionAction(argparse.Action):
    """``--version``: the installed versions, looked up only when asked for."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
        values: object, option_string: str | None = None,
    ) -> None:
        sys.stdout.write(f"{PACKAGE} {version_line()}\n")  # as argparse's own version action
        parser.exit()


def check_data(path: Path, stdout: TextIO, stderr: TextIO) -> int:
    """Validate a data folder or a single data file.

    Prints every problem as ``file:line: message`` (exit 1), or a one-line summary (exit 0).
    """
    from bot.core.datafiles import EVENTS_FILE, RESOLUTIONS_FILE, data_files  # noqa: PLC0415
    from bot.core.loader import check_file, load_dataset, summarize  # noqa: PLC0415 - only check-data reads YAML

    if path.is_dir():
        result = load_dataset(path)
        problems = result.problems
        summary = summarize(result.dataset, data_files(path)) if result.dataset is not None else None
    elif path.exists():
        check = check_file(path)
        problems = check.problems
        summary = check.summary
    else:
        stderr.write(
            f"error: {path}: no such file or folder (give a data folder holding {RESOLUTIONS_FILE} "
            f"and {EVENTS_FILE}, or one of those files)\n"
        )
        return USAGE_ERROR
    for problem in problems:
        stdout.write(f"{problem}\n")
    if problems or summary is None:
        stderr.write(f"{len(problems)} problem(s) found in {path}\n")
        return 1
    stdout.write(summary.line() + "\n")
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    prog: str | None = None,
) -> int:
    """The command-line entry point; returns the exit code. ``prog`` names the program in usage lines."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr

    parser = _parser(prog)
    try:
        args = parser.parse_args(args_in)
    except SystemExit as exit_:  # argparse printed usage or help
        return int(exit_.code) if isinstance(exit_.code, int) else USAGE_ERROR
    if args.command == "ask":  # help and a wrong command line without the configuration or the engine
        if args.help:
            stdout.write(ASK_HELP)
            return 0
        problem = ask_usage_problem(args.query_command, args.words)
        if problem is not None:
            stdout.write(f"error: {problem}\n")
            return USAGE_ERROR

    from bot.config import ConfigError, load_config  # noqa: PLC0415 - not for --help or a usage error
    from bot.core.clock import TEST_CLOCK_START, StartedClock, clock_from_environment  # noqa: PLC0415

    try:
        config = load_config(args.config, env)
    except ConfigError as err:
        stderr.write(f"error: {err}\n")
        return USAGE_ERROR
    try:
        clock = clock or clock_from_environment(env)
    except ValueError as err:
        stderr.write(f"error: {err}\n")
        return USAGE_ERROR
    _setup_logging(config, stderr)
    if isinstance(clock, StartedClock):
        started = clock.start.isoformat()
        log.warning("%s is set: the clock starts at %s (for tests only)", TEST_CLOCK_START, started)
    if config.data.image_path is not None:  # an installed bot has no data/ beside its code
        from bot.core.geo import use_geo_folders  # noqa: PLC0415

        use_geo_folders(Path(config.data.image_path) / "geo")

    command: str | None = args.command
    if command is None:
        command = "run" if config.token else "console"
        log.debug("no command given: %s", command)

    if command == "check-data":
        return check_data(args.path or config.data.path, stdout, stderr)

    if command == "health":
        health = check_health(heartbeat_path(config.storage.state_dir), clock.now(), args.max_age)
        (stdout if health.ok else stderr).write(health.line + "\n")
        return 0 if health.ok else 1

    if command in ("run", "sync"):
        if not config.token:
            stderr.write(
                "error: DISCORD_TOKEN is not set (put it in the environment or a .env file); "
                "try `python -m bot console` to use the bot offline\n"
            )
            return USAGE_ERROR
        func = _lazy("bot.discordbot.runner", "run_bot" if command == "run" else "sync_commands")
        return _call(func, command, stderr, lambda f: f(config, clock))

    if command == "render":
        func = _lazy("bot.cli.render", "render_command")
        return _call(func, command, stderr, lambda f: f(args, config=config, stdout=stdout, stderr=stderr))

    if command == "ask":
        func = _lazy("bot.cli.ask", "run_ask")
        return _call(
            func, command, stderr,
            lambda f: f(args, config=config, clock=clock, stdin=stdin, stdout=stdout,
                        snapshots=config.storage.snapshot_dir),
        )

    line = " ".join(getattr(args, "line", None) or []) or None
    func = _lazy("bot.cli.console", "console_command")
    return _call(
        func, command, stderr,
        lambda f: f(
            config=config, clock=clock, stdin=stdin, stdout=stdout, line=line,
            language=getattr(args, "language", None),
        ),
    )


def _call(
    func: Callable[..., int] | None, command: str, stderr: TextIO, invoke: Callable[[Callable[..., int]], int]
) -> int:
    if func is None:
        stderr.write(f"error: the '{command}' command is not available in this installation\n")
        return USAGE_ERROR
    try:
        return int(invoke(func))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as the Python docs advise for
        # SIGPIPE, so the interpreter's final flush does not print a second traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a real file (tests pass a StringIO)
            pass
        finally:
            os.close(devnull)
        return 1
