"""Start-up of the command line: each command imports what it uses, and `ask` answers alike however it starts.

`ask` reads the data from the bot's snapshot when the files were checked before (without the YAML
loader), and its engine makes each kind of question's part on first use; these tests show the
answers are the same as from the files and from an engine built whole. The speed itself is
measured in bench/bench_cli.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.dates import format_date

from bot.cli.ask import answer_json, ask_command, run_command
from bot.cli.text import render_answer
from bot.config import Config, DataConfig
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.i18n import long_date, using
from bot.core.loader import load_dataset
from bot.core.snapshot import encode

ROOT = Path(__file__).resolve().parents[1]
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

# One question of every kind, and some that find nothing or are invalid.
QUESTIONS = """\
jurisdiction calfornia
jurisdiction france
jurisdiction LA
jurisdiction zanzibar
jurisdiction texas
resolution 305 to 1
resolution senate recognition
resolution fr-senate-2020-11-25
date nov 2020
date 2012-2014
date 31 february
onthisday 25 November
onthisday
timeline 2012 2014
timeline
list level=state country=us
list city recognition
stats
about
"""


def ask(data: Path, snapshots: Path | None, *argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = ask_command(
        list(argv), config=Config(data=DataConfig(path=data)), clock=ManualClock(NOON),
        stdin=io.StringIO(stdin), stdout=out, snapshots=snapshots,
    )
    return code, out.getvalue()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def test_ask_answers_alike_from_the_files_and_from_their_snapshot(data: Path, tmp_path: Path) -> None:
    snapshots = tmp_path / "state" / "snapshots"
    for form in ((), ("--json",)):
        from_files = ask(data, None, *form, "-", stdin=QUESTIONS)
        assert from_files[1].count("California") >= 2  # a found answer, with its records
        first = ask(data, snapshots, *form, "-", stdin=QUESTIONS)  # reads the files, keeps a snapshot
        assert first == from_files
        assert len(list(snapshots.iterdir())) == 1
        assert ask(data, snapshots, *form, "-", stdin=QUESTIONS) == from_files  # from the snapshot
    # The last answers came from the snapshot: a dataset put under its key is what `ask` reads.
    dataset = load_dataset(data).dataset
    assert dataset is not None
    (saved,) = snapshots.iterdir()
    saved.write_bytes(encode(dataclasses.replace(dataset, info=dataclasses.replace(
        dataset.info, version="read-from-the-snapshot"))))
    code, about = ask(data, snapshots, "about")
    assert code == 0
    assert "read-from-the-snapshot" in about


def test_an_engine_making_its_parts_on_first_use_answers_as_one_built_whole() -> None:
    dataset = load_dataset(ROOT / "data").dataset
    assert dataset is not None
    whole, lazy = QueryEngine(dataset), QueryEngine(dataset, eager=False)
    clock = ManualClock(NOON)
    for line in QUESTIONS.splitlines():
        command, _, text = line.partition(" ")
        answers = [run_command(engine, command, text, clock=clock) for engine in (whole, lazy)]
        assert render_answer(answers[1]) == render_answer(answers[0]), line
        assert answer_json(answers[1], lazy) == answer_json(answers[0], whole), line
    assert lazy.suggest_jurisdictions("") == whole.suggest_jurisdictions("")
    assert lazy.suggest_jurisdictions("calif") == whole.suggest_jurisdictions("calif")
    assert lazy.suggest_resolutions("senate") == whole.suggest_resolutions("senate")
    assert lazy.map("recognition") == whole.map("recognition")
    assert lazy.year_counts() == whole.year_counts()


def modules_of(folder: Path, *argv: str) -> tuple[int, str, set[str]]:
    """``python -m bot ARGV`` in a fresh interpreter in ``folder``: exit code, output, modules imported."""
    script = (
        "import io, json, sys\n"
        "from bot.cli.main import main\n"
        "out = io.StringIO()\n"
        "code = main(sys.argv[1:], stdout=out, stderr=out)\n"
        "print(json.dumps([code, out.getvalue(), sorted(sys.modules)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "DISCORD_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", script, *argv], cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    code, out, modules = json.loads(proc.stdout.splitlines()[-1])
    return code, out, set(modules)


ENGINE = "bot.core.engine"
YAML = ("yaml", "bot.core.loader")


def test_each_command_imports_only_what_it_uses(data: Path) -> None:
    folder = data.parent
    for argv in (("--help",), ("--bogus",), ("ask", "--help")):
        code, _, modules = modules_of(folder, *argv)
        assert code in (0, 2)
        assert not modules & {ENGINE, "bot.config", "rapidfuzz", "babel", *YAML}, argv
    for argv, error in (
        (("ask",), "error: Give a command, e.g. 'ask jurisdiction california'; see --help.\n"),
        (("ask", "frobnicate", "x"), ("error: Unknown command 'frobnicate'. Use one of: jurisdiction, "
         "resolution, date, onthisday, timeline, list, stats, about.\n")),
        (("ask", "-", "x"), "error: With '-', give the queries on stdin, one 'COMMAND TEXT' per line.\n"),
    ):
        code, out, modules = modules_of(folder, *argv)
        assert (code, out) == (2, error)
        assert not modules & {ENGINE, "bot.config", *YAML}, argv

    code, out, modules = modules_of(folder, "check-data", "data")
    assert (code, out[:4]) == (0, "OK: ")
    assert set(YAML) <= modules
    assert ENGINE not in modules

    code, first, modules = modules_of(folder, "ask", "jurisdiction", "calfornia")  # no snapshot yet
    assert code == 0
    assert "California" in first
    assert set(YAML) <= modules

    code, again, modules = modules_of(folder, "ask", "jurisdiction", "calfornia")  # from the snapshot
    assert (code, again) == (0, first)
    assert not modules & set(YAML)  # the snapshot is read without the YAML loader
    assert "bot.core.engine.places" in modules
    assert not modules & {"bot.core.engine.figures", "bot.core.figures", "bot.core.engine.autocomplete"}


def test_an_english_long_date_is_babels_british_one() -> None:
    """English long dates are written without Babel's locale data, exactly as Babel writes them."""
    days = [dt.date(year, month, day) for year in (1, 988, 1991, 2020, 9999) for month in range(1, 13)
            for day in (1, 9, 28)]
    with using("en"):
        assert [long_date(d) for d in days] == [format_date(d, "d MMMM y", locale="en_GB") for d in days]
        assert long_date(dt.date(2020, 11, 25)) == "25 November 2020"
