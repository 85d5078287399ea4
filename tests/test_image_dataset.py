"""Upgrades with a data volume: a newer shipped dataset is brought in at start, uploads are never lost."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

import pytest
from botkit import FAST_START, discord_config
from conftest import RunBot
from fakecord import FakeDiscord

from bot.config import Config, DataConfig, StorageConfig
from bot.core.clock import ManualClock
from bot.core.image_dataset import MANIFEST, ImageSync, bring_in_image_dataset, is_newer, version_key
from bot.core.reloading import history_files
from bot.discordbot import runner

MINI = Path(__file__).parent / "data" / "mini"
CLOCK = ManualClock(dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))
RES, EV = "resolutions.yaml", "events.yaml"


def make_data(folder: Path, version: str, *, summary_note: str = "") -> Path:
    """The mini dataset as ``version`` in ``folder`` (``summary_note`` changes the events file)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (MINI / RES).read_text(encoding="utf-8").replace('version: "test-1"', f'version: "{version}"')
    (folder / RES).write_text(text, encoding="utf-8")
    events = (MINI / EV).read_text(encoding="utf-8")
    (folder / EV).write_text(events + (f"# {summary_note}\n" if summary_note else ""), encoding="utf-8")
    return folder


def bring_in(image: Path, data: Path) -> ImageSync:
    return bring_in_image_dataset(image, data, history_dir=data / "history", history_keep=20, clock=CLOCK)


def install_image(image: Path, data: Path) -> None:
    """A data volume as an earlier image left it: its files, with the record of what it installed."""
    shutil.rmtree(data, ignore_errors=True)
    assert bring_in(image, data).dataset is not None


def test_versions_compare_by_their_numbers() -> None:
    assert version_key("2026.11.30") == (2026, 11, 30)
    assert is_newer("2026.12", "2026.11.30")
    assert is_newer("2026.12.01", "2026.11.30")
    assert not is_newer("2026.11.30", "2026.11.30")
    assert not is_newer("2026.9.1", "2026.11.30")
    assert not is_newer("draft", "2026.11.30")  # no numbers: never newer


