"""The bot's start at scale: thousands of places, read from YAML (in a child process) or from its snapshot.

The data is the benchmarks' synthetic dataset (bench/synthetic.py), large enough (over a
megabyte) that a first start reads it in a short-lived process of its own and a restart from
the validated snapshot; both answer alike, and a problem in a large file is reported as it
always is: ``file:line``, one line each, and exit code 1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from pathlib import Path

import pytest
from botkit import FAST_START as FAST
from botkit import discord_config
from fakecord import FakeDiscord

from bench.synthetic import synthetic_names, write_dataset
from bot.config import Config, DataConfig, StorageConfig
from bot.core.clock import ManualClock
from bot.core.snapshot import CHILD_MIN_BYTES
from bot.discordbot import runner

CLOCK = ManualClock(dt.datetime(2024, 11, 25, 12, 0, tzinfo=dt.UTC))
PLACES = 7_000


@pytest.fixture(scope="module")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "data"
    folder.mkdir()
    write_dataset(folder, synthetic_names(PLACES, 20261130), records_every=10, seed=20261130)
    assert (folder / "resolutions.yaml").stat().st_size >= CHILD_MIN_BYTES  # read in a child process
    return folder


def config_for(fake: FakeDiscord, tmp_path: Path, data: Path) -> Config:
    return Config(
        discord=discord_config(fake),
        data=DataConfig(path=data, history_path=tmp_path / "history"),
        storage=StorageConfig(database=tmp_path / "state.sqlite3"),
        token=fake.token,
    )


QUESTIONS = (
    ("jurisdiction", {"name": "Auvenne"}),
    ("jurisdiction", {"name": "Arcadia"}),
    ("jurisdiction", {"name": "old faigford"}),
    ("resolution", {"query": "council recognition"}),
    ("date", {"when": "2014"}),
)


async def answers_of_one_run(
    fake: FakeDiscord, config: Config, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Start the bot, ask every question, stop it with SIGTERM; the answers' texts."""
    ready_before = fake.ready_count
    task = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST))
    await fake.wait_for(lambda: fake.ready_count > ready_before or task.done(), timeout=120, what="ready")
    texts = []
    for command, options in QUESTIONS:
        result = await fake.slash(command, options)
        assert result.acknowledged
        texts.append(result.text)
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 30) == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    fake.forget()
    return texts


async def test_a_first_start_from_yaml_and_a_restart_from_the_snapshot_answer_alike(
    fake_discord: FakeDiscord, tmp_path: Path, big_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.core.snapshot")
    config = config_for(fake_discord, tmp_path, big_data)
    first = await answers_of_one_run(fake_discord, config, caplog)
    assert "read from its snapshot" not in caplog.text
    snapshots = list((tmp_path / "snapshots").glob("dataset-*.snapshot"))
    assert len(snapshots) == 1  # written by the child process that read the YAML
    caplog.clear()
    again = await answers_of_one_run(fake_discord, config, caplog)
    assert "read from its snapshot" in caplog.text
    assert again == first
    auvenne, arcadia, place, words, year = first
    assert "Auvenne" in auvenne
    assert "Arcadia" in arcadia
    assert "Old Faigford" in place
    assert "record" in words.casefold()
    assert "2014" in year


async def test_a_problem_in_a_large_file_is_one_line_with_its_place_and_code_1(
    fake_discord: FakeDiscord, tmp_path: Path, big_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "data"
    broken.mkdir()
    for path in big_data.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    lines = (broken / "resolutions.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("date:") and i > len(lines) // 2)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}date: 2014-02-30\n"
    (broken / "resolutions.yaml").write_text("".join(lines), encoding="utf-8")
    config = config_for(fake_discord, tmp_path, broken)
    assert await runner.run_bot_async(config, CLOCK, bot_options=FAST) == 1
    shown = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(m.strip().startswith(f"{broken / 'resolutions.yaml'}:{at + 1}:") for m in shown), shown
    assert any("February 2014 has 28 days, not 30" in m for m in shown), shown
    assert all(r.exc_info is None for r in caplog.records)
    assert not list((tmp_path / "snapshots").glob("dataset-*.snapshot"))
