"""Reloads across processes, end to end: two real ArtsakhBots on fakecord sharing one PostgreSQL store.

Each bot is what one process on its own machine runs: its own shard of two, its own copy of the
data folder, its own connection to the shared state. A moderator reloads through one; the other
is told by the database (LISTEN/NOTIFY), validates and serves the same version. The tests wait on
the follower's own notice (``dataset_sync.until``), never on a fixed time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import botkit as kit
import pytest
from fakecord import FakeDiscord, FakeGuild, shard_of
from pgserver import PostgresServer
from test_discord_admin import (
    REPO_DATA,
    admin_reload,
    log_posts,
    original,
    report_of,
    version_of,
    with_padding,
    with_testville,
    with_version,
)

from bot.config import DataConfig, ModerationConfig
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.model import Dataset
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.storage.datasets import dataset_ledger
from bot.storage.postgres import PostgresDatabase

ADMIN = "bot.discordbot.cogs.admin"
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
COUNT = 2

Builder = Callable[[Dataset], QueryEngine]
Start = Callable[..., AbstractAsyncContextManager[ArtsakhBot]]


@dataclasses.dataclass
class Shared:
    """The shared PostgreSQL database and the two guilds, one on each bot's shard."""

    url: str
    password: str
    first: FakeGuild  # the default guild, on shard ``first_shard``
    second: FakeGuild  # on the other shard
    first_shard: int


@pytest.fixture
async def shared(fake_discord: FakeDiscord, postgres_server: PostgresServer) -> AsyncIterator[Shared]:
    url = postgres_server.take_database()
    first_shard = shard_of(fake_discord.guild.id, COUNT)
    second = fake_discord.create_guild("Second", shard=(1 - first_shard, COUNT))
    second.add_channel("general")
    second.add_member(fake_discord.world.alice, [])
    second.add_member(fake_discord.world.mod, [])
    yield Shared(url, postgres_server.password, fake_discord.guild, second, first_shard)
    postgres_server.give_back(url)


