"""/admin reload and SIGHUP reloads, with the real bot against the fake Discord server.

Each test copies data/ into a temporary folder, starts the genuine ArtsakhBot (with the admin
cog) on it, and drives it through ``fake_discord``, which fails the test on any violation of
Discord's rules (limits, the 3-second deadline, double acknowledgements).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import os
import re
import shutil
import signal
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from botkit import artsakh_bot, bot_config
from fakecord import CommandNotAvailable, FakeDiscord, FakeMessage, FakeUser, InteractionResult
from hostile import alias_bomb, anchor_line, first_alias_line

from bot.config import DataConfig, ModerationConfig, StorageConfig
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.cogs.admin import REPORT_FAILED
from bot.storage.database import Database
from bot.storage.datasets import dataset_ledger

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
ADMIN = "bot.discordbot.cogs.admin"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
VERSION_RE = re.compile(r'^  version: "([^"]*)"$', re.MULTILINE)

TESTVILLE_JURISDICTION = """\
  - id: testville
    name: Testville
    level: city
    country: us
    location: [39.0, -98.0]
"""
TESTVILLE_RECORD = """\
  - id: us-testville-2024-05-01
    jurisdiction: testville
    body: City Council
    date: "2024-05"
    kinds: [recognition]
    title: "Testville council resolution recognizing the Republic of Artsakh"
    summary: "A test record added by an upload."
    sources:
      - url: https://example.org/testville
