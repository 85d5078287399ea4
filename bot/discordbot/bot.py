"""The Discord bot object: wiring only; commands live in cogs.

Everything the bot depends on is injected (configuration, clock, data store, database, and the
subscription store, made from the database unless given), so tests build it with a ManualClock,
a temporary database, short timeouts, and a store that fails on demand. ``setup_hook`` loads the
cogs and syncs the command tree only when it changed since the last sync.

The bot is an ``AutoShardedBot``: it runs the shards ``discord.shard_ids`` of ``discord.shard_count``
(all of them when only the count is set), or, with neither set, as many shards as Discord recommends,
all in this process. It owns the servers of its shards (:meth:`ArtsakhBot.owns_guild`).

Cogs are extensions (a module with ``async def setup(bot)``). The default set is
:data:`CORE_EXTENSIONS` plus any of :data:`OPTIONAL_EXTENSIONS` that exist, so the daily-post
and admin cogs plug in by adding their module.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import logging
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.config import Config
from bot.core.answers import Answer
from bot.core.clock import Clock
from bot.core.dataset_sync import DatasetSync
from bot.core.engine import QueryEngine
from bot.core.i18n import _
from bot.core.image_dataset import ImageSync
from bot.core.processes import BEAT_SECONDS, ProcessHeartbeat, Vitals
from bot.core.release import give_back_memory
from bot.core.reloading import DataStore
from bot.core.shards import Shards
from bot.core.subscriptions import SubscriptionStore
from bot.discordbot.cooldowns import Cooldowns
from bot.discordbot.errors import BotTree
from bot.discordbot.identify import IdentifyGate
from bot.discordbot.language import current_settings
from bot.discordbot.replay import Ask, KeptAsks
from bot.discordbot.respond import send_answer
from bot.discordbot.sync import SyncResult, SyncTarget, sync_tree, targets_for
from bot.discordbot.translator import CommandTranslator
from bot.discordbot.views import DYNAMIC_ITEMS
from bot.pictures.service import Picture, PictureService, geo_folder
from bot.storage.datasets import dataset_ledger
from bot.storage.processes import process_registry
from bot.storage.settings import settings_store
from bot.storage.state import StateDatabase, subscription_store

log = logging.getLogger(__name__)

CORE_EXTENSIONS: tuple[str, ...] = (
    "bot.discordbot.cogs.lookup",
    "bot.discordbot.cogs.info",
    "bot.discordbot.cogs.maps",
)
OPTIONAL_EXTENSIONS: tuple[str, ...] = (
    "bot.discordbot.cogs.daily",
    "bot.discordbot.cogs.admin",
    "bot.discordbot.cogs.health",
    "bot.discordbot.cogs.settings",
)
DEFAULT_VIEW_TIMEOUT = 180.0  # seconds; well inside the 15-minute life of an interaction token
GC_THRESHOLDS = (10_000, 20, 20)  # CPython's default is (700, 10, 10)
# The least the bot needs: guilds (servers, their channels and the bot's own member, for
# permissions, channel deletes and leaving a server). Slash commands and autocomplete arrive
# as interactions, which need no intent; no message, member, reaction or typing events.
INTENTS = discord.Intents(guilds=True)
PRESENCE = discord.Activity(type=discord.ActivityType.listening, name="/help")


def settle_memory() -> None:
    """Collect once, then exempt everything alive (the dataset and its indexes) from the cyclic GC.

    The data is large and long-lived; without this every full collection walks it and stalls the
    event loop for hundreds of milliseconds (measured: 0.5 s at 100,000 jurisdictions). Frozen
    objects are still freed by reference counting, so an old dataset goes away after a reload.
    The runner calls this once the data is loaded; call it again after a reload. Young
    collections are also made rarer (the bot allocates many short-lived objects per interaction).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    give_back_memory()  # what the build used and freed goes back to the system


def default_extensions() -> tuple[str, ...]:
    """The core cogs plus the optional ones whose modules exist."""
    found = tuple(name for name in OPTIONAL_EXTENSIONS if importlib.util.find_spec(name) is not None)
    return CORE_EXTENSIONS + found


