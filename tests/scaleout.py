"""Real bot processes on one PostgreSQL: the harness of tests/test_scale_out.py and bench/bench_scaleout.py.

Each bot is a separate ``python -m bot run`` process, configured as an operator would (a TOML file
and the environment), with its own working folder and its own copy of the data folder, as on its
own machine. They share:

* the project's Discord-compatible test server (tests/fakecord), running in the caller's event loop
  on 127.0.0.1: the processes reach it through ``DISCORD_API_BASE`` and ``DISCORD_GATEWAY_URL``;
  it enforces Discord's global limit of 50 requests per second per bot (``global_rate_limit``)
  over all of them, and serves the shards (each process IDENTIFYs its own);
* one throwaway PostgreSQL database (tests/pgserver.py), ``storage.url`` of every process.

Time: every process's clock starts at the same instant of the test's timeline (the test-only
setting ``BOT_TEST_CLOCK_START``, read by bot/core/clock.py), which begins just as the
subscriptions fall due, so nothing waits for the wall clock to reach a post time. (The benchmark
starts it a little earlier, ``lead``, so that the processes are running when the posts fall due.) Nothing of
discord.py or of the database is mocked; a process can be killed with SIGKILL and started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from asyncpg import Record
from fakecord import FakeChannel, FakeDiscord, FakeGuild, shard_of
from pgserver import PostgresServer

from bot.core.clock import TEST_CLOCK_START
from bot.discordbot.daily_post import footer_part
from bot.storage.postgres import PostgresDatabase
from bot.storage.state import subscription_store

ROOT: Final = Path(__file__).resolve().parents[1]
MINI_DATA: Final = Path(__file__).resolve().parent / "data" / "mini"
ZONE: Final = "Asia/Yerevan"
POST_TIME: Final = dt.time(9, 0)
#: 09:00 in Yerevan on 2 September: the proclamation's anniversary in tests/data/mini.
POST_AT: Final = dt.datetime(2024, 9, 2, 5, 0, tzinfo=dt.UTC)
POST_DAY: Final = dt.date(2024, 9, 2)
DISCORD_GLOBAL_LIMIT: Final = 50  # requests per second per bot, over all its processes
#: The version of tests/data/mini, and the one a moderator's upload brings.
OLD_VERSION: Final = "test-1"
NEW_VERSION: Final = "test-2"
PROPAGATION_TIMEOUT: Final = 60.0  # generous: bench/bench_scaleout.py measures it against the 2 s goal
#: daily.lease_seconds: a killed process's claims run out after this (180 s by default; tests wait less).
LEASE_SECONDS: Final = 15.0
START_TIMEOUT: Final = 120.0  # seconds a process may take to connect (three start at once on 2 cores)


@dataclass(frozen=True, slots=True)
class Layout:
    """How many processes, shards, servers and subscribed channels."""

    processes: int = 3
    shards: int = 6
    guilds: int = 300
    channels_per_guild: int = 10  # the most a server may subscribe

    @property
    def subscriptions(self) -> int:
        return self.guilds * self.channels_per_guild

    def shard_ids(self, process: int) -> tuple[int, ...]:
        """The shards of process ``process``, an equal run of ids (6 shards in 3 processes: 0-1, 2-3, 4-5)."""
        per = self.shards // self.processes
        return tuple(range(process * per, (process + 1) * per))


@dataclass
class BotProcess:
    """One ``python -m bot run`` in its own folder; its log (stderr) goes to ``log``."""

    name: str
    shard_ids: tuple[int, ...]
    folder: Path
    env: dict[str, str]
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def log(self) -> Path:
        return self.folder / "bot.log"

    @property
    def config(self) -> Path:
        return self.folder / "bot.toml"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 30) -> str:
        """The end of the log, for a failure message."""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(self.log_text().splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self, clock_start: dt.datetime) -> None:
        """Start the process with its clock at ``clock_start``; its log is appended to."""
        self._log = self.log.open("ab")
        self.starts += 1
        self._log.write(f"=== start {self.starts} ===\n".encode())
        self._log.flush()
        env = {**self.env, TEST_CLOCK_START: clock_start.isoformat()}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(self.config), "run",
            cwd=self.folder, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=self._log,
            start_new_session=True,  # its own process group: the machine it stands for
        )  # fmt: skip

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until this start of the process says it is ready (its daily posts start then)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        marker = f"=== start {self.starts} ==="
        while "Ready as " not in self.log_text().rpartition(marker)[2]:
            if not self.running:
                raise AssertionError(f"{self.name} stopped before it was ready\n{self.tail()}")
            if loop.time() > end:
                raise TimeoutError(f"{self.name} was not ready after {timeout:.0f} s\n{self.tail()}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL to the process and every process it started, as when a machine dies.

        No clean-up of any kind; its helper processes (the picture pool's fork server, the
        resource tracker) go with it rather than living on after the test.
        """
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()
        self._close_log()

    async def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, as an operator stops the bot; SIGKILL if it has not stopped after ``timeout``."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        with contextlib.suppress(ProcessLookupError):  # anything of it still running
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._close_log()
        return self.proc.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class PostTally:
    """The daily posts of :data:`POST_DAY` fakecord has received, per channel (read incrementally)."""

    def __init__(self, fake: FakeDiscord, channels: Sequence[int]) -> None:
        self.fake = fake
        self.per_channel: Counter[int] = Counter()
        self._wanted = set(channels)
        self._read = 0

    def update(self) -> Counter[int]:
        """Count the messages fakecord stored since the last call; the counts per channel."""
        log = self.fake.message_log
        for message in log[self._read :]:
            if message.via != "channel" or message.channel_id not in self._wanted or message.deleted:
                continue
            if any(
                footer_part(e.get("footer", {}).get("text", ""), POST_DAY) is not None for e in message.embeds
            ):
                self.per_channel[message.channel_id] += 1
        self._read = len(log)
        return self.per_channel

    def posted(self, channels: Sequence[int] | None = None) -> int:
        """How many of ``channels`` (default: all) have their post."""
        counts = self.update()
        wanted = self._wanted if channels is None else channels
        return sum(1 for c in wanted if counts[c] > 0)