def copy_data(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name / "data"
    target.mkdir(parents=True)
    for file in ("resolutions.yaml", "events.yaml"):
        shutil.copyfile(REPO_DATA / file, target / file)
    return target


@pytest.fixture
def start(fake_discord: FakeDiscord, run_bot: Any, shared: Shared, tmp_path: Path) -> Start:
    """``async with start("a", shard) as bot``: one process, its own data folder and database connection."""

    @asynccontextmanager
    async def _start(name: str, shard: int, *, builder: Builder = QueryEngine) -> AsyncIterator[ArtsakhBot]:
        data_dir = tmp_path / name / "data"
        if not data_dir.exists():
            copy_data(tmp_path, name)
        world = fake_discord.world
        config = kit.bot_config(
            fake_discord,
            sync="global",
            moderation=ModerationConfig(user_ids=(world.mod.id,), log_channel_id=world.news.id),
            data=DataConfig(path=data_dir, history_path=tmp_path / name / "history", history_keep=5),
        )
        config = dataclasses.replace(
            config, discord=dataclasses.replace(config.discord, shard_count=COUNT, shard_ids=(shard,))
        )
        clock = ManualClock(NOW)
        store = DataStore(data_dir, builder, clock=clock, history_dir=tmp_path / name / "history")
        database = await PostgresDatabase.open(shared.url, password=shared.password)
        try:
            bot = kit.artsakh_bot(config, clock, store, database, extensions=(*CORE_EXTENSIONS, ADMIN))  # type: ignore[arg-type]
            bot.dataset_sync.process = name
            bot.process.host = f"machine-{name}"  # both run in this test's process: told apart by host
            async with run_bot(bot):
                yield bot
        finally:
            await database.close()

    return _start


async def follows(bot: ArtsakhBot, done: Callable[[], bool]) -> None:
    """Wait until the bot's dataset sync says ``done`` (it checks after every notice it acts on)."""
    async with asyncio.timeout(30):
        await bot.dataset_sync.until(done)


async def california_in(fake: FakeDiscord, guild: FakeGuild) -> str:
    """The footer of /jurisdiction California asked in ``guild`` (the dataset version answering it)."""
    result = await fake.slash("jurisdiction", {"name": "California"}, guild=guild, user=fake.world.alice)
    assert result.acknowledged
    assert not result.timed_out
    assert result.embeds[0]["title"] == "California"
    footer: str = result.embeds[0]["footer"]["text"]
    return footer


# ---------------------------------------------------------------------------------------------- tests


async def test_a_reload_through_one_process_is_served_by_the_other(
    fake_discord: FakeDiscord, start: Start, shared: Shared
) -> None:
    world = fake_discord.world
    new_text = with_testville(original(), "2099.05.05")
    async with start("a", shared.first_shard) as a, start("b", 1 - shared.first_shard) as b:
        assert a.dataset_sync.revision == b.dataset_sync.revision == 1  # one deployment, stored once
        result = await admin_reload(fake_discord, world.mod, ("resolutions.yaml", new_text.encode()))
        assert report_of(result).embeds[0]["title"] == "Data reloaded"
        revision = a.dataset_sync.revision
        assert revision == 2
        await follows(b, lambda: b.dataset_sync.revision == revision)
        assert (await california_in(fake_discord, shared.second)).endswith("Dataset 2099.05.05")
        found = await fake_discord.slash(
            "jurisdiction", {"name": "testville"}, guild=shared.second, user=world.alice
        )
        assert found.embeds[0]["title"].startswith("Testville: ")
        assert b.dataset_sync.last_error is None
        latest = await dataset_ledger(b.database).latest()
        assert latest is not None
        assert latest.version == "2099.05.05"
        assert f"mod ({world.mod.id}) with /admin reload in Fakecord Test" in latest.reloaded_by
        # b's data folder (another machine) is untouched: the version lives in the database
        kept = (Path(b.datastore.data_dir) / "resolutions.yaml").read_text(encoding="utf-8")
        assert version_of(kept) == version_of(original())
    fake_discord.assert_no_violations()


async def test_a_version_the_other_cannot_load_leaves_it_serving_the_old_one_and_saying_so(
    fake_discord: FakeDiscord, start: Start, shared: Shared
) -> None:
    world = fake_discord.world
    old = version_of(original())

    def short_of_memory(dataset: Dataset) -> QueryEngine:
        """This process cannot index the new data (as when it runs out of memory)."""
        if dataset.info.version == "2099.06.06":
            raise MemoryError("cannot allocate the index")
        return QueryEngine(dataset)

    async with (
        start("a", shared.first_shard) as a,
        start("b", 1 - shared.first_shard, builder=short_of_memory) as b,
    ):
        upload = with_version(original(), "2099.06.06").encode()
        result = await admin_reload(fake_discord, world.mod, ("resolutions.yaml", upload))
        assert report_of(result).embeds[0]["title"] == "Data reloaded"
        await follows(b, lambda: b.dataset_sync.last_error is not None)
        assert (await california_in(fake_discord, shared.second)).endswith(f"Dataset {old}")
        assert (await california_in(fake_discord, shared.first)).endswith("Dataset 2099.06.06")
        assert b.dataset_sync.last_error is not None
        assert "could not load dataset revision 2 (version 2099.06.06" in b.dataset_sync.last_error
        assert f"still serving {old} (revision 1)" in b.dataset_sync.last_error
        posts = await log_posts(fake_discord, 2)  # a's report of the reload, then b's refusal
        refusal = next(p for p in posts if p.embeds[0]["title"].startswith("Reload refused"))
        assert "Nothing changed: the bot keeps serving version" in refusal.text
        assert "the dataset stored in the database (revision 2)" in refusal.text
        assert "the new data could not be indexed: cannot allocate the index" in refusal.text
        assert refusal.embeds[0]["footer"]["text"].startswith("By process b, following revision 2")
        assert a.dataset_sync.last_error is None
        # /admin status: what each process serves, and b's last error
        for bot in (a, b):
            await bot.process.beat()
        status = await fake_discord.slash("admin status", user=world.mod, check_permissions=False)
        await status.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=10.0)
        assert status.message is not None
        fields = status.message.embeds[0]["fields"]
        shown = {f["name"].split(" · ")[0]: f["value"].split("\n") for f in fields}
        assert shown["machine-a"][1].startswith("Dataset 2099.06.06 (revision 2) · ")
        assert shown["machine-a"][2] == "No error"
        assert shown["machine-b"][1].startswith(f"Dataset {old} (revision 1) · ")
        assert "could not load dataset revision 2 (version 2099.06.06" in shown["machine-b"][2]
    fake_discord.assert_no_violations()
    fake_discord.assert_no_pings()


