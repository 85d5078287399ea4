"""Autocomplete choices, and the options every command reads the same way (time zones, HH:MM).

Choices: at most 25, each within Discord's 100-character limits, never an error.

A command takes a time zone as ``timezone: TimeZoneOption`` and a time as ``time: TimeOption``:
discord.py's transformers read them with the core's one reader of each (bad input is a short
private answer) and autocomplete them the same way in every command.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.core.answers import Candidate
from bot.core.times import parse_hhmm, suggest_times
from bot.core.timezones import resolve_timezone, suggest_timezones
from bot.discordbot.errors import UserFacingError
from bot.discordbot.render import CHOICE_LIMIT, choice_text

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25

Source = Callable[[str, int], list[Candidate]]


def to_choices(candidates: list[Candidate]) -> list[app_commands.Choice[str]]:
    """At most 25 choices whose names and values fit Discord's 100-character limit."""
    choices: list[app_commands.Choice[str]] = []
    for candidate in candidates:
        if not 1 <= len(candidate.value) <= CHOICE_LIMIT:
            continue  # a value must come back exactly; never send one Discord would cut
        choices.append(app_commands.Choice(name=choice_text(candidate.label), value=candidate.value))
        if len(choices) == AUTOCOMPLETE_LIMIT:
            break
    return choices


def suggest(source: Source, current: str) -> list[app_commands.Choice[str]]:
    """Run a suggester safely (autocomplete must answer, even with nothing)."""
    try:
        return to_choices(source(current, AUTOCOMPLETE_LIMIT))
    except Exception:
        log.exception("Autocomplete failed for %r", current[:50])
        return []


def timezone_source(now: dt.datetime) -> Source:
    """IANA time zones matching what is typed, labelled with their UTC offset at ``now``."""

    def zones(text: str, limit: int) -> list[Candidate]:
        return [Candidate(label, zone) for label, zone in suggest_timezones(text, limit, now=now)]

    return zones


@lru_cache(maxsize=4096)
def _zone_choices(text: str, hour: dt.datetime) -> list[app_commands.Choice[str]]:
    return suggest(timezone_source(hour), text)


def _now(interaction: discord.Interaction[Any]) -> dt.datetime:
    """The bot's injected clock (the system's for a client without one)."""
    clock = getattr(interaction.client, "clock", None)
    return clock.now() if clock is not None else dt.datetime.now(dt.UTC)


class TimeZoneTransformer(app_commands.Transformer[Any]):
    """A time zone option: what is typed → a ZoneInfo, autocompleted with UTC offsets."""

    async def transform(self, interaction: discord.Interaction[Any], value: str, /) -> ZoneInfo:
        """The zone ``value`` names; otherwise a private answer saying what to type."""
        try:
            return resolve_timezone(value)
        except ValueError as exc:
            raise UserFacingError(str(exc)) from None

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        """Zones matching what is typed, labelled with their UTC offset this hour (cached per hour)."""
        hour = _now(interaction).replace(minute=0, second=0, microsecond=0)
        return list(_zone_choices(value[:CHOICE_LIMIT], hour))


class TimeTransformer(app_commands.Transformer[Any]):
    """A time-of-day option: ``09:00`` (also ``9:30``, ``9h30``) → a time, autocompleted."""

    async def transform(self, interaction: discord.Interaction[Any], value: str, /) -> dt.time:
        """The time ``value`` says; otherwise a private answer saying how to write it."""
        try:
            return parse_hhmm(value)
        except ValueError as exc:
            raise UserFacingError(str(exc)) from None

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        """``HH:MM`` times completing what is typed."""
        return suggest(lambda text, limit: [Candidate(t, t) for t in suggest_times(text, limit)], value)


TimeZoneOption = app_commands.Transform[ZoneInfo, TimeZoneTransformer]
TimeOption = app_commands.Transform[dt.time, TimeTransformer]
