"""Autocomplete choices: at most 25, each within Discord's 100-character limits, never an error."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from discord import app_commands

from bot.core.answers import Candidate
from bot.core.timezones import suggest_timezones
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