# The bot never joins a voice channel: no start-up warnings about voice libraries it does not use.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class ArtsakhBot(commands.AutoShardedBot):
    """The bot: slash commands only, the guilds intent only, no mentions ever; its own shards."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        datastore: DataStore[QueryEngine],
        database: StateDatabase,
        *,
        extensions: Sequence[str] | None = None,
        view_timeout: float | None = DEFAULT_VIEW_TIMEOUT,
        guild_ready_timeout: float = 2.0,
        heartbeat_timeout: float = 60.0,
        reidentify_delay: float = 5.0,
        sync_on_start: bool = True,
        subscriptions: SubscriptionStore | None = None,
        shipped: ImageSync | None = None,
        pictures: PictureService | None = None,
        follow_data: bool = True,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=INTENTS,
            tree_cls=BotTree,
            allowed_mentions=discord.AllowedMentions.none(),
            activity=PRESENCE,
            guild_ready_timeout=guild_ready_timeout,
            heartbeat_timeout=heartbeat_timeout,
            max_messages=None,  # slash commands only: no message cache to fill
            shard_count=config.discord.shard_count,  # None: Discord's recommended count
            # None: every shard of the count (discord.py's annotation says list only)
            shard_ids=list(config.discord.shard_ids) if config.discord.shard_ids is not None else None,  # type: ignore[arg-type]
        )
        self.config = config
        self.clock = clock
        self.datastore = datastore
        self.database = database
        self.subscriptions = subscriptions or subscription_store(database)
        self.settings = settings_store(database)  # /settings: language, time zone, public or private
        self.extension_names: tuple[str, ...] = (
            tuple(extensions) if extensions is not None else default_extensions()
        )
        self.view_timeout = view_timeout
        # long questions are kept in memory for their buttons (short ones live in the custom id)
        self.kept_asks = KeptAsks(config.answers.max_live_views)
        self.reidentify_delay = reidentify_delay
        self.identify_gate = IdentifyGate(reidentify_delay)
        self.sync_on_start = sync_on_start
        self.cooldowns = Cooldowns(
            config.cooldowns.commands_per_window, config.cooldowns.window_seconds, clock
        )
        self.sync_results: list[SyncResult] = []
        # command -> how to answer it again from its arguments (page buttons, candidate menus)
        self.replayers: dict[str, Callable[..., Answer]] = {}
        self.shipped = shipped or ImageSync()  # what start-up did with the shipped dataset
        self.pictures = pictures or PictureService(geo_folder(Path(config.data.path) / "geo"))
        # every reload is stored in the database; the latest stored revision is followed
        self.dataset_sync = DatasetSync(
            datastore, dataset_ledger(database), clock=clock, keep=config.data.history_keep,
            process=f"{socket.gethostname()}:{os.getpid()}",
        )
        self.follow_data = follow_data  # False (python -m bot sync): no data folder rule, no following
        self._following: asyncio.Task[None] | None = None
        # this process in the database's list of live processes (/admin status, the daily pace)
        self.process = ProcessHeartbeat(
            process_registry(database),
            clock,
            host=socket.gethostname(),
            pid=os.getpid(),
            vitals=self.vitals,
            max_rate=config.daily.max_rate,
            problem=lambda: self.dataset_sync.last_error,  # a stored reload this process could not load
        )
        self.dataset_sync.process = self.process.process_id  # one name in logs, reports and /admin status
        self.dataset_sync.on_change.append(self._dataset_changed)
        self._reports: set[asyncio.Task[None]] = set()
        self.daily_backlog: Callable[[], int] = lambda: 0  # the daily cog tells how many posts are due
        self.beat_interval = BEAT_SECONDS
        self._beats_stop = asyncio.Event()
        self._beats: asyncio.Task[None] | None = None
        self._shutdown: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------ data

    @property
    def engine(self) -> QueryEngine:
        """The query engine of the data in use now (a reload swaps it between calls)."""
        return self.datastore.current.built

    def data_notice(self) -> str | None:
        """A warning for /about when a newer shipped dataset was held back at start, else None."""
        return self.shipped.notice(self.datastore.current.dataset.info.version)

    def data_footer(self) -> str:
        """The footer naming the dataset version."""
        return _("Dataset {version}").format(version=self.datastore.current.dataset.info.version)

    def replay(self, ask: Ask) -> Answer | None:
        """The answer to ``ask`` now (a page button or a candidate menu asks again), or None."""
        replayer = self.replayers.get(ask.command)
        if replayer is None:
            return None
        try:
            return replayer(*ask.args)
        except TypeError:  # an ask written for another version of the command
            log.info("Cannot answer %r again", ask)
            return None

    async def reply(
        self,
        interaction: discord.Interaction[Any],
        answer: Answer,
        *,
        ask: Ask | None = None,
        slot: int = 0,
        private: bool = False,
        picture: Picture | None = None,
    ) -> None:
        """Send ``answer`` the bot's way: a card or a list with its menus, public or private, a picture above.

        ``ask`` is the question again (a command in :attr:`replayers` and its arguments), for the
        page buttons and the candidate menu; a picked candidate replaces argument ``slot``.
        """
        settings = current_settings()
        await send_answer(
            interaction,
            answer,
            dataset=self.datastore.current.dataset,
            footer=self.data_footer(),
            ask=ask,
            slot=slot,
            private=private or (settings is not None and settings.private_answers),
            kept=self.kept_asks,
            picture=picture,
        )

    # ------------------------------------------------------------------ this process

    def vitals(self) -> Vitals:
        """What this process's heartbeat reports: its shards, gateway latency, dataset and backlog."""
        shards = self.owned_shards
        return Vitals(
            shard_ids=tuple(sorted(shards.ids)) if shards is not None else (),
            shard_count=shards.count if shards is not None else None,
            latency=self.latency if self.shards else None,
            dataset_version=self.dataset_sync.served(),
            backlog=self.daily_backlog(),
        )

    def _dataset_changed(self) -> None:
        """Show the dataset now served in the list of live processes at once, not at the next beat."""
        if self._beats is None:  # not one of the live processes (python -m bot sync, or stopped)
            return
        served = self.dataset_sync.served()
        task = asyncio.get_running_loop().create_task(self.process.serving(served), name="dataset served")
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    async def close(self) -> None:
        """Stop following the stored dataset, disconnect, then leave the list of live processes.

        discord.py unloads the cogs first, so the daily posts end their claims before the row goes.
        Every caller (a stop signal's task, the runtime's exit, discord.py itself) waits for the one
        shutdown to finish: the database is closed only after the row is gone.
        """
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._shutdown)

    async def _close_once(self) -> None:
        if self._following is not None:
            self._following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._following
            self._following = None
        await super().close()
        self._beats_stop.set()
        task, self._beats = self._beats, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.process.stop()

    # ------------------------------------------------------------------ lifecycle

    async def setup_hook(self) -> None:
        """Start the heartbeat; register the buttons and menus, load the cogs, sync the tree if changed.

        The heartbeat (:mod:`bot.core.processes`) puts this process in the database's list of live
        processes at once, then every ``beat_interval`` seconds; :meth:`close` takes it out.
        """
        if self.follow_data:  # a serving process, not `python -m bot sync`, is one of the live ones
            self._beats_stop.clear()
            self._beats = asyncio.create_task(
                self.process.run(self._beats_stop, self.beat_interval), name="process-heartbeat"
            )
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.follow_data:  # before any interaction: serve the latest accepted dataset
            await self.dataset_sync.start()
            # A new deployment's files were just stored: what that read and wrote goes back.
            await asyncio.to_thread(give_back_memory)
            self._following = asyncio.create_task(self.dataset_sync.run(), name="dataset follow")
        await self.tree.set_translator(CommandTranslator())  # before the sync: names in fr, ru, es
        for name in self.extension_names:
            await self.load_extension(name)
            log.debug("Loaded extension %s", name)
        if self.sync_on_start:
            await self.sync_commands()

    async def sync_commands(
        self, *, force: bool = False, targets: Sequence[SyncTarget] | None = None
    ) -> list[SyncResult]:
        """Sync to ``targets`` (default: the configured ones) when changed, always with ``force``."""
        if targets is None:
            discord_config = self.config.discord
            targets = targets_for(discord_config.sync, discord_config.guild_ids)
        if not targets:
            log.info("Command sync is off in the configuration")
            self.sync_results = []
            return []
        if self.application_id is None:
            raise RuntimeError("log in before syncing commands")
        self.sync_results = await sync_tree(
            self.tree, self.database, targets, application_id=self.application_id, force=force
        )
        return self.sync_results

    @property
    def owned_shards(self) -> Shards | None:
        """The shards this process runs, once it knows the count (at connect); None before."""
        count: int | None = self.shard_count  # discord.py annotates it int; it is None until connect
        if count is None:
            return None
        ids = self.shard_ids if self.shard_ids is not None else range(count)
        return Shards(count, frozenset(ids))

    def owns_guild(self, guild_id: int) -> bool:
        """True when this process's shards carry ``guild_id`` (its daily posts too); False before connect."""
        shards = self.owned_shards
        return shards is not None and shards.owns(guild_id)

    async def launch_shards(self) -> None:
        """Ask Discord for the IDENTIFY concurrency (and the shard count when unset), then connect.

        ``GET /gateway/bot`` gives both. discord.py would then connect to the gateway URL Discord
        names; this connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` (Discord's, or
        ``discord.gateway_url``), as an unsharded client does.
        """
        if self.is_closed():
            return
        recommended, _url, limits = await self.http.get_bot_gateway()
        self.identify_gate.max_concurrency = int(limits.get("max_concurrency") or 1)
        count: int | None = self.shard_count  # None when not configured
        if count is None:
            self.shard_count = recommended
        await super().launch_shards()

    async def on_ready(self) -> None:
        """Say clearly that the bot is up."""
        shards = self.owned_shards
        where = f" on {shards.label}" if shards is not None else ""
        log.info("Ready as %s in %d guilds%s", self.user, len(self.guilds), where)

    async def on_resumed(self) -> None:
        """Note a resumed gateway session."""
        log.info("Gateway session resumed")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait until Discord lets this shard IDENTIFY (:mod:`bot.discordbot.identify`).

        Tests set the interval (``reidentify_delay``) to 0.
        """
        waited = await self.identify_gate.wait(shard_id or 0)
        if waited:
            log.info("Shard %s waited %.1f s to identify", shard_id, waited)
