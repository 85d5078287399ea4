"""The Discord bot object: wiring only; commands live in cogs.

Everything the bot depends on is injected (configuration, clock, data store, database, and the
subscription store, made from the database unless given), so tests build it with a ManualClock,
a temporary database, short timeouts, and a store that fails on demand. ``setup_hook`` loads the
cogs and syncs the command tree only when it changed since the last sync.

Cogs are extensions (a module with ``async def setup(bot)``). The default set is
:data:`CORE_EXTENSIONS` plus any of :data:`OPTIONAL_EXTENSIONS` that exist, so the daily-post
and admin cogs plug in by adding their module.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.config import Config
from bot.core.answers import Answer
from bot.core.clock import Clock
from bot.core.engine import QueryEngine
from bot.core.i18n import _
from bot.core.image_dataset import ImageSync
from bot.core.reloading import DataStore
from bot.core.subscriptions import SubscriptionStore
from bot.discordbot.cooldowns import Cooldowns
from bot.discordbot.errors import BotTree
from bot.discordbot.language import current_settings
from bot.discordbot.replay import Ask, KeptAsks
from bot.discordbot.respond import send_answer
from bot.discordbot.sync import SyncResult, SyncTarget, sync_tree, targets_for
from bot.discordbot.translator import CommandTranslator
from bot.discordbot.views import DYNAMIC_ITEMS
from bot.pictures.service import Picture, PictureService, geo_folder
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


def default_extensions() -> tuple[str, ...]:
    """The core cogs plus the optional ones whose modules exist."""
    found = tuple(name for name in OPTIONAL_EXTENSIONS if importlib.util.find_spec(name) is not None)
    return CORE_EXTENSIONS + found


# The bot never joins a voice channel: no start-up warnings about voice libraries it does not use.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class ArtsakhBot(commands.Bot):
    """The bot: slash commands only, the guilds intent only, no mentions ever."""

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
        self.sync_on_start = sync_on_start
        self.cooldowns = Cooldowns(
            config.cooldowns.commands_per_window, config.cooldowns.window_seconds, clock
        )
        self.sync_results: list[SyncResult] = []
        # command -> how to answer it again from its arguments (page buttons, candidate menus)
        self.replayers: dict[str, Callable[..., Answer]] = {}
        self.shipped = shipped or ImageSync()  # what start-up did with the shipped dataset
        self.pictures = pictures or PictureService(geo_folder(Path(config.data.path) / "geo"))

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

    # ------------------------------------------------------------------ lifecycle

    async def setup_hook(self) -> None:
        """Register the answers' buttons and menus, load the cogs, sync the command tree if it changed."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
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

    async def on_ready(self) -> None:
        """Say clearly that the bot is up."""
        log.info("Ready as %s in %d guilds", self.user, len(self.guilds))

    async def on_resumed(self) -> None:
        """Note a resumed gateway session."""
        log.info("Gateway session resumed")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait before re-identifying (Discord asks for it); tests set the delay to 0."""
        if not initial and self.reidentify_delay > 0:
            await asyncio.sleep(self.reidentify_delay)
