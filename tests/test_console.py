"""The interactive console, driven through a pipe as a user would type into it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from botkit import mini_with_non_acts

from bot.cli.console import COMMAND_HELP, complete_command, console_command, resolve_command
from bot.config import Config, DataConfig
from bot.core.clock import ManualClock

DATA = Path(__file__).resolve().parents[1] / "data"
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def run(stdin: io.StringIO | str, data: Path = DATA) -> tuple[int, str]:
    out = io.StringIO()
    source = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    code = console_command(
        config=Config(data=DataConfig(path=data)), clock=ManualClock(NOON), stdin=source, stdout=out
    )
    return code, out.getvalue()


def test_a_session() -> None:
    code, out = run(
        "/jurisdiction calif\n/date nov 2020\nonthisday\n/timeline 2020 2023\n/list state\n/quit\n"
    )
    assert code == 0
    assert out.startswith(
        "Artsakh recognition console, dataset version 2026.12.07: 87 records, 17 timeline events."
    )
    assert "Type /help for the commands, /quit or Ctrl-D to leave." in out
    assert "Showing California for 'calif'." in out
    assert "  1. 27 Aug 2014 California · State Senate — call for recognition" in out
    assert "Records in November 2020\n" in out
    assert "France: French Senate resolution on the need to recognize" in out  # one record: its card
    assert "Vote: 305–1, 30 abstentions" in out
    assert "\n\n6 years ago.\n" in out
    assert "Timeline: 2020–2023\n" in out
    assert "Records: state\n" in out
    assert " May 2020 Minnesota · State Senate — recognition, call for recognition" in out
    assert out.endswith("Bye.\n")


def test_lists_page_and_an_entry_opens_as_its_card() -> None:
    code, out = run("/list country=us\n/next\n/next\n/next\n/card 23\n/card 99\n")
    assert "Vote: 70–1" not in out[: out.index("Page 3/3")]  # lists show no details
    assert code == 0
    assert " records, newest first.\n\n  1. " in out
    assert "Page 1/3: /next, /prev · /card 1 for the details of an entry" in out
    assert "\n 13. " in out  # page 2 goes on counting
    assert "Page 3/3: /next, /prev" in out
    assert "That was the last page." in out
    assert " 23. 8 May 2014 California · State Assembly — " in out
    card = out[out.index("California: California Assembly adopts AJR 32 on Artsakh\n") :]
    assert "Date: 8 May 2014\n" in card
    assert "Vote: 70–1; count from ANCA" in card
    assert "Record us-ca-assembly-2014-05-08" in card
    assert "Give an entry's number, 1 to 31: /card 1." in out


def test_help_lists_every_command_with_an_example() -> None:
    code, out = run("/help\n")
    assert code == 0
    for name, (_args, example, _what) in COMMAND_HELP.items():
        assert f"/{name}" in out
        assert example in out
    assert "/jurisdiction NAME" in out
    assert "e.g. /date nov 2020" in out


def test_unknown_commands_and_blank_lines() -> None:
    code, out = run("\n   \n/bogus thing\nhello\n/about\n")
    assert code == 0
    assert "Unknown command 'bogus'. Type /help for the list." in out
    assert "Unknown command 'hello'. Type /help for the list." in out
    assert "About this bot" in out


def test_prefixes_aliases_and_bad_queries() -> None:
    code, out = run("/juris LA\n/t 2023\n/s\nJURISDICTION zanzibar\n/date 31 February 2020\n/q\n/stats\n")
    assert code == 0
    assert "'LA' could mean several places:" in out
    assert "Timeline: 2023\n" in out
    assert "Dataset statistics" in out
    assert "Nothing matches 'zanzibar'." in out
    assert "February 2020 has 29 days, not 31." in out
    # /q quits: the /stats after it is never answered
    assert out.count("Dataset statistics") == 1
    assert out.endswith("Bye.\n")


def test_end_of_input_says_bye() -> None:
    code, out = run("/resolution 305 to 1\n")
    assert code == 0
    assert "France: French Senate resolution on the need to recognize the Nagorno-Karabakh Republic\n" in out
    assert "Record fr-senate-2020-11-25" in out
    assert out.endswith("\nBye.\n")


class InterruptingInput(io.StringIO):
    """A pipe where the user presses Ctrl-C at chosen lines."""

    def __init__(self, lines: list[str | None]) -> None:
        super().__init__()
        self._lines = lines

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        if not self._lines:
            return ""
        line = self._lines.pop(0)
        if line is None:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_once_keeps_going_twice_leaves() -> None:
    code, out = run(InterruptingInput([None, "/jurisdiction RI\n", None, None, "/about\n"]))
    assert code == 0
    assert "(Press Ctrl-C again, type /quit or press Ctrl-D to leave.)" in out
    assert "Showing Rhode Island for 'RI'." in out
    assert "About this bot" not in out
    assert out.endswith("Bye.\n")


def test_completion_and_command_words() -> None:
    assert complete_command("/ju", 0) == "/jurisdiction "
    assert complete_command("/ju", 1) is None
    assert [complete_command("o", i) for i in range(2)] == ["onthisday ", None]
    assert resolve_command("/LIST") == "list"
    assert resolve_command("exit") == "quit"
    assert resolve_command("?") == "help"
    assert resolve_command("/") is None
    assert resolve_command("a") == "about"
    assert resolve_command("re") == "resolution"
    assert resolve_command("x") is None


def test_dataset_problems(tmp_path: Path) -> None:
    (tmp_path / "resolutions.yaml").write_text("countries: []\n", encoding="utf-8")
    (tmp_path / "events.yaml").write_text("events: []\n", encoding="utf-8")
    code, out = run("/about\n", data=tmp_path)
    assert code == 2
    assert "problem(s); nothing was answered." in out


def test_discord_option_form_as_the_readme_teaches_it() -> None:
    code, out = run(
        "/jurisdiction name: calfornia\n/date when: 2014\n/list level: state country: united states\n"
        "/onthisday date: 25 november timezone: yerevan\n/timeline from_year: 2020 to_year: 2023\n"
        "/timeline from_year: soon\n"
    )
    assert code == 0
    assert "Showing California for 'calfornia'. 2 records, newest first." in out
    assert "  2. 8 May 2014 California · State Assembly — call for recognition" in out
    assert "Records in 2014\n" in out
    assert "Records: state · United States\n15 records, newest first." in out.replace("=" * 30 + "\n", "")
    assert "6 years ago." in out  # 25 November: the French Senate's card
    assert "Timeline: 2020–2023\n" in out
    assert "from_year must be a year like 1988, not 'soon'." in out
    assert "Invalid query" in out.split("Timeline: 2020–2023")[1]


def test_one_line_exits_with_the_answer_status() -> None:
    def once(line: str) -> tuple[int, str]:
        out = io.StringIO()
        code = console_command(
            config=Config(data=DataConfig(path=DATA)), clock=ManualClock(NOON), stdin=io.StringIO(),
            stdout=out, line=line,
        )
        return code, out.getvalue()

    assert once("/jurisdiction name: calfornia")[0] == 0
    code, out = once("/jurisdiction zanzibar")
    assert (code, "Nothing matches 'zanzibar'." in out) == (1, True)
    code, out = once("/date 31 February 2020")
    assert (code, "February 2020 has 29 days, not 31." in out) == (2, True)
    code, out = once("/bogus")
    assert (code, out) == (2, "Unknown command 'bogus'. Type /help for the list.\n")
    assert "Artsakh recognition console" not in once("/help")[1]  # no banner for one line


def test_a_non_act_is_explained_with_its_sources(tmp_path: Path) -> None:
    code, out = run("/jurisdiction texas\n/jurisdiction Техас\n", data=mini_with_non_acts(tmp_path))
    assert code == 0
    assert out.count("No act on record for") == 2
    assert out.count("No resolution of the Texas legislature about Artsakh was found.") == 2
    assert "https://example.org/texas-search" in out
    assert "Louisiana" not in out  # never a near name


def test_menu_labels_as_discord_shows_them() -> None:
    """The README's `/list level: States and provinces` uses the menu's own words."""
    code, out = run("/list level: States and provinces kind: Condemnation of Azerbaijan\n")
    assert code == 0
    assert "Records: state · condemnation of Azerbaijan\n" in out
    assert "Invalid query" not in out
