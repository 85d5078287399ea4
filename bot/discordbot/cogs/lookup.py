"""The lookup commands: /jurisdiction, /resolution, /date, /onthisday, /timeline and /list.

Each command asks the engine of the data in use at call time, so a reload takes effect at
once. Autocomplete serves at most 25 choices from the in-memory index; the command itself
re-validates whatever text was submitted (users can type anything).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Answer, Candidate
from bot.core.clock import today_in
from bot.core.engine import MAX_QUERY_LENGTH, QueryEngine
from bot.core.i18n import current
from bot.core.matching import ranking  # noqa: F401 - numpy loaded with the bot, not by its first /resolution
from bot.core.model import Kind, Level
from bot.core.timezones import resolve_timezone
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.cache import EngineCache
from bot.discordbot.checks import anywhere, cooldown
from bot.discordbot.choices import TimeZoneOption, suggest
from bot.discordbot.language import current_settings
from bot.discordbot.pictures import reply_with_picture
from bot.discordbot.replay import Ask

log = logging.getLogger(__name__)

SUGGESTION_CACHE_SIZE = 4096
ANSWER_CACHE_SIZE = 1024
ANSWER_KEY_LIMIT = 4 * MAX_QUERY_LENGTH
YEAR_MIN, YEAR_MAX = 1, 9999

LEVEL_CHOICES = [app_commands.Choice(name=level.label, value=level.value) for level in Level]
KIND_CHOICES = [app_commands.Choice(name=kind.label, value=kind.value) for kind in Kind]

# Text options carry no max_length: the engine re-validates every submitted text and explains
# its limit ("at most 200 characters") instead of Discord's client silently cutting the input.
Query = str


class LookupCog(commands.Cog, name="Lookup"):
    """Questions about resolutions, places and dates."""

    help_examples: ClassVar[dict[str, str]] = {
        "jurisdiction": "/jurisdiction name: California",
        "resolution": "/resolution query: AJR 32",
        "date": "/date when: nov 2020",
        "onthisday": "/onthisday date: 25 november",
        "timeline": "/timeline from_year: 1988 to_year: 1994",
        "list": "/list level: Cities country: United States",
    }

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        self.suggestions: EngineCache[list[app_commands.Choice[str]]] = EngineCache(SUGGESTION_CACHE_SIZE)
        self.answers: EngineCache[Answer] = EngineCache(ANSWER_CACHE_SIZE)
        bot.replayers.update(
            jurisdiction=self._jurisdiction,
            resolution=self._resolution,
            date=self._date,
            onthisday=self._onthisday,
            timeline=self._timeline,
            list=self._list,
        )

    @property
    def engine(self) -> QueryEngine:
        """The engine of the data in use now."""
        return self.bot.engine

    def _suggest(
        self, option: str, source: Callable[[str, int], list[Candidate]], typed: str, *extra: object
    ) -> list[app_commands.Choice[str]]:
        """Cached autocomplete for one option (the engine is immutable; a reload clears the cache)."""
        text = typed[: MAX_QUERY_LENGTH + 1]  # longer is invalid anyway; keeps cache keys small
        key = (option, text, current(), *extra)  # the labels are in the member's language
        return self.suggestions.get(self.engine, key, lambda: suggest(source, text))

    def ask(self, key: tuple[object, ...], compute: Callable[[QueryEngine], Answer]) -> Answer:
        """The engine's answer for ``key``, cached per engine (same engine, same question, same answer)."""
        engine = self.engine  # the engine in use now: a reload between calls takes effect at once
        key = (current(), *key)  # the same question in another language is another answer
        if len(str(key)) > ANSWER_KEY_LIMIT:
            return compute(engine)  # overlong input is answered (INVALID) but not cached
        return self.answers.get(engine, key, lambda: compute(engine))

    def _jurisdiction(self, value: str) -> Answer:
        return self.ask(("jurisdiction", value), lambda e: e.jurisdiction(value))

    def _resolution(self, value: str) -> Answer:
        return self.ask(("resolution", value), lambda e: e.resolution(value))

    def _date(self, when: str, today: str) -> Answer:
        day = dt.date.fromisoformat(today)
        return self.ask(("date", when, day), lambda e: e.date(when, today=day))

    def _onthisday(self, date: str, today: str) -> Answer:
        day = dt.date.fromisoformat(today)
        return self.ask(("onthisday", date, day), lambda e: e.on_this_day(date or None, today=day))

    def _timeline(self, from_year: str = "", to_year: str = "") -> Answer:
        first, last = (int(y) if y else None for y in (from_year, to_year))
        return self.ask(("timeline", first, last), lambda e: e.timeline(first, last))

    def _list(self, level: str = "", country: str = "", kind: str = "") -> Answer:
        return self.ask(
            ("list", level, country, kind),
            lambda e: e.list_records(level or None, country or None, kind or None),
        )

    async def server_zone(self, interaction: discord.Interaction[Any]) -> ZoneInfo | None:
        """The server's time zone: its /settings timezone, else its daily post's (this channel's first).

        None (UTC) when it has neither.
        """
        settings = current_settings()
        if settings is not None and settings.timezone:
            try:
                return resolve_timezone(settings.timezone, exact=True)
            except ValueError:  # a zone this machine's tzdata no longer knows: as without a setting
                log.warning("Guild %s: unknown time zone %r", interaction.guild_id, settings.timezone)
        if interaction.guild_id is None:
            return None
        try:
            subscriptions = await self.bot.subscriptions.list_for_guild(interaction.guild_id)
            subscriptions.sort(key=lambda s: (s.channel_id != interaction.channel_id, not s.active))
            return subscriptions[0].zone if subscriptions else None
        except Exception:  # the store or tzdata failing must not cost the answer: UTC
            log.warning("No daily-post time zone for guild %s", interaction.guild_id, exc_info=True)
            return None

    def today(self, zone: ZoneInfo | None = None) -> dt.date:
        """Today's date from the injected clock, in ``zone`` (UTC when None)."""
        return today_in(self.bot.clock, zone)

    # ------------------------------------------------------------------ /jurisdiction

    @app_commands.command(name="jurisdiction")
    @anywhere()
    @app_commands.describe(name="A country, state, region, city or parliament: France, California, Lyon")
    @cooldown()
    async def jurisdiction(self, interaction: discord.Interaction[Any], name: Query) -> None:
        """What a country, state, region or city adopted about Artsakh, with sources."""
        await self.bot.reply(interaction, self._jurisdiction(name), ask=Ask("jurisdiction", (name,)))

    @jurisdiction.autocomplete("name")
    async def jurisdiction_name(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Places, countries and parliaments matching what is typed."""
        return self._suggest("jurisdiction", self.engine.suggest_jurisdictions, current)

    # ------------------------------------------------------------------ /resolution

    @app_commands.command(name="resolution")
    @anywhere()
    @app_commands.describe(query="A title, number or words from a resolution: AJR 32, genocide, 305 to 1")
    @cooldown()
    async def resolution(self, interaction: discord.Interaction[Any], query: Query) -> None:
        """Find a resolution or statement by its title, number or words."""
        await self.bot.reply(interaction, self._resolution(query), ask=Ask("resolution", (query,)))

    @resolution.autocomplete("query")
    async def resolution_query(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Resolutions matching what is typed."""
        return self._suggest("resolution", self.engine.suggest_resolutions, current)

    # ------------------------------------------------------------------ /date

    @app_commands.command(name="date")
    @anywhere()
    @app_commands.describe(when="A date, a month, a year or a range: 2020-11-25, nov 2020, 2014, 2012-2014")
    @cooldown()
    async def date(self, interaction: discord.Interaction[Any], when: Query) -> None:
        """What was adopted or happened on a date, in a month, a year or a range of years."""
        today = self.today().isoformat()
        await self.bot.reply(interaction, self._date(when, today), ask=Ask("date", (when, today)))

    # ------------------------------------------------------------------ /onthisday

    @app_commands.command(name="onthisday")
    @anywhere()
    @app_commands.describe(
        date="A day and month (default: today): 25 november, 11-25, 2020-11-25",
        timezone="Whose today (default: the server's, else its daily post's, else UTC): Asia/Yerevan",
    )
    @cooldown()
    async def onthisday(
        self,
        interaction: discord.Interaction[Any],
        date: Query | None = None,
        timezone: TimeZoneOption | None = None,
    ) -> None:
        """Resolutions and events of Artsakh's history on this day, or on any day."""
        zone = timezone if timezone is not None else await self.server_zone(interaction)
        today = self.today(zone).isoformat()
        args = (date or "", today)
        await self.bot.reply(interaction, self._onthisday(*args), ask=Ask("onthisday", args))

    # ------------------------------------------------------------------ /timeline

    @app_commands.command(name="timeline")
    @anywhere()
    @app_commands.describe(
        from_year="The first year to show, like 1988 (default: the start)",
        to_year="The last year to show, like 1994 (default: the end)",
    )
    @cooldown()
    async def timeline(
        self,
        interaction: discord.Interaction[Any],
        from_year: app_commands.Range[int, YEAR_MIN, YEAR_MAX] | None = None,
        to_year: app_commands.Range[int, YEAR_MIN, YEAR_MAX] | None = None,
    ) -> None:
        """Key dates of Artsakh's history, oldest first, with a timeline picture."""
        years = tuple("" if y is None else str(y) for y in (from_year, to_year))
        answer, engine = self._timeline(*years), self.engine
        await reply_with_picture(
            self.bot, interaction, answer, ("timeline", *years), lambda: engine.timeline_data(answer),
            ask=Ask("timeline", years),
        )

    # ------------------------------------------------------------------ /list

    @app_commands.command(name="list")
    @anywhere()
    @app_commands.describe(
        level="Which kind of place: national, state, region, county, city or supranational",
        country="A country: United States, France, Australia",
        kind="What the act does: recognition, call for recognition, self-determination…",
    )
    @app_commands.choices(level=LEVEL_CHOICES, kind=KIND_CHOICES)
    @cooldown()
    async def list_records(
        self,
        interaction: discord.Interaction[Any],
        level: str | None = None,
        country: Query | None = None,
        kind: str | None = None,
    ) -> None:
        """List resolutions by level, country and kind, newest first."""
        args = (level or "", country or "", kind or "")
        await self.bot.reply(interaction, self._list(*args), ask=Ask("list", args), slot=1)

    @list_records.autocomplete("country")
    async def list_country(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Countries matching what is typed, with their record counts."""
        return self._suggest("country", self.engine.suggest_countries, current)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the lookup cog needs an ArtsakhBot")
    await bot.add_cog(LookupCog(bot))
