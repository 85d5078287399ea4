"""`python -m bot`: check-data output and exit codes, configuration errors."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hostile import alias_bomb, anchor_line, first_alias_line

from bot.cli.main import main
from bot.core.clock import StartedClock, SystemClock, clock_from_environment

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini"
MINI_SUMMARY = (
    "OK: 3 records (by level: state 2, city 1; by kind: recognition 1, call-for-recognition 2, "
    "self-determination 1) in 4 jurisdictions of 2 countries, 2 events\n"
)


pytestmark = pytest.mark.usefixtures("cli_isolated")


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env or {}, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_check_data_on_a_valid_folder_prints_one_summary_line() -> None:
    code, out, err = run("check-data", str(MINI))
    assert code == 0
    assert out == MINI_SUMMARY
    assert err == ""


def test_check_data_on_the_shipped_data() -> None:
    code, out, _ = run("check-data", str(ROOT / "data"))
    assert code == 0
    assert out.startswith("OK: ")
    assert out.count("\n") == 1


def test_check_data_defaults_to_the_configured_data_path(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "somewhere")
    (tmp_path / "bot.toml").write_text('[data]\npath = "somewhere"\n', encoding="utf-8")
    code, out, _ = run("--config", "bot.toml", "check-data")
    assert (code, out) == (0, MINI_SUMMARY)
    code, out, _ = run("check-data", env={"BOT_CONFIG": str(tmp_path / "bot.toml")})
    assert (code, out) == (0, MINI_SUMMARY)


def test_check_data_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    events = (data / "events.yaml").read_text(encoding="utf-8")
    events = events.replace('date: "1991-09-02"', 'date: "1991-02-30"')
    events = events.replace("https://example.org/war", "war")
    (data / "events.yaml").write_text(events, encoding="utf-8")
    resolutions = (data / "resolutions.yaml").read_text(encoding="utf-8")
    resolutions = resolutions.replace("level: city", "level: town")
    (data / "resolutions.yaml").write_text(resolutions, encoding="utf-8")

    code, out, err = run("check-data", "data")

    assert code == 1
    assert out.splitlines() == [
        ("data/resolutions.yaml:24: jurisdiction 'los-angeles': unknown level 'town' "
        "(allowed: supranational, national, state, region, county, city)"),
        ("data/events.yaml:4: event 'nkr-proclamation': date '1991-02-30' is impossible: "
        "February 1991 has 28 days, not 30"),
        "data/events.yaml:14: event 'war-1992-1994': source 1: 'war' is not an http(s) URL",
    ]
    assert err == "3 problem(s) found in data\n"


def test_check_data_on_a_single_file(tmp_path: Path) -> None:
    code, out, _ = run("check-data", str(MINI / "events.yaml"))
    assert (code, out) == (0, "OK: 2 events\n")
    code, out, _ = run("check-data", str(MINI / "resolutions.yaml"))
    assert code == 0
    assert out.startswith("OK: 3 records (by level: state 2, city 1;")
    assert out.endswith("in 4 jurisdictions of 2 countries\n")

    single = tmp_path / "my-events.yaml"
    single.write_text("events:\n  - id: Bad_Id\n", encoding="utf-8")
    code, out, _ = run("check-data", "my-events.yaml")
    assert code == 1
    assert out.splitlines() == [
        "my-events.yaml:2: event 'Bad_Id': missing required field 'title'",
        "my-events.yaml:2: event 'Bad_Id': missing required field 'date'",
        "my-events.yaml:2: event 'Bad_Id': missing required field 'summary'",
        "my-events.yaml:2: event 'Bad_Id': missing required field 'sources'",
        ("my-events.yaml:2: event 'Bad_Id': id 'Bad_Id' must use only lower-case letters, digits and '-' "
        "and start with a letter or digit"),
    ]


def test_check_data_on_a_file_that_is_not_a_data_file(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("hello: world\n", encoding="utf-8")
    code, out, _ = run("check-data", "notes.yaml")
    assert code == 1
    assert out == (
        "notes.yaml:1: this file is neither a resolutions file "
        "(top-level 'resolutions', 'jurisdictions', ...) nor an events file (top-level 'events') "
        "nor a non-acts file (top-level 'non_acts')\n"
    )


def test_check_data_on_a_missing_path() -> None:
    code, out, err = run("check-data", "nowhere")
    assert code == 2
    assert out == ""
    assert err.startswith("error: nowhere: no such file or folder")
    assert err.count("\n") == 1


def test_a_wrong_config_is_one_line_on_stderr_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[discord]\nsync = "sometimes"\n', encoding="utf-8")
    code, out, err = run("--config", "config.toml", "check-data", str(MINI))
    assert code == 2
    assert out == ""
    assert err == (
        "error: config.toml: discord.sync must be one of 'guild', 'global' or 'off', not 'sometimes'\n"
    )


def test_run_and_sync_without_a_token_explain_and_exit_2() -> None:
    for command in ("run", "sync"):
        code, out, err = run(command)
        assert code == 2
        assert out == ""
        assert err.startswith("error: DISCORD_TOKEN is not set")
        assert err.count("\n") == 1


def test_unknown_arguments_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("check-data", str(MINI), "--bogus")
    assert code == 2
    assert out == ""
    err = capsys.readouterr().err
    assert err.endswith(": error: unrecognized arguments: --bogus (see --help)\n")
    assert err.count("\n") == 1  # one line, not argparse's usage block as well


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("ask", "--language", "xx", "date", "2014"), "must be one of en, hy, ru, fr, es, not 'xx'"),
        (("ask", "--tz", "Mars/Base", "date", "2014"), "Unknown time zone 'Mars/Base'"),
        (("render", "map", "--region", "mars"), "invalid choice: 'mars'"),
        (("health", "--max-age", "soon"), "invalid float value: 'soon'"),
    ],
)
def test_every_usage_error_is_one_line_and_exit_2(
    argv: tuple[str, ...], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(*argv)
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert says in err
    assert err.count("\n") == 1
    assert err.endswith(" (see --help)\n")


def test_python_dash_m_bot_end_to_end(tmp_path: Path) -> None:
    """The real entry point: exit codes and no traceback on a bad config."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "check-data", str(MINI)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )
    assert (ok.returncode, ok.stdout) == (0, MINI_SUMMARY)
    (tmp_path / "c.toml").write_text("[logging]\nlevel = 'LOUD'\n", encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "--config", "c.toml", "check-data"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr == (
        "error: c.toml: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'\n"
    )


def test_version_names_the_package_discord_py_and_python(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("--version")
    assert code == 0
    python = ".".join(str(n) for n in sys.version_info[:3])
    discord_version = importlib.metadata.version("discord.py")
    assert capsys.readouterr().out == (
        f"artsakh-recognition-bot 0.1.0 (discord.py {discord_version}, Python {python})\n"
    )


def test_help_names_the_program_as_it_was_called(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    as_module = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, env=env, cwd=tmp_path,
        check=True,
    )
    assert as_module.stdout.startswith(f"usage: {Path(sys.executable).name} -m bot [-h]")
    script = Path(sys.executable).parent / "artsakh-bot"
    as_script = subprocess.run(
        [script, "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, check=True
    )
    assert as_script.stdout.startswith("usage: artsakh-bot [-h]")
    assert "health" in as_script.stdout
    assert "--version" in as_script.stdout


def test_check_data_refuses_an_alias_bomb_by_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    bomb = alias_bomb()
    (data / "resolutions.yaml").write_text(bomb, encoding="utf-8")
    (tmp_path / "bomb.yaml").write_text(bomb, encoding="utf-8")
    anchor = "anchor '&record': anchors and aliases are not allowed in data files; write the value out"
    for target, shown in (("data", "data/resolutions.yaml"), ("bomb.yaml", "bomb.yaml")):
        code, out, err = run("check-data", target)
        assert code == 1
        lines = out.splitlines()
        assert lines[0] == f"{shown}:{anchor_line(bomb)}: {anchor}"
        assert lines[1].startswith(f"{shown}:{first_alias_line(bomb)}: '*record' repeats an anchored value")
        assert lines[-1].endswith("more anchors or aliases from here on (not listed)")
        assert len(lines) == 21
        assert err == "21 problem(s) found in " + target + "\n"


def test_config_after_the_subcommand(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[logging]\nlevel = 'LOUD'\n", encoding="utf-8")
    expected = (
        "error: c.toml: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'\n"
    )
    for argv in (("run", "--config", "c.toml"), ("check-data", str(MINI), "--config=c.toml"),
                 ("ask", "--config", "c.toml", "stats"), ("console", "--config", "c.toml")):
        code, out, err = run(*argv)
        assert (code, out, err) == (2, "", expected), argv
    (tmp_path / "ok.toml").write_text(f"[data]\npath = '{MINI}'\n", encoding="utf-8")
    code, out, _ = run("--config", "c.toml", "check-data", "--config", "ok.toml")  # the later one wins
    assert (code, out) == (0, MINI_SUMMARY)


def test_ask_and_console_errors_exit_non_zero_through_the_entry_point() -> None:
    data = str(ROOT / "data")
    (Path("ok.toml")).write_text(f"[data]\npath = '{data}'\n", encoding="utf-8")
    assert run("--config", "ok.toml", "ask", "--tz", "yerevan", "onthisday")[0] == 0
    assert run("--config", "ok.toml", "ask", "jurisdiction", "texas")[0] == 1
    assert run("--config", "ok.toml", "ask", "date", "31 February 2020")[0] == 2
    code, out, _ = run("--config", "ok.toml", "console", "/jurisdiction", "name:", "calfornia")
    assert code == 0
    assert "Showing California for 'calfornia'. 2 records" in out
    assert run("--config", "ok.toml", "console", "/bogus")[0] == 2
    assert run("--config", "ok.toml", "console", "/jurisdiction", "texas")[0] == 1


def test_a_dotenv_from_notepad_is_read_and_an_unreadable_one_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("DISCORD_TOKEN=t$k\r\n".encode("utf-16"))  # with its byte-order mark
    code, out, err = run("check-data", str(MINI))
    assert (code, out, err) == (0, MINI_SUMMARY, "")
    (tmp_path / ".env").write_bytes(b"DISCORD_TOKEN=caf\xe9\n")
    code, out, err = run("check-data", str(MINI))
    assert (code, out) == (2, "")
    assert err == "error: .env: not UTF-8 text; save it as UTF-8 and start again\n"


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`python -m bot console < questions | head -1`: the bot stops quietly when the pipe closes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdin.write(b"/list\n/next\n/next\n/card 1\n" * 200)  # far more answers than a pipe holds
    proc.stdin.close()
    assert proc.stdout.readline()
    proc.stdout.close()
    errors = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in errors
    assert errors == ""


def test_the_test_clock_setting_moves_the_day_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    """BOT_TEST_CLOCK_START (for tests of separate bot processes) sets the day "today" means."""
    (tmp_path / "bot.toml").write_text(f'[data]\npath = "{MINI}"\n', encoding="utf-8")
    code, out, err = run(
        "--config", "bot.toml", "ask", "onthisday", env={"BOT_TEST_CLOCK_START": "2024-09-02T05:00:00+00:00"}
    )
    assert code == 0
    assert out.startswith("On this day: 2 September\n")
    assert "Proclamation of the Republic · 2 September 1991\n  33 years ago." in out
    assert "BOT_TEST_CLOCK_START is set: the clock starts at 2024-09-02T05:00:00+00:00 (for tests only)" in (
        err
    )
    for wrong in ("tomorrow", "2024-09-02T05:00:00"):  # a naive instant is as wrong as a word
        code, out, err = run("--config", "bot.toml", "ask", "onthisday", env={"BOT_TEST_CLOCK_START": wrong})
        assert (code, out) == (2, "")
        assert err == (
            "error: BOT_TEST_CLOCK_START (for tests only) must be an instant with its UTC offset, "
            f"such as '2024-09-02T05:00:00+00:00', not {wrong!r}\n"
        )


def test_a_started_clock_runs_at_real_speed_from_its_start() -> None:
    ticks = iter([100.0, 100.0, 161.5])
    start = dt.datetime(2024, 9, 2, 9, 0, tzinfo=ZoneInfo("Asia/Yerevan"))
    clock = StartedClock(start, monotonic=lambda: next(ticks))
    assert clock.now() == dt.datetime(2024, 9, 2, 5, 0, tzinfo=dt.UTC)
    assert clock.now() == dt.datetime(2024, 9, 2, 5, 1, 1, 500000, tzinfo=dt.UTC)
    assert isinstance(clock_from_environment({}), SystemClock)


def test_ask_reads_the_data_the_bot_checked_from_its_snapshot(tmp_path: Path) -> None:
    """`ask` keeps the checked dataset in the bot's state folder; an edited file is read and checked again."""
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    Path("ok.toml").write_text(f"[data]\npath = '{data}'\n", encoding="utf-8")
    code, first, _ = run("--config", "ok.toml", "ask", "jurisdiction", "calfornia")
    assert code == 0
    assert "Assembly Joint Resolution 32" in first
    snapshots = tmp_path / "state" / "snapshots"
    assert len(list(snapshots.iterdir())) == 1
    assert run("--config", "ok.toml", "ask", "jurisdiction", "calfornia") == (0, first, "")
    resolutions = data / "resolutions.yaml"
    text = resolutions.read_text(encoding="utf-8")
    resolutions.write_text(text.replace("Assembly Joint Resolution 32", "Assembly Joint Resolution 33"),
                           encoding="utf-8")
    code, edited, _ = run("--config", "ok.toml", "ask", "jurisdiction", "calfornia")
    assert code == 0
    assert "Assembly Joint Resolution 33" in edited
    assert "Assembly Joint Resolution 32" not in edited
    assert len(list(snapshots.iterdir())) == 2
    resolutions.write_text(text.replace("title:", "tittle:", 1), encoding="utf-8")  # a problem
    code, out, _ = run("--config", "ok.toml", "ask", "jurisdiction", "calfornia")
    assert code == 2
    assert "resolutions.yaml:" in out