def test_an_empty_volume_gets_the_shipped_dataset(tmp_path: Path) -> None:
    image = make_data(tmp_path / "image", "2026.12.01")
    result = bring_in(image, tmp_path / "data")
    assert result.dataset is not None
    assert result.dataset.info.version == "2026.12.01"
    assert (tmp_path / "data" / RES).read_bytes() == (image / RES).read_bytes()
    assert (tmp_path / "data" / EV).read_bytes() == (image / EV).read_bytes()
    manifest = json.loads((tmp_path / "data" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == "2026.12.01"
    assert set(manifest["files"]) == {RES, EV}
    assert result.notice("2026.12.01") is None


NON_ACTS = """\
non_acts:
  - id: texas-no-act
    names: [texas]
    title: "No Texas act on Artsakh was found"
    explanation: "No Texas resolution recognizing Artsakh was found."
    sources:
      - url: https://example.org/texas
"""


def test_a_newer_image_brings_its_non_acts_file_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    install_image(make_data(tmp_path / "old", "2026.11.30"), data)
    assert not (data / "non_acts.yaml").exists()
    image = make_data(tmp_path / "image", "2026.12.07")
    (image / "non_acts.yaml").write_text(NON_ACTS, encoding="utf-8")
    result = bring_in(image, data)
    assert result.dataset is not None
    assert [n.id for n in result.dataset.non_acts] == ["texas-no-act"]
    assert (data / "non_acts.yaml").read_text(encoding="utf-8") == NON_ACTS
    manifest = json.loads((data / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {RES, EV, "non_acts.yaml"}


def test_a_newer_image_replaces_the_data_it_installed_and_keeps_the_old_in_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    data = tmp_path / "data"
    install_image(make_data(tmp_path / "old", "2026.11.30"), data)
    old_res, old_ev = (data / RES).read_bytes(), (data / EV).read_bytes()
    new = make_data(tmp_path / "new", "2026.12.01", summary_note="the new timeline")

    result = bring_in(new, data)

    assert result.dataset is not None
    assert result.dataset.info.version == "2026.12.01"
    assert result.notice("2026.12.01") is None
    assert (data / RES).read_bytes() == (new / RES).read_bytes()
    assert (data / EV).read_bytes() == (new / EV).read_bytes()
    [res_backup] = history_files(data / "history", "resolutions")
    [ev_backup] = history_files(data / "history", "events")
    assert res_backup.name == "resolutions-20261207T093000Z.yaml"
    assert (res_backup.read_bytes(), ev_backup.read_bytes()) == (old_res, old_ev)
    assert "Brought the shipped dataset version 2026.12.01 into" in caplog.text
    assert "(was 2026.11.30)" in caplog.text
    assert res_backup.name in caplog.text
    # the next start with the same image changes nothing
    assert bring_in(new, data).dataset is not None
    assert len(history_files(data / "history", "resolutions")) == 1


def test_a_volume_from_before_the_record_is_upgraded_when_nobody_uploaded(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data", "2026.11.30")  # what the old image put in the volume
    new = make_data(tmp_path / "new", "2026.12.01")
    assert bring_in(new, data).notice("2026.12.01") is None
    assert (data / RES).read_bytes() == (new / RES).read_bytes()
    assert (data / MANIFEST).is_file()


def test_a_moderators_upload_is_never_replaced_and_the_log_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    install_image(make_data(tmp_path / "old", "2026.11.30"), data)
    uploaded = make_data(tmp_path / "upload", "2026.11.30", summary_note="a moderator's fix")
    (data / EV).write_bytes((uploaded / EV).read_bytes())  # what /admin reload with a file leaves
    new = make_data(tmp_path / "new", "2026.12.01")

    result = bring_in(new, data)

    assert (data / EV).read_bytes() == (uploaded / EV).read_bytes()  # kept
    assert (data / RES).read_bytes() == (tmp_path / "old" / RES).read_bytes()  # the pair stays as it was
    assert history_files(data / "history", "resolutions") == []
    assert result.dataset is not None
    assert result.dataset.info.version == "2026.11.30"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith(
        "The shipped dataset version 2026.12.01 is newer than version 2026.11.30 in"
    )
    assert "was NOT brought in: a moderator uploaded events.yaml" in warning.getMessage()
    assert result.notice("2026.11.30") == (
        "This installation ships dataset version 2026.12.01, newer than version 2026.11.30 in use. "
        "It was not brought in, so as not to replace events.yaml, uploaded by a moderator since the "
        "shipped data was installed."
    )
    assert result.notice("2026.12.01") is None  # once a moderator uploads the newer data


def test_an_upload_in_a_volume_from_before_the_record_is_known_by_its_history(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data", "2026.11.30", summary_note="uploaded")
    (data / "history").mkdir()
    (data / "history" / "events-20261101T100000Z.yaml").write_bytes((MINI / EV).read_bytes())
    result = bring_in(make_data(tmp_path / "new", "2026.12.01"), data)
    assert result.held_back == "2026.12.01"
    assert result.kept_files == (EV,)
    assert (data / EV).read_text(encoding="utf-8").endswith("# uploaded\n")


def test_a_newer_upload_is_kept_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    data = tmp_path / "data"
    install_image(make_data(tmp_path / "old", "2026.11.30"), data)
    make_data(data, "2026.12.05")  # a moderator uploaded a newer version than the image's
    result = bring_in(make_data(tmp_path / "new", "2026.12.01"), data)
    assert result.dataset is not None
    assert result.dataset.info.version == "2026.12.05"
    assert result.notice("2026.12.05") is None
    assert "Keeping dataset version 2026.12.05" in caplog.text
    assert not (data / "history").exists()


def test_a_broken_shipped_dataset_changes_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    install_image(make_data(tmp_path / "old", "2026.11.30"), data)
    before = (data / RES).read_bytes()
    broken = make_data(tmp_path / "new", "2026.12.01")
    (broken / EV).write_text("events: [", encoding="utf-8")
    result = bring_in(broken, data)
    assert result == ImageSync()
    assert (data / RES).read_bytes() == before
    assert "The shipped dataset in" in caplog.text
    assert "was not brought in" in caplog.text


def run_config(fake: FakeDiscord, tmp_path: Path, image: Path) -> Config:
    data = tmp_path / "data"
    return Config(
        discord=discord_config(fake),
        data=DataConfig(path=data, history_path=data / "history", image_path=image),
        storage=StorageConfig(database=tmp_path / "state.sqlite3"),
        token=fake.token,
    )


async def test_about_says_when_newer_shipped_data_was_held_back(
    fake_discord: FakeDiscord, run_bot: RunBot, tmp_path: Path
) -> None:
    install_image(make_data(tmp_path / "old", "2026.11.30"), tmp_path / "data")
    (tmp_path / "data" / EV).write_text((MINI / EV).read_text(encoding="utf-8") + "# fix\n", encoding="utf-8")
    config = run_config(fake_discord, tmp_path, make_data(tmp_path / "new", "2026.12.01"))
    async with runner.runtime(config, CLOCK, FAST_START) as rt, run_bot(rt.bot):
        about = await fake_discord.slash("about")
        [embed] = about.embeds
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields["Dataset version"] == "2026.11.30"
        assert fields["Newer data not installed"].startswith(
            "This installation ships dataset version 2026.12.01, newer than version 2026.11.30 in use."
        )
        # a moderator uploads the newer resolutions file: the warning goes
        report = await rt.bot.datastore.reload_with_upload(RES, (tmp_path / "new" / RES).read_bytes())
        assert report.ok
        fields = {f["name"]: f["value"] for f in (await fake_discord.slash("about")).embeds[0]["fields"]}
        assert fields["Dataset version"] == "2026.12.01"
        assert "Newer data not installed" not in fields


async def test_start_brings_newer_shipped_data_into_the_volume(
    fake_discord: FakeDiscord, run_bot: RunBot, tmp_path: Path
) -> None:
    install_image(make_data(tmp_path / "old", "2026.11.30"), tmp_path / "data")
    config = run_config(fake_discord, tmp_path, make_data(tmp_path / "new", "2026.12.01"))
    async with runner.runtime(config, CLOCK, FAST_START) as rt, run_bot(rt.bot):
        fields = {f["name"]: f["value"] for f in (await fake_discord.slash("about")).embeds[0]["fields"]}
        assert fields["Dataset version"] == "2026.12.01"
        assert "Newer data not installed" not in fields
    assert len(history_files(tmp_path / "data" / "history", "resolutions")) == 1
