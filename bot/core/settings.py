"""A server's own settings: the language of its answers, its default time zone, public or private answers.

Set with ``/settings`` by members who may manage the server; every change is kept in the state
(who, when, from what to what) and logged. A setting never set is None: the bot's defaults apply.

The language of an answer (:func:`answer_language`): the server's setting when it has one, else
the member's Discord client language when the bot speaks it, else English. Daily posts are
written in the server's language (English when it has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from bot.core.i18n import DEFAULT, LANGUAGES, normalise

Setting = Literal["language", "timezone", "answers"]
SETTINGS: tuple[Setting, ...] = get_args(Setting)
AnswersMode = Literal["public", "private"]
ANSWERS_MODES: tuple[AnswersMode, ...] = get_args(AnswersMode)


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's settings; None: not set (the default applies)."""

    guild_id: int
    language: str | None = None  # one of bot.core.i18n.LANGUAGES
    timezone: str | None = None  # an IANA name
    answers: AnswersMode | None = None  # None: found answers are public

    @property
    def private_answers(self) -> bool:
        """True when answers are private by default in this server."""
        return self.answers == "private"


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One change of one setting, as kept in the state."""

    guild_id: int
    setting: Setting
    old: str | None
    new: str | None
    changed_by: int
    changed_at: dt.datetime  # aware UTC


class SettingsStore(Protocol):
    """Where servers' settings are kept (both state backends implement it)."""

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (all None when it never set any)."""
        ...

    async def change(
        self, guild_id: int, setting: Setting, value: str | None, *, by: int, now: dt.datetime
    ) -> SettingChange:
        """Set (or with None, reset) one setting and keep the change, in one transaction."""
        ...

    async def history(self, guild_id: int, limit: int = 20) -> list[SettingChange]:
        """The server's latest changes, newest first."""
        ...


def checked_value(setting: Setting, value: str | None) -> str | None:
    """``value`` as stored for ``setting`` (None resets it); ValueError when it is not one it takes."""
    if value is None:
        return None
    if setting == "language":
        language = normalise(value)
        if language is None or language != value:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return language
    if setting == "answers":
        if value not in ANSWERS_MODES:
            raise ValueError(f"answers must be one of {', '.join(ANSWERS_MODES)}")
        return value
    if not value:
        raise ValueError("a time zone needs a name")
    return value


def answer_language(settings: GuildSettings | None, client_locale: str | None) -> str:
    """The server's language, else the member's client language when it is one of ours, else English."""
    if settings is not None and settings.language:
        return settings.language
    return normalise(client_locale) or DEFAULT


def post_language(settings: GuildSettings | None) -> str:
    """The language of a server's daily posts: its setting, else English."""
    return settings.language if settings is not None and settings.language else DEFAULT
