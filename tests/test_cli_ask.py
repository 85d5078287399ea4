"""``python -m bot ask``: the real command, on the shipped dataset, output checked as a user sees it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botkit import mini_with_non_acts

from bot.cli.ask import HELP, ask_command, parse_list_args, parse_timeline_args
from bot.config import Config, DataConfig
from bot.core.clock import ManualClock

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def ask(*argv: str, stdin: str = "", now: dt.datetime = NOON, data: Path = DATA) -> tuple[int, str]:
    out = io.StringIO()
    code = ask_command(
        list(argv),
        config=Config(data=DataConfig(path=data)),
        clock=ManualClock(now),
        stdin=io.StringIO(stdin),
        stdout=out,
    )
    return code, out.getvalue()


def ask_json(*argv: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    code, out = ask("--json", *argv, **kwargs)
    lines = out.splitlines()
    assert len(lines) == 1, out
    return code, json.loads(lines[0])


def test_text_answer_for_a_typo() -> None:
    code, out = ask("jurisdiction", "calfornia")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "California"
    assert lines[1] == "=" * len("California")
    assert "Showing California for 'calfornia'. 2 records, newest first." in out
    senate = out.index("California — State Senate · 27 August 2014")
    assembly = out.index("California — State Assembly · 8 May 2014")
    assert senate < assembly
    assert "  Kind: call for recognition" in out
    assert (
        "    - https://ancawr.org/press-release/state-of-california-ca-state-senate-recognize-artsakhs-independence/"
        in out
    )
    assert all(len(line) <= 88 or "http" in line for line in lines)


def test_json_date_month() -> None:
    code, obj = ask_json("date", "nov", "2020")
    assert code == 0
    assert set(obj) >= {
        "command",
        "query",
        "status",
        "matched",
        "records",
        "events",
        "candidates",
        "nearest",
        "message",
    }
    assert obj["command"] == "date"
    assert obj["query"] == "nov 2020"
    assert obj["status"] == "found"
    assert obj["matched"] == "November 2020"
    by_id = {r["id"]: r for r in obj["records"]}
    senate = by_id["fr-senate-2020-11-25"]
    assert senate == {
        "id": "fr-senate-2020-11-25",
        "jurisdiction": "France",
        "body": "Senate (Sénat)",
        "level": "national",
        "country": "France",
        "date": "2020-11-25",
        "kind": ["call-for-recognition"],
        "title": senate["title"],
        "alternative_dates": [],
        "sources": senate["sources"],
    }
    assert senate["sources"][0] == {
        "url": "https://www.senat.fr/espace_presse/actualites/201011/necessite_de_reconnaitre_la_republique_du_haut_karabagh.html",
        "title": "French Senate: adoption on 25 November 2020 and summary of the text",
    }
    assert {"url": "https://armenpress.am/eng/news/1035912/", "title": None} in senate["sources"]
    assert by_id["it-cesena-council-2020-11"]["date"] == "2020-11"  # month precision, no day
    assert by_id["fr-lyon-council-2020"]["date"] == "2020"
    assert obj["events"] == [
        {
            "id": "war-2020",
            "date": "2020-09-27",
            "end_date": "2020-11-10",
            "title": "The 2020 (Second Karabakh, 44-day) war",
        },
        {
            "id": "trilateral-statement-2020",
            "date": "2020-11-09",
            "end_date": None,
            "title": "Trilateral statement ending the 2020 war",
        },
    ]


def test_json_alternative_dates() -> None:
    code, obj = ask_json("resolution", "be-chamber-2020-12-18")
    assert code == 0
    [alternative] = obj["records"][0]["alternative_dates"]
    assert alternative["date"] == "2020-12-17"
    assert alternative["note"].startswith("The plenary sitting of Thursday 17 December 2020")


def test_ambiguous_and_not_found_exit_1() -> None:
    code, obj = ask_json("jurisdiction", "LA")
    assert code == 1
    assert obj["status"] == "ambiguous"
    assert obj["message"] == "'LA' could mean several places:"
    assert {c["value"] for c in obj["candidates"]} == {"los-angeles", "louisiana"}
    assert all(set(c) == {"label", "value"} for c in obj["candidates"])
    code, obj = ask_json("jurisdiction", "zanzibar")
    assert code == 1
    assert obj["status"] == "not_found"
    assert obj["message"].startswith("Nothing matches 'zanzibar'.")
    assert obj["records"] == []


def test_text_candidates_are_numbered() -> None:
    code, out = ask("jurisdiction", "Fresno")
    assert code == 1
    assert "'Fresno' could mean several places:" in out
    assert "  1. Fresno County (county, United States, 2 records)  [fresno-county]" in out
    assert "  2. City of Fresno (city, United States, 1 record)  [fresno-city]" in out


def test_nearest_records() -> None:
    code, obj = ask_json("date", "1999-05-11")
    assert code == 1
    assert obj["message"] == "Nothing on 11 May 1999."
    assert [r["id"] for r in obj["nearest"]] == ["eu-parliament-1999-03-11", "us-ma-house-2004-11"]
    assert obj["nearest"][1]["date"] == "2004-11"
    code, out = ask("date", "1999-05-11")
    assert "Nearest before: European Union — European Parliament · 11 March 1999" in out
    assert "Nearest after: Massachusetts — State House · November 2004" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("date", "31", "February", "2020"), "February 2020 has 29 days, not 31."),
        (("jurisdiction",), "Type a name"),
        (("jurisdiction", "x" * 300), "That query is too long (max 200 characters)."),
        (("list", "level=planet"), "Unknown level 'planet'"),
        (("list", "colour=red"), "Unknown filter 'colour='"),
        (("timeline", "soon"), "Use: timeline"),
    ],
)
def test_invalid_exit_2(argv: tuple[str, ...], message: str) -> None:
    code, obj = ask_json(*argv)
    assert code == 2
    assert obj["status"] == "invalid"
    assert message in obj["message"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "error: Give a command"),
        (("frobnicate", "x"), "error: Unknown command 'frobnicate'"),
        (("--colour", "date", "2020"), "error: Unknown option '--colour'"),
        (("--tz",), "error: --tz needs a time zone"),
        (("--tz", "Mars/Olympus", "onthisday"), "error: Unknown time zone 'Mars/Olympus'"),
        (("-", "extra"), "error: With '-'"),
    ],
)
def test_usage_errors(argv: tuple[str, ...], message: str) -> None:
    code, out = ask(*argv)
    assert code == 2
    assert out.startswith(message)


def test_help_lists_every_command() -> None:
    code, out = ask("--help")
    assert code == 0
    assert out == HELP
    for command in ("jurisdiction", "resolution", "date", "onthisday", "timeline", "list", "stats", "about"):
        assert f"\n  {command}" in out
    assert "level=" in out
    assert "exit status: 0 found, 1 not found or ambiguous, 2 invalid" in out


def test_today_follows_the_time_zone() -> None:
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC)  # already 25 November in Yerevan
    code, obj = ask_json("--tz", "Asia/Yerevan", "onthisday", now=late)
    assert code == 0
    assert obj["matched"] == "25 November"
    assert [r["id"] for r in obj["records"]] == ["fr-senate-2020-11-25"]
    code, obj = ask_json("onthisday", now=late)  # UTC: still 24 November
    assert obj["matched"] == "24 November"
    code, out = ask("--tz=Asia/Yerevan", "onthisday", now=late)
    assert "6 years ago." in out


def test_list_syntax() -> None:
    code, obj = ask_json("list", "level=state", "country=united", "states", "kind=recognition")
    assert code == 0
    assert {r["id"] for r in obj["records"]} == {
        "us-ga-house-2016-03-03",
        "us-hi-house-2016-03-29",
        "us-mn-senate-2020-05",
    }
    assert all(r["level"] == "state" for r in obj["records"])
    code, obj = ask_json("list", "states", "us")
    assert code == 0
    assert len(obj["records"]) == 15
    assert all(r["level"] == "state" and r["country"] == "United States" for r in obj["records"])
    code, obj = ask_json("list", "united", "states")
    assert len(obj["records"]) == 31
    code, obj = ask_json("list", "city", "call", "for", "recognition", "italy")
    assert {r["id"] for r in obj["records"]} == {
        "it-milan-council-2020-10-15",
        "it-palermo-council-2020-10-28",
        "it-cerchiara-di-calabria-council-2020-10-28",
        "it-cesena-council-2020-11",
        "it-arco-council-2020",
        "it-riva-del-garda-council-2020-12-28",
        "it-san-vito-dei-normanni-council-2021-04",
        "it-verona-council-2021-02-18",
        "it-brancaleone-council-2021",
    }
    # Asolo's motion expressed "vicinanza e sostegno": a statement, not a call for recognition
    code, obj = ask_json("list", "country=germany")
    assert code == 1
    assert obj["message"].startswith("No country matches 'germany'.")


def test_parsers() -> None:
    assert parse_list_args("") == (None, None, None)
    assert parse_list_args("state") == ("state", None, None)
    assert parse_list_args("united states") == (None, "united states", None)
    assert parse_list_args("cities recognition fr") == ("cities", "fr", "recognition")
    assert parse_list_args("kind=self determination") == (None, None, "self-determination")
    assert parse_timeline_args("") == (None, None)
    assert parse_timeline_args("2020") == (2020, 2020)
    assert parse_timeline_args("2012 2014") == (2012, 2014)
    assert parse_timeline_args("2012-2014") == (2012, 2014)
    assert parse_timeline_args("from 2020") == (2020, None)
    assert parse_timeline_args("until 1995") == (None, 1995)


def test_timeline_and_stats_and_about() -> None:
    code, obj = ask_json("timeline", "2020", "2023")
    assert code == 0
    assert [e["id"] for e in obj["events"]] == [
        "war-2020",
        "trilateral-statement-2020",
        "lachin-blockade",
        "offensive-2023",
        "exodus-2023",
        "dissolution-decree",
    ]
    code, out = ask("timeline", "2023")
    assert "Azerbaijani offensive of September 2023 · 19–20 September 2023" in out
    code, out = ask("stats")
    assert code == 0
    assert "\nRecords     87\n" in out
    assert "By level    supranational: 1" in out
    assert "\n            national: 15\n" in out
    code, obj = ask_json("stats")
    assert {f["name"] for f in obj["fields"]} >= {"Records", "By level", "By kind", "By country", "By year"}
    code, out = ask("about")
    assert code == 0
    assert "Dataset version  2026.12.07" in out
    assert "never as a day" in out


def test_batch_from_stdin() -> None:
    stdin = "jurisdiction calfornia\n\n# a comment\ndate nov 2020\nfoo bar\nonthisday\nlist level=planet\n"
    code, out = ask("--json", "-", stdin=stdin)
    assert code == 2  # the worst line: two were invalid
    objs = [json.loads(line) for line in out.splitlines()]
    assert [(o["command"], o["status"]) for o in objs] == [
        ("jurisdiction", "found"),
        ("date", "found"),
        ("foo", "invalid"),
        ("onthisday", "found"),
        ("list", "invalid"),
    ]
    assert objs[0]["matched"] == "California"
    assert objs[2]["message"].startswith("Unknown command 'foo'.")
    assert objs[3]["records"][0]["id"] == "fr-senate-2020-11-25"


def test_batch_as_text() -> None:
    code, out = ask("-", stdin="jurisdiction RI\nstats\n")
    assert code == 0
    assert out.startswith("Rhode Island\n============\nShowing Rhode Island for 'RI'.")
    assert "\n\nDataset statistics\n" in out


def test_dataset_problems_are_printed(tmp_path: Path) -> None:
    (tmp_path / "resolutions.yaml").write_text("dataset:\n  version: 1\ncountries: []\n", encoding="utf-8")
    (tmp_path / "events.yaml").write_text("events: []\n", encoding="utf-8")
    code, out = ask("jurisdiction", "california", data=tmp_path)
    assert code == 2
    assert "resolutions.yaml" in out
    assert "problem(s); nothing was answered." in out


def python_m_bot_ask(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ask ARGV`` in a child process, without the caller's token or config file."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "BOT_CONFIG"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_subprocess_python_m_bot_ask() -> None:
    proc = python_m_bot_ask("--json", "date", "nov", "2020")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["status"] == "found"
    assert "fr-senate-2020-11-25" in [r["id"] for r in obj["records"]]
    proc = python_m_bot_ask("jurisdiction", "zanzibar")
    assert proc.returncode == 1
    assert "Nothing matches 'zanzibar'." in proc.stdout


def test_tz_is_read_as_discord_reads_it() -> None:
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC)  # already 25 November in Yerevan
    for zone in ("yerevan", "Armenia", "UTC+4"):
        code, obj = ask_json("--tz", zone, "onthisday", now=late)
        assert (code, obj["title"]) == (0, "On this day: 25 November"), zone
    code, out = ask("--tz", "georgia", "onthisday")
    assert code == 2
    assert out == "error: “georgia” has several time zones: Asia/Tbilisi, America/New_York. Pick one.\n"


def test_option_form_in_ask_and_in_batches() -> None:
    code, obj = ask_json("jurisdiction", "name:", "calfornia")
    assert (code, obj["matched"], len(obj["records"])) == (0, "California", 2)
    batch = "date when: 2014\nlist level: state\nlist level: state level: city\n"
    code, out = ask("--json", "-", stdin=batch)
    assert code == 2  # the last line is invalid
    objs = [json.loads(line) for line in out.splitlines()]
    assert [(o["title"], o["status"]) for o in objs] == [
        ("Records in 2014", "found"),
        ("Records: state", "found"),
        ("Invalid query", "invalid"),
    ]
    assert objs[2]["message"] == "'level:' is given twice."


def test_a_non_act_answers_with_its_explanation_and_sources(tmp_path: Path) -> None:
    data = mini_with_non_acts(tmp_path)
    code, obj = ask_json("jurisdiction", "texas", data=data)
    assert code == 1  # like any "not found"
    assert obj["status"] == "not_found"
    assert obj["message"] == "No act on record for 'texas':"
    assert obj["records"] == []
    assert obj["candidates"] == []
    assert obj["non_acts"] == [{
        "id": "texas-none",
        "title": "Texas: no act found",
        "date": None,
        "explanation": "No resolution of the Texas legislature about Artsakh was found.",
        "sources": [
            {"url": "https://example.org/texas-search", "title": "A search of the legislature's records"}
        ],
    }]
    code, text = ask("resolution", "texas", data=data)
    assert code == 1
    assert "No act on record for 'texas':" in text
    assert "https://example.org/texas-search" in text


def test_batch_exit_status_is_its_worst_line() -> None:
    assert ask("-", stdin="jurisdiction RI\nstats\n")[0] == 0
    assert ask("-", stdin="jurisdiction RI\njurisdiction zanzibar\n")[0] == 1
    assert ask("-", stdin="jurisdiction zanzibar\nfoo bar\njurisdiction RI\n")[0] == 2