class Cluster:
    """fakecord's servers and channels, the subscriptions in PostgreSQL, and the bot processes."""

    def __init__(
        self, fake: FakeDiscord, postgres: PostgresServer, folder: Path, layout: Layout, *, lead: float = 0.0
    ) -> None:
        """``lead``: seconds of the timeline before the posts fall due (0: due as the processes start)."""
        self.fake = fake
        self.postgres = postgres
        self.folder = folder
        self.layout = layout
        self.url = postgres.take_database()
        self.guilds: list[FakeGuild] = []
        self.channels: dict[int, list[FakeChannel]] = {}  # guild id -> its subscribed channels
        self.processes: list[BotProcess] = []
        self._began = time.monotonic()  # the timeline starts ``lead`` seconds before POST_AT
        self.lead = lead
        self.tally: PostTally | None = None

    # ------------------------------------------------------------------ the world

    def build_world(self) -> None:
        """The servers on every shard, each with its subscribed channels, and Discord's limits."""
        fake, layout = self.fake, self.layout
        fake.global_rate_limit = DISCORD_GLOBAL_LIMIT
        fake.recommended_shards = layout.shards
        fake.max_concurrency = layout.shards  # a large bot's bucket: every shard may IDENTIFY at once
        # The bot asks only for the guilds intent: Discord sends it no MESSAGE_CREATE for its posts.
        fake.dispatch_message_events = False
        for n in range(layout.guilds):
            guild = fake.create_guild(f"Server {n}", shard=(n % layout.shards, layout.shards))
            self.channels[guild.id] = [
                guild.add_channel(f"daily-{c}") for c in range(layout.channels_per_guild)
            ]
            self.guilds.append(guild)
        self.tally = PostTally(fake, self.channel_ids())

    def channel_ids(self, process: int | None = None) -> list[int]:
        """The subscribed channels (of the servers on ``process``'s shards)."""
        shards = None if process is None else set(self.layout.shard_ids(process))
        return [
            channel.id
            for guild in self.guilds
            if shards is None or shard_of(guild.id, self.layout.shards) in shards
            for channel in self.channels[guild.id]
        ]

    def guild_of(self, process: int) -> FakeGuild:
        """A server on ``process``'s shards."""
        shards = set(self.layout.shard_ids(process))
        return next(g for g in self.guilds if shard_of(g.id, self.layout.shards) in shards)

    async def subscribe_all(self) -> None:
        """Every channel subscribed at 09:00 Yerevan, the day before: all due at once at POST_AT."""
        db = await PostgresDatabase.open(self.url, password=self.postgres.password)
        try:
            store = subscription_store(db)
            the_day_before = POST_AT - dt.timedelta(days=1)
            semaphore = asyncio.Semaphore(8)

            async def one(guild: FakeGuild, channel: FakeChannel) -> None:
                async with semaphore:
                    await store.subscribe(
                        guild.id, channel.id, time=POST_TIME, timezone=ZONE, empty_day="upcoming",
                        created_by=guild.owner_id, now=the_day_before,
                    )  # fmt: skip

            await asyncio.gather(*(one(g, c) for g in self.guilds for c in self.channels[g.id]))
        finally:
            await db.close()

    # ------------------------------------------------------------------ the processes

    def now(self) -> dt.datetime:
        """The instant of the test's timeline now (the processes' clocks show it)."""
        return POST_AT + dt.timedelta(seconds=time.monotonic() - self._began - self.lead)

    async def until_due(self) -> bool:
        """Wait (real time) until the timeline reaches POST_AT; False if it had already."""
        ahead = (POST_AT - self.now()).total_seconds()
        if ahead <= 0:
            return False
        await asyncio.sleep(ahead)
        return True

    def make_processes(
        self,
        *,
        moderators: Sequence[int] = (),
        check_interval: float = 2.0,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        """One folder, config and data copy per process (not started)."""
        for n in range(self.layout.processes):
            folder = self.folder / f"bot-{n}"
            shutil.copytree(MINI_DATA, folder / "data")
            ids = self.layout.shard_ids(n)
            config = (
                "[discord]\n"
                'sync = "global"\n'
                f"shard_count = {self.layout.shards}\n"
                f"shard_ids = {list(ids)}\n"
                "[moderation]\n"
                f"user_ids = {list(moderators)}\n"
                "[data]\n"
                'path = "data"\n'
                "[storage]\n"
                f"url = {json.dumps(self.url)}\n"
                "[daily]\n"
                f"check_interval_seconds = {check_interval}\n"
                "max_concurrency = 10\n"
                f"lease_seconds = {lease_seconds}\n"
                "[cooldowns]\n"
                "commands_per_window = 0\n"  # no per-user cooldown: the tests query without pause
            )
            (folder / "bot.toml").write_text(config, encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BOT_", "SHARD_"))}
            env.update(
                DISCORD_TOKEN=self.fake.token,
                DISCORD_API_BASE=self.fake.api_base,
                DISCORD_GATEWAY_URL=self.fake.gateway_url,
                DATABASE_PASSWORD=self.postgres.password,
                PYTHONPATH=str(ROOT),
            )
            self.processes.append(BotProcess(f"bot-{n} (shards {ids[0]}-{ids[-1]})", ids, folder, env))

    async def start(self, process: BotProcess) -> None:
        await process.start(self.now())

    async def start_all(self) -> None:
        """Start every process at once, and wait until each is ready."""
        for process in self.processes:
            await self.start(process)
        await asyncio.gather(*(p.wait_ready() for p in self.processes))

    async def wait_posted(self, count: int, channels: Sequence[int] | None = None, *, timeout: float) -> None:
        """Wait until ``count`` of ``channels`` (default: all) have their post; a failure shows the logs."""
        assert self.tally is not None
        tally = self.tally
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while tally.posted(channels) < count:
            dead = [p for p in self.processes if p.proc is not None and not p.running]
            if dead or loop.time() > end:
                what = (
                    ", ".join(p.name for p in dead) + " stopped"
                    if dead
                    else f"not done after {timeout:.0f} s"
                )
                logs = "\n".join(p.tail() for p in self.processes)
                raise AssertionError(f"{tally.posted(channels)} of {count} posted; {what}\n{logs}")
            await asyncio.sleep(0.05)

    async def fetch(self, sql: str, *args: object) -> list[Record]:
        """The rows of one query of the shared database, on a connection of the test's own."""
        db = await PostgresDatabase.open(self.url, password=self.postgres.password, max_size=1)
        try:
            return await db.fetchall(sql, *args)
        finally:
            await db.close()

    async def in_flight(self, channels: Sequence[int]) -> list[int]:
        """Those of ``channels`` whose post is started (claimed) and not recorded as done."""
        rows = await self.fetch(
            "SELECT channel_id FROM daily_pending WHERE local_date = $1 AND channel_id = ANY($2::bigint[])",
            POST_DAY, list(channels),
        )  # fmt: skip
        return [int(r["channel_id"]) for r in rows]

    async def recorded(self, channels: Sequence[int]) -> int:
        """How many of ``channels`` the database records as posted on POST_DAY."""
        rows = await self.fetch(
            "SELECT count(*) AS n FROM daily_subscriptions WHERE last_posted_date = $1 "
            "AND channel_id = ANY($2::bigint[])",
            POST_DAY, list(channels),
        )  # fmt: skip
        return int(rows[0]["n"])

    async def close(self) -> None:
        """Stop every process (SIGTERM) and give the database back."""
        await asyncio.gather(*(p.stop() for p in self.processes))
        with contextlib.suppress(Exception):
            self.postgres.give_back(self.url)


# ---------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class Answer:
    """One /about asked of one process: when it was asked and answered, and what it said."""

    process: int
    asked: float  # loop time
    answered: float
    ok: bool  # acknowledged in time, no error
    version: str | None  # the dataset version the answer names


class Queries:
    """/about asked again and again of every process (in a server of its shards), one at a time each."""

    def __init__(self, cluster: Cluster, versions: Sequence[str]) -> None:
        self.cluster = cluster
        self.versions = tuple(versions)
        self.answers: list[Answer] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._ask(n), name=f"queries to bot-{n}")
            for n in range(len(self.cluster.processes))
        ]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def of(self, process: int) -> list[Answer]:
        return [a for a in self.answers if a.process == process]

    async def _ask(self, process: int) -> None:
        fake = self.cluster.fake
        guild = self.cluster.guild_of(process)
        user = fake.users[guild.owner_id]
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            asked = loop.time()
            result = await fake.slash("about", guild=guild, user=user)
            text = result.text if result.acknowledged else ""
            version = next((v for v in self.versions if f"Dataset {v}" in text), None)
            ok = result.acknowledged and not result.timed_out and not result.failed and version is not None
            self.answers.append(Answer(process, asked, loop.time(), ok, version))

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
        """Wait until ``predicate()`` holds (checked after each answer)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not predicate():
            if loop.time() > end:
                logs = "\n".join(p.tail() for p in self.cluster.processes)
                raise TimeoutError(f"not {what} after {timeout:.0f} s\n{logs}")
            await asyncio.sleep(0.01)

    def first(self, process: int, version: str) -> Answer | None:
        """The first answer of ``process`` naming ``version``."""
        return next((a for a in self.of(process) if a.version == version), None)


async def reload_through_one_process(cluster: Cluster) -> tuple[Queries, float]:
    """A moderator uploads a new resolutions.yaml with /admin reload in one server; /about is asked of
    every process before, during and after, until each serves the new version (and once more).

    Returns the answers and when the moderator saw the reload's report (loop time).
    """
    fake = cluster.fake
    processes = range(len(cluster.processes))
    queries = Queries(cluster, (OLD_VERSION, NEW_VERSION))
    queries.start()
    try:
        await queries.wait_for(
            lambda: all(len(queries.of(n)) >= 3 for n in processes), timeout=60, what="answering"
        )
        text = (MINI_DATA / "resolutions.yaml").read_text(encoding="utf-8")
        assert f'version: "{OLD_VERSION}"' in text
        upload = text.replace(f'version: "{OLD_VERSION}"', f'version: "{NEW_VERSION}"').encode()
        result = await fake.slash(
            "admin reload",
            guild=fake.guild,
            user=fake.world.mod,
            attachments={"file": ("resolutions.yaml", upload)},
            check_permissions=False,  # /admin is for administrators unless a server opens it
        )
        assert result.acknowledged
        assert not result.timed_out
        await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=30.0)
        assert "Data reloaded" in result.text
        assert NEW_VERSION in result.text
        reported = asyncio.get_running_loop().time()
        await queries.wait_for(
            lambda: all(queries.first(n, NEW_VERSION) for n in processes),
            timeout=PROPAGATION_TIMEOUT,
            what=f"every process serving {NEW_VERSION}",
        )
        asked = [len(queries.of(n)) for n in processes]
        await queries.wait_for(
            lambda: all(len(queries.of(n)) > asked[n] for n in processes), timeout=60, what="answering after"
        )
    finally:
        await queries.stop()
    return queries, reported