async def test_a_process_started_later_serves_the_latest_version_and_reloads_go_both_ways(
    fake_discord: FakeDiscord, start: Start, shared: Shared, tmp_path: Path
) -> None:
    world = fake_discord.world
    copy_data(tmp_path, "b")  # b's machine has the first deployment's files
    async with start("a", shared.first_shard) as a:
        upload = with_version(original(), "2099.07.07").encode()
        result = await admin_reload(fake_discord, world.mod, ("resolutions.yaml", upload))
        assert report_of(result).embeds[0]["title"] == "Data reloaded"
        async with start("b", 1 - shared.first_shard) as b:
            assert b.dataset_sync.revision == a.dataset_sync.revision
            assert (await california_in(fake_discord, shared.second)).endswith("Dataset 2099.07.07")
            # b's own folder holds an older version: reloading it changes nothing, for anyone
            second = await fake_discord.slash(
                "admin reload", user=world.mod, guild=shared.second, check_permissions=False
            )
            await second.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=15.0)
            assert "older than the latest revision 2 (version 2099.07.07" in report_of(second).text
            # an upload through b is served by a
            upload = with_version(original(), "2099.08.08").encode()
            third = await fake_discord.slash(
                "admin reload", user=world.mod, guild=shared.second, check_permissions=False,
                attachments={"file": ("resolutions.yaml", upload)},
            )
            await third.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=15.0)
            assert report_of(third).embeds[0]["title"] == "Data reloaded"
            await follows(a, lambda: a.dataset_sync.revision == 3)
            assert (await california_in(fake_discord, shared.first)).endswith("Dataset 2099.08.08")
    fake_discord.assert_no_violations()


async def test_queries_keep_answering_while_the_other_process_swaps(
    fake_discord: FakeDiscord, start: Start, shared: Shared
) -> None:
    world = fake_discord.world
    old = version_of(original())
    upload = with_padding(original(), 300, "2099.09.09").encode()
    async with start("a", shared.first_shard), start("b", 1 - shared.first_shard) as b:
        reload_task = asyncio.ensure_future(
            admin_reload(fake_discord, world.mod, ("resolutions.yaml", upload))
        )
        async with asyncio.timeout(30.0):
            while not b.datastore.busy:  # b was told and is loading the new version
                await asyncio.sleep(0.002)
        footers = await asyncio.gather(*(california_in(fake_discord, shared.second) for _ in range(50)))
        assert report_of(await reload_task).embeds[0]["title"] == "Data reloaded"
        await follows(b, lambda: b.dataset_sync.version == "2099.09.09")
        assert all(f.endswith((f"Dataset {old}", "Dataset 2099.09.09")) for f in footers), footers
        assert any(f.endswith(f"Dataset {old}") for f in footers)  # answered from the old data during it
        assert (await california_in(fake_discord, shared.second)).endswith("Dataset 2099.09.09")
    fake_discord.assert_no_violations()