"""

StartBot = Callable[..., AbstractAsyncContextManager[ArtsakhBot]]


# ---------------------------------------------------------------------------------------------- data


def original(name: str = "resolutions.yaml") -> str:
    return (REPO_DATA / name).read_text(encoding="utf-8")


def version_of(text: str) -> str:
    match = VERSION_RE.search(text)
    assert match is not None
    return match.group(1)


def with_version(text: str, version: str) -> str:
    return VERSION_RE.sub(f'  version: "{version}"', text, count=1)


def insert_after(text: str, marker: str, block: str) -> str:
    assert f"\n{marker}\n" in text
    return text.replace(f"\n{marker}\n", f"\n{marker}\n{block}", 1)


def with_testville(text: str, version: str = "2099.01.01-test") -> str:
    text = insert_after(text, "jurisdictions:", TESTVILLE_JURISDICTION)
    return with_version(insert_after(text, "resolutions:", TESTVILLE_RECORD), version)


def with_padding(text: str, count: int, version: str) -> str:
    """``count`` extra records, to make a reload take a noticeable time."""
    block = "".join(
        TESTVILLE_RECORD.replace("us-testville-2024-05-01", f"us-testville-pad-{n}") for n in range(count)
    )
    text = insert_after(text, "jurisdictions:", TESTVILLE_JURISDICTION)
    return with_version(insert_after(text, "resolutions:", block), version)


def line_of(text: str, line: str, occurrence: int = 1) -> int:
    """The 1-based line number of the ``occurrence``-th line equal to ``line``."""
    numbers = [n for n, value in enumerate(text.splitlines(), start=1) if value == line]
    return numbers[occurrence - 1]


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for name in ("resolutions.yaml", "events.yaml"):
        shutil.copyfile(REPO_DATA / name, target / name)
    return target


@pytest.fixture
def history_dir(tmp_path: Path) -> Path:
    return tmp_path / "history"


@pytest.fixture
def start(
    fake_discord: FakeDiscord,
    run_bot: Any,
    database: Database,
    data_dir: Path,
    history_dir: Path,
) -> StartBot:
    """``async with start(user_ids=..., role_ids=...) as bot:`` runs the bot with the admin cog."""

    def _start(
        *, user_ids: Sequence[int] = (), role_ids: Sequence[int] = (), log_channel: bool = True
    ) -> AbstractAsyncContextManager[ArtsakhBot]:
        config = bot_config(
            fake_discord,
            moderation=ModerationConfig(
                user_ids=tuple(user_ids),
                role_ids=tuple(role_ids),
                log_channel_id=fake_discord.world.news.id if log_channel else 0,
            ),
            data=DataConfig(path=data_dir, history_path=history_dir, history_keep=5),
            storage=StorageConfig(database=data_dir.parent / "state.sqlite3"),  # the `database` fixture
        )
        clock = ManualClock(NOW)
        store = DataStore(data_dir, QueryEngine, clock=clock, history_dir=history_dir, history_keep=5)
        bot = artsakh_bot(config, clock, store, database, extensions=(*CORE_EXTENSIONS, ADMIN))
        running: AbstractAsyncContextManager[ArtsakhBot] = run_bot(bot)
        return running

    return _start


# ---------------------------------------------------------------------------------------------- helpers


async def admin_reload(
    fake: FakeDiscord, user: FakeUser, file: tuple[str, bytes] | None = None
) -> InteractionResult:
    """Run /admin reload as ``user`` and wait for the final (non-"thinking") answer.

    ``check_permissions=False``: the command is hidden from non-administrators by
    default_permissions, as if a server admin had opened it to everyone in Integrations.
    """
    result = await fake.slash(
        "admin reload",
        user=user,
        attachments={"file": file} if file is not None else None,
        check_permissions=False,
    )
    answered(result)
    await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=15.0)
    return result


def answered(result: InteractionResult) -> None:
    assert result.acknowledged, f"{result.name} was not answered"
    assert not result.timed_out
    assert result.elapsed is not None
    assert result.elapsed < 3.0


def embed_text(message: FakeMessage | InteractionResult) -> str:
    return message.text


def report_of(result: InteractionResult) -> FakeMessage:
    assert result.message is not None
    assert result.ephemeral, "the report must be private"
    return result.message


async def log_posts(fake: FakeDiscord, count: int) -> list[FakeMessage]:
    channel = fake.world.news
    await fake.wait_for(lambda: len(fake.messages_in(channel)) >= count, timeout=10.0, what="log posts")
    return fake.messages_in(channel)


async def jurisdiction(fake: FakeDiscord, name: str, user: FakeUser | None = None) -> InteractionResult:
    result = await fake.slash("jurisdiction", {"name": name}, user=user)
    answered(result)
    return result


# ---------------------------------------------------------------------------------------------- who


async def test_the_command_is_hidden_from_non_administrators(
    fake_discord: FakeDiscord, start: StartBot
) -> None:
    async with start(user_ids=(fake_discord.world.alice.id,)):
        command = fake_discord.find_command("admin")
        assert command["default_member_permissions"] == "8"
        assert [o["name"] for o in command["options"]] == ["reload", "status"]
        file_option = command["options"][0]["options"][0]
        assert file_option["name"] == "file"
        assert file_option["type"] == 11
        assert not file_option.get("required")
        with pytest.raises(CommandNotAvailable):
            await fake_discord.slash("admin reload", user=fake_discord.world.alice)


async def test_a_plain_member_is_refused_privately_and_logged(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world = fake_discord.world
    async with start(user_ids=(world.bob.id,), role_ids=(world.moderator_role.id,)) as bot:
        (data_dir / "resolutions.yaml").write_text(with_testville(original()), encoding="utf-8")
        result = await admin_reload(fake_discord, world.alice)
        message = report_of(result)
        assert "Only the bot's moderators can reload its data." in message.text
        assert message.files == {}
        assert bot.datastore.current.dataset.info.version == version_of(original())  # nothing reloaded
        refused = [r for r in caplog.records if "Refused /admin reload" in r.getMessage()]
        assert len(refused) == 1
        assert refused[0].levelno == logging.WARNING
        text = refused[0].getMessage()
        assert f"alice ({world.alice.id})" in text
        assert str(world.guild.id) in text
        assert fake_discord.messages_in(world.news) == []  # a refusal is not a reload
        missing = await jurisdiction(fake_discord, "Testville")
        assert missing.ephemeral
        assert "Nothing matches 'Testville'" in missing.text


async def test_a_moderator_by_user_id_reloads_the_data_folder(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world = fake_discord.world
    old_version = version_of(original())
    async with start(user_ids=(world.bob.id,)) as bot:
        (data_dir / "resolutions.yaml").write_text(with_testville(original(), "2099.02.02"), encoding="utf-8")
        result = await admin_reload(fake_discord, world.bob)
        message = report_of(result)
        embed = message.embeds[0]
        assert embed["title"] == "Data reloaded"
        assert "Source: the data folder." in embed["description"]
        assert f"Version: `{old_version}` → `2099.02.02`" in embed["description"]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields == {
            "Records added (1)": "Testville · City Council · May 2024 (`us-testville-2024-05-01`)"
        }
        assert f"bob ({world.bob.id})" in embed["footer"]["text"]
        assert bot.datastore.current.dataset.info.version == "2099.02.02"
        found = await jurisdiction(fake_discord, "testville")
        assert not found.ephemeral
        assert found.embeds[0]["title"].startswith("Testville: ")
        assert "May 2024\nKnown only to the month." in found.text
        done = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Reload by")]
        assert len(done) == 1
        assert f"bob ({world.bob.id})" in done[0]
        assert "from disk done" in done[0]
        assert "+1 added" in done[0]


async def test_a_moderator_by_role_reloads_and_the_log_channel_gets_the_report(
    fake_discord: FakeDiscord, start: StartBot
) -> None:
    world = fake_discord.world
    async with start(role_ids=(world.moderator_role.id,)):
        result = await admin_reload(fake_discord, world.mod)
        message = report_of(result)
        assert message.embeds[0]["title"] == "Data reloaded"
        assert "No record or event was added, removed or changed." in message.text
        [post] = await log_posts(fake_discord, 1)
        assert not post.ephemeral
        assert post.embeds[0]["title"] == "Data reloaded"
        assert f"mod ({world.mod.id})" in post.embeds[0]["footer"]["text"]
        assert "/admin reload in Fakecord Test" in post.embeds[0]["footer"]["text"]
        assert post.embeds[0]["timestamp"].startswith("2025-03-01T12:00:00")
    fake_discord.assert_no_pings()


async def test_a_role_held_in_another_server_counts(fake_discord: FakeDiscord, start: StartBot) -> None:
    world = fake_discord.world
    other = fake_discord.create_guild("Data Team")
    data_team = other.add_role("data-team", 0)
    other.add_member(world.bob, [data_team])
    other.add_member(world.alice, [])
    async with start(role_ids=(data_team.id,)):
        accepted = await admin_reload(fake_discord, world.bob)  # a plain member here
        assert report_of(accepted).embeds[0]["title"] == "Data reloaded"
        refused = await admin_reload(fake_discord, world.alice)  # in that server, without the role
        assert "Only the bot's moderators" in report_of(refused).text


# ---------------------------------------------------------------------------------------------- uploads


def bad_syntax() -> tuple[str, list[tuple[str, str]]]:
    bad_line = '    body: "a" b'
    text = insert_after(original(), "resolutions:", f"  - id: broken\n{bad_line}\n")
    return text, [(f"upload.yaml:{line_of(text, bad_line)}:", "YAML syntax error")]


def duplicate_and_impossible_date() -> tuple[str, list[tuple[str, str]]]:
    first = original().split("\nresolutions:\n", 1)[1]
    duplicated = re.search(r"^  - id: (\S+)$", first, re.MULTILINE)
    assert duplicated is not None
    dup_id = duplicated.group(1)
    block = TESTVILLE_RECORD.replace("us-testville-2024-05-01", dup_id).replace("testville", "france")
    block += TESTVILLE_RECORD.replace('"2024-05"', '"2023-02-30"').replace(
        "jurisdiction: testville", "jurisdiction: france"
    )
    text = insert_after(original(), "resolutions:", block)
    date_line = '    date: "2023-02-30"'
    return text, [
        (f"upload.yaml:{line_of(text, date_line)}:", "'2023-02-30' is impossible"),
        (f"upload.yaml:{line_of(text, f'  - id: {dup_id}', 2)}:", f"duplicate id '{dup_id}'"),
    ]


@pytest.mark.parametrize(
    "make", [bad_syntax, duplicate_and_impossible_date], ids=["syntax", "duplicate-and-date"]
)
async def test_an_invalid_upload_lists_its_problems_and_changes_nothing(
    fake_discord: FakeDiscord,
    start: StartBot,
    data_dir: Path,
    history_dir: Path,
    make: Callable[[], tuple[str, list[tuple[str, str]]]],
) -> None:
    world = fake_discord.world
    text, expected = make()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    async with start(user_ids=(world.mod.id,)) as bot:
        result = await admin_reload(fake_discord, world.mod, ("upload.yaml", text.encode()))
        message = report_of(result)
        embed = message.embeds[0]
        count = len(expected)
        assert embed["title"] == f"Reload refused: {count} problem{'s' if count > 1 else ''}"
        assert f"keeps serving version `{version_of(original())}`" in embed["description"]
        full = message.files["reload-problems.txt"].decode()
        assert len(full.splitlines()) == count
        for prefix, words in expected:
            shown = [line for line in embed["description"].splitlines() if line.startswith(prefix)]
            assert [words in line for line in shown] == [True], (prefix, embed["description"])
            assert any(line.startswith(prefix) and words in line for line in full.splitlines())
        # the old data keeps answering, and nothing on disk changed
        assert bot.datastore.current.dataset.info.version == version_of(original())
        still = await jurisdiction(fake_discord, "California")
        assert not still.ephemeral
        assert still.embeds[0]["title"] == "California"
        assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before
        assert not history_dir.exists() or list(history_dir.iterdir()) == []
        [post] = await log_posts(fake_discord, 1)
        assert post.embeds[0]["title"] == embed["title"]
        assert post.files["reload-problems.txt"].decode() == full
    fake_discord.assert_no_pings()


async def test_a_valid_upload_adds_a_record_and_keeps_the_old_file(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, history_dir: Path
) -> None:
    world = fake_discord.world
    new_text = with_testville(original(), "2099.03.03")
    async with start(user_ids=(world.mod.id,)):
        result = await admin_reload(fake_discord, world.mod, ("resolutions.yml", new_text.encode()))
        message = report_of(result)
        embed = message.embeds[0]
        assert embed["title"] == "Data reloaded"
        assert "the uploaded file resolutions.yml (it replaced the resolutions file" in embed["description"]
        assert f"`{version_of(original())}` → `2099.03.03`" in embed["description"]
        assert {f["name"]: f["value"] for f in embed["fields"]} == {
            "Records added (1)": "Testville · City Council · May 2024 (`us-testville-2024-05-01`)"
        }
        assert message.files == {}
        found = await jurisdiction(fake_discord, "testville")
        assert not found.ephemeral
        assert found.embeds[0]["title"].startswith("Testville: ")
        assert found.embeds[0]["footer"]["text"].endswith("Dataset 2099.03.03")
    assert (data_dir / "resolutions.yaml").read_text(encoding="utf-8") == new_text
    kept = list(history_dir.iterdir())
    assert len(kept) == 1
    assert kept[0].name.startswith("resolutions-")
    assert kept[0].read_text(encoding="utf-8") == original()


async def test_an_accepted_reload_is_stored_in_the_sqlite_state_with_who_and_when(
    fake_discord: FakeDiscord, start: StartBot, database: Database
) -> None:
    world = fake_discord.world
    new_text = with_testville(original(), "2099.03.04")
    async with start(user_ids=(world.mod.id,)) as bot:
        ledger = dataset_ledger(database)
        deployed = await ledger.latest()
        assert deployed is not None
        assert (deployed.version, deployed.source) == (version_of(original()), "deployment")
        result = await admin_reload(fake_discord, world.mod, ("resolutions.yml", new_text.encode()))
        assert report_of(result).embeds[0]["title"] == "Data reloaded"
        stored = await ledger.latest(with_files=True)
        assert stored is not None
        assert stored.revision == deployed.revision + 1 == bot.dataset_sync.revision
        assert (stored.version, stored.source, stored.reloaded_at) == ("2099.03.04", "resolutions.yml", NOW)
        where = f"Fakecord Test ({world.guild.id})"
        assert stored.reloaded_by == f"mod ({world.mod.id}) with /admin reload in {where}"
        assert stored.files is not None
        assert stored.files["resolutions"] == new_text.encode()


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            ("big.yaml", b"#" * 1_048_597),
            "That file is 1.0 MB (1,048,597 bytes); the limit is 1,048,576 bytes.",
        ),
        (("notes.txt", b"events: []\n"), "notes.txt is not a YAML file: upload a .yaml or .yml file"),
        (("events.json", b'{"events": []}'), "events.json is not a YAML file"),
    ],
    ids=["too-big", "text", "json"],
)
async def test_a_too_big_or_non_yaml_file_is_refused(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, file: tuple[str, bytes], expected: str
) -> None:
    world = fake_discord.world
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    async with start(user_ids=(world.mod.id,)) as bot:
        result = await admin_reload(fake_discord, world.mod, file)
        assert expected in report_of(result).text
        assert bot.datastore.current.dataset.info.version == version_of(original())
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


# ---------------------------------------------------------------------------------------------- concurrency


async def test_a_burst_of_queries_during_a_reload_all_succeed(
    fake_discord: FakeDiscord, start: StartBot
) -> None:
    world = fake_discord.world
    old_version = version_of(original())
    upload = with_padding(original(), 300, "2099.04.04").encode()
    async with start(user_ids=(world.mod.id,)) as bot:
        reload_task = asyncio.ensure_future(
            admin_reload(fake_discord, world.mod, ("resolutions.yaml", upload))
        )
        async with asyncio.timeout(10.0):
            while not bot.datastore.busy:  # the upload is downloaded; parsing has begun
                await asyncio.sleep(0.002)
        results = await asyncio.gather(
            *(jurisdiction(fake_discord, "California", user=world.alice) for _ in range(100))
        )
        reloaded = await reload_task
        assert report_of(reloaded).embeds[0]["title"] == "Data reloaded"
        assert bot.datastore.current.dataset.info.version == "2099.04.04"
        footers = [result.embeds[0]["footer"]["text"] for result in results]
        for result, footer in zip(results, footers, strict=True):
            assert not result.ephemeral
            assert result.embeds[0]["title"] == "California"
            assert footer.endswith((f"Dataset {old_version}", "Dataset 2099.04.04")), footer
        # queries fired after the reload began and answered from the old data: served during it
        assert any(footer.endswith(f"Dataset {old_version}") for footer in footers)


async def test_two_reloads_at_once_run_one_after_the_other(
    fake_discord: FakeDiscord, start: StartBot
) -> None:
    world = fake_discord.world
    old_version = version_of(original())
    first = with_padding(original(), 200, "2099.05.01").encode()
    second = with_version(original(), "2099.05.02").encode()
    async with start(user_ids=(world.mod.id,)) as bot:
        a, b = await asyncio.gather(
            admin_reload(fake_discord, world.mod, ("resolutions.yaml", first)),
            admin_reload(fake_discord, world.mod, ("resolutions.yaml", second)),
        )
        text_a, text_b = report_of(a).embeds[0]["description"], report_of(b).embeds[0]["description"]
        assert f"`{old_version}` → `2099.05.01`" in text_a
        assert "`2099.05.01` → `2099.05.02`" in text_b  # the second started from the first's result
        assert "-200 removed" in text_b
        assert bot.datastore.current.dataset.info.version == "2099.05.02"
        posts = await log_posts(fake_discord, 2)
        assert ["2099.05.01" in p.text for p in posts] == [True, True]
        assert "`2099.05.01` → `2099.05.02`" in posts[1].text


# ---------------------------------------------------------------------------------------------- SIGHUP


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_sighup_reloads_from_disk_and_reports_to_the_log_channel(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = signal.getsignal(signal.SIGHUP)
    async with start() as bot:
        (data_dir / "resolutions.yaml").write_text(with_testville(original(), "2099.06.06"), encoding="utf-8")
        handler = signal.getsignal(signal.SIGHUP)
        assert handler not in (signal.SIG_DFL, signal.SIG_IGN, None), (
            "no SIGHUP handler: the signal would end pytest"
        )
        os.kill(os.getpid(), signal.SIGHUP)
        [post] = await log_posts(fake_discord, 1)
        assert post.embeds[0]["title"] == "Data reloaded"
        assert f"By SIGHUP (process {os.getpid()})" in post.embeds[0]["footer"]["text"]
        assert "Records added (1)" in post.text
        assert bot.datastore.current.dataset.info.version == "2099.06.06"
        found = await jurisdiction(fake_discord, "Testville")
        assert found.embeds[0]["title"].startswith("Testville: ")
        assert any("Reload by SIGHUP" in r.getMessage() for r in caplog.records)
    # the handler is gone with the cog, and the previous disposition is back
    assert signal.getsignal(signal.SIGHUP) == before
    fake_discord.assert_no_pings()


# ---------------------------------------------------------------------------------------------- hostile files


async def test_an_alias_bomb_upload_is_refused_at_once_and_the_old_data_keeps_serving(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, history_dir: Path
) -> None:
    world = fake_discord.world
    bomb = alias_bomb()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    async with start(user_ids=(world.mod.id,)) as bot:
        result = await admin_reload(fake_discord, world.mod, ("bomb.yaml", bomb.encode()))
        message = report_of(result)
        embed = message.embeds[0]
        assert embed["title"] == "Reload refused: 21 problems"
        assert f"keeps serving version `{version_of(original())}`" in embed["description"]
        assert (
            f"bomb.yaml:{anchor_line(bomb)}: anchor '&record': anchors and aliases are not allowed"
            in embed["description"]
        )
        full = message.files["reload-problems.txt"].decode().splitlines()
        assert full[1].startswith(f"bomb.yaml:{first_alias_line(bomb)}: '*record' repeats an anchored value")
        assert full[-1].endswith("more anchors or aliases from here on (not listed)")
        # the bot is free again at once: the old data answers and nothing on disk changed
        assert not bot.datastore.busy
        assert bot.datastore.current.dataset.info.version == version_of(original())
        still = await jurisdiction(fake_discord, "California")
        assert still.embeds[0]["title"] == "California"
        assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before
        assert not history_dir.exists() or list(history_dir.iterdir()) == []
    fake_discord.assert_no_pings()


# ------------------------------------------------------------------------------------------ network errors


async def test_a_connection_lost_while_answering_keeps_the_audit_entry(
    fake_discord: FakeDiscord, start: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    world = fake_discord.world
    async with start(user_ids=(world.mod.id,)):
        fake_discord.fail_next("POST", "/webhooks/*/*", 0, drop=True)  # the report to the moderator
        result = await admin_reload(fake_discord, world.mod)
        [post] = await log_posts(fake_discord, 1)  # recorded before the answer was attempted
        assert post.embeds[0]["title"] == "Data reloaded"
        assert REPORT_FAILED in report_of(result).text
    gc.collect()
    assert "never retrieved" not in caplog.text
    assert (
        "Could not send the reload report to the moderator: could not reach Discord "
        "(the server closed the connection without answering)"
    ) in caplog.text
    assert "Traceback" not in caplog.text

