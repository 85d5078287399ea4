"""The bot's configuration: an optional TOML file, the environment and a ``.env`` file.

Every key has a working default, so the bot runs with no file at all. The Discord token
is never read from the file: it comes from ``DISCORD_TOKEN`` in the environment (or a
``.env`` file in the working folder, which never overrides real environment variables).
A wrong value raises :class:`ConfigError` with one line naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

log = logging.getLogger(__name__)

SyncMode = Literal["guild", "global", "off"]
EmptyDay = Literal["upcoming", "skip"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\Z")

_V = TypeVar("_V")


class ConfigError(Exception):
    """A configuration problem; ``str()`` is one line meant for the person running the bot."""


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """[discord]: how to talk to Discord."""

    sync: SyncMode = "global"
    guild_ids: tuple[int, ...] = ()
    api_base: str = ""  # "" = discord.com; a test server's http://127.0.0.1:PORT/api/v10
    gateway_url: str = ""  # "" = what Discord says; a test server's ws://127.0.0.1:PORT


@dataclass(frozen=True, slots=True)
class ModerationConfig:
    """[moderation]: who may reload data and where to log moderation actions."""

    user_ids: tuple[int, ...] = ()
    role_ids: tuple[int, ...] = ()
    log_channel_id: int = 0  # 0 = none


@dataclass(frozen=True, slots=True)
class DataConfig:
    """[data]: the dataset folder and the history of replaced files."""

    path: Path = Path("data")
    history_path: Path = Path("data/history")
    history_keep: int = 20


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """[storage]: the SQLite database for subscriptions and state."""

    database: Path = Path("state/bot.sqlite3")


@dataclass(frozen=True, slots=True)
class DailyConfig:
    """[daily]: the "on this day" posts."""

    check_interval_seconds: float = 30.0
    default_time: dt.time = dt.time(9, 0)
    default_timezone: str = "Asia/Yerevan"
    max_concurrency: int = 5
    empty_day: EmptyDay = "upcoming"

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a ZoneInfo."""
        return ZoneInfo(self.default_timezone)


@dataclass(frozen=True, slots=True)
class CooldownConfig:
    """[cooldowns]: per-user command rate limit."""

    commands_per_window: int = 5
    window_seconds: float = 10.0

    @property
    def enabled(self) -> bool:
        """False when either value is 0."""
        return self.commands_per_window > 0 and self.window_seconds > 0


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """[logging]."""

    level: str = "INFO"


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration. ``token`` comes only from the environment."""

    discord: DiscordConfig = field(default_factory=DiscordConfig)
    moderation: ModerationConfig = field(default_factory=ModerationConfig)
    data: DataConfig = field(default_factory=DataConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    daily: DailyConfig = field(default_factory=DailyConfig)
    cooldowns: CooldownConfig = field(default_factory=CooldownConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    token: str | None = field(default=None, repr=False)
    source: Path | None = None  # the config file read, if any


_SECTIONS: dict[str, tuple[str, ...]] = {
    "discord": ("sync", "guild_ids", "api_base", "gateway_url"),
    "moderation": ("user_ids", "role_ids", "log_channel_id"),
    "data": ("path", "history_path", "history_keep"),
    "storage": ("database",),
    "daily": ("check_interval_seconds", "default_time", "default_timezone", "max_concurrency", "empty_day"),
    "cooldowns": ("commands_per_window", "window_seconds"),
    "logging": ("level",),
}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"{value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


class _Reader:
    """Reads one table of the TOML file, raising ConfigError with the file and key named."""

    def __init__(self, where: str, section: str, table: Mapping[str, Any]) -> None:
        self.where = where
        self.section = section
        self.table = table

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.section}.{key} {message}")

    def get(self, key: str, default: _V, convert: Callable[[str, object], _V]) -> _V:
        if key not in self.table:
            return default
        return convert(key, self.table[key])

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"must be text in quotes, not {_kind(value)}")
        return value

    def choice(self, choices: tuple[str, ...]) -> Callable[[str, object], str]:
        def convert(key: str, value: object) -> str:
            if not isinstance(value, str) or value not in choices:
                allowed = ", ".join(f"'{c}'" for c in choices[:-1]) + f" or '{choices[-1]}'"
                raise self.fail(key, f"must be one of {allowed}, not {_kind(value)}")
            return value

        return convert

    def integer(self, minimum: int) -> Callable[[str, object], int]:
        def convert(key: str, value: object) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(key, f"must be a whole number, not {_kind(value)}")
            if value < minimum:
                raise self.fail(key, f"must be at least {minimum}, not {value}")
            return value

        return convert

    def number(self, minimum: float) -> Callable[[str, object], float]:
        def convert(key: str, value: object) -> float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(key, f"must be a number, not {_kind(value)}")
            if not math.isfinite(value):
                raise self.fail(key, f"must be a finite number, not {value}")
            if value < minimum:
                raise self.fail(key, f"must be at least {minimum:g}, not {value}")
            return float(value)

        return convert

    def ids(self, key: str, value: object) -> tuple[int, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of Discord ids (numbers), not {_kind(value)}")
        out: list[int] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
                raise self.fail(
                    key, f"must be a list of Discord ids (positive numbers without quotes), not {_kind(item)}"
                )
            out.append(item)
        return tuple(out)

    def channel_id(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"must be a Discord channel id (a number, 0 for none), not {_kind(value)}")
        return value

    def path(self, base: Path) -> Callable[[str, object], Path]:
        def convert(key: str, value: object) -> Path:
            text = self.string(key, value).strip()
            if not text:
                raise self.fail(key, "must not be empty")
            given = Path(text).expanduser()
            return given if given.is_absolute() else base / given

        return convert

    def url(self, schemes: tuple[str, ...]) -> Callable[[str, object], str]:
        def convert(key: str, value: object) -> str:
            text = self.string(key, value).strip()
            if text and not _is_url(text, schemes):
                raise self.fail(
                    key, f"must be empty or a URL starting with {_schemes(schemes)}, not {text!r}"
                )
            return text.rstrip("/")

        return convert

    def time_of_day(self, key: str, value: object) -> dt.time:
        text = self.string(key, value).strip()
        match = _TIME_RE.match(text)
        if not match:
            raise self.fail(key, f"must be a time of day as 'HH:MM' (24-hour), not {text!r}")
        return dt.time(int(match.group(1)), int(match.group(2)))

    def timezone(self, key: str, value: object) -> str:
        text = self.string(key, value).strip()
        if not _valid_zone(text):
            raise self.fail(key, f"must be an IANA time zone such as 'Asia/Yerevan', not {text!r}")
        return text

    def log_level(self, key: str, value: object) -> str:
        text = self.string(key, value).strip().upper()
        if text not in LOG_LEVELS:
            raise self.fail(key, f"must be one of {', '.join(LOG_LEVELS)}, not {_kind(value)}")
        return text


def _is_url(text: str, schemes: tuple[str, ...]) -> bool:
    parts = urlsplit(text)
    return parts.scheme in schemes and bool(parts.netloc)


def _schemes(schemes: tuple[str, ...]) -> str:
    return " or ".join(f"{s}://" for s in schemes)


def _env_url(environ: Mapping[str, str], name: str, schemes: tuple[str, ...], default: str) -> str:
    """The URL in environment variable ``name`` (without a trailing ``/``), or ``default`` when unset."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not _is_url(text, schemes):
        raise ConfigError(f"{name} must be a URL starting with {_schemes(schemes)}, not {text!r}")
    return text.rstrip("/")


def _valid_zone(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _check_keys(where: str, raw: Mapping[str, Any]) -> None:
    for section, value in raw.items():
        if section not in _SECTIONS:
            close = get_close_matches(section, _SECTIONS, n=1, cutoff=0.6)
            hint = f" (did you mean [{close[0]}]?)" if close else f" (known: {', '.join(_SECTIONS)})"
            raise ConfigError(f"{where}: unknown section [{section}]{hint}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {section} must be a table ([{section}]), not {_kind(value)}")
        for key in value:
            if key not in _SECTIONS[section]:
                close = get_close_matches(key, _SECTIONS[section], n=1, cutoff=0.6)
                hint = (
                    f" (did you mean {section}.{close[0]}?)" if close
                    else f" (known: {', '.join(_SECTIONS[section])})"
                )
                raise ConfigError(f"{where}: unknown key {section}.{key}{hint}")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file: {err.strerror or err}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path.name}: invalid TOML: {err}") from None


def _environment(env: Mapping[str, str], dotenv_path: Path | None) -> dict[str, str]:
    """The environment, filled in (never overridden) by the ``.env`` file when there is one."""
    merged: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(env)
    return merged


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    dotenv_path: Path | None = Path(".env"),
    cwd: Path | None = None,
) -> Config:
    """Read the configuration.

    ``path`` is ``--config``; when None, ``BOT_CONFIG`` from the environment; when that
    is unset too, only defaults apply. ``env`` defaults to ``os.environ``.
    ``dotenv_path`` (relative to the working folder) may supply variables missing from
    ``env``. Relative paths in the file resolve against the file's folder (or ``cwd``).
    """
    cwd = cwd or Path.cwd()
    if dotenv_path is not None and not dotenv_path.is_absolute():
        dotenv_path = cwd / dotenv_path
    environ = _environment(os.environ if env is None else env, dotenv_path)
    if path is None and environ.get("BOT_CONFIG", "").strip():
        path = Path(environ["BOT_CONFIG"].strip())
    raw: dict[str, Any] = {}
    base = cwd
    where = "config"
    if path is not None:
        path = path.expanduser()
        if not path.is_absolute():
            path = cwd / path
        raw = _read_file(path)
        base = path.parent
        where = path.name
        _check_keys(where, raw)

    def section(name: str) -> _Reader:
        return _Reader(where, name, cast(Mapping[str, Any], raw.get(name, {})))

    d = section("discord")
    discord = DiscordConfig(
        sync=cast(SyncMode, d.get("sync", "global", d.choice(("guild", "global", "off")))),
        guild_ids=d.get("guild_ids", (), d.ids),
        api_base=d.get("api_base", "", d.url(("http", "https"))),
        gateway_url=d.get("gateway_url", "", d.url(("ws", "wss"))),
    )
    discord = dataclasses.replace(
        discord,
        api_base=_env_url(environ, "DISCORD_API_BASE", ("http", "https"), discord.api_base),
        gateway_url=_env_url(environ, "DISCORD_GATEWAY_URL", ("ws", "wss"), discord.gateway_url),
    )
    if discord.sync == "guild" and not discord.guild_ids:
        raise ConfigError(f"{where}: discord.sync = 'guild' needs at least one id in discord.guild_ids")

    m = section("moderation")
    moderation = ModerationConfig(
        user_ids=m.get("user_ids", (), m.ids),
        role_ids=m.get("role_ids", (), m.ids),
        log_channel_id=m.get("log_channel_id", 0, m.channel_id),
    )

    s = section("data")
    data_path = s.get("path", base / "data", s.path(base))
    data = DataConfig(
        path=data_path,
        history_path=s.get("history_path", data_path / "history", s.path(base)),
        history_keep=s.get("history_keep", 20, s.integer(1)),
    )

    st = section("storage")
    storage = StorageConfig(database=st.get("database", base / "state" / "bot.sqlite3", st.path(base)))

    y = section("daily")
    daily = DailyConfig(
        check_interval_seconds=y.get("check_interval_seconds", 30.0, y.number(1)),
        default_time=y.get("default_time", dt.time(9, 0), y.time_of_day),
        default_timezone=y.get("default_timezone", "Asia/Yerevan", y.timezone),
        max_concurrency=y.get("max_concurrency", 5, y.integer(1)),
        empty_day=cast(EmptyDay, y.get("empty_day", "upcoming", y.choice(("upcoming", "skip")))),
    )

    c = section("cooldowns")
    cooldowns = CooldownConfig(
        commands_per_window=c.get("commands_per_window", 5, c.integer(0)),
        window_seconds=c.get("window_seconds", 10.0, c.number(0)),
    )

    lg = section("logging")
    logging_config = LoggingConfig(level=lg.get("level", "INFO", lg.log_level))

    token = environ.get("DISCORD_TOKEN", "").strip() or None
    return Config(
        discord=discord,
        moderation=moderation,
        data=data,
        storage=storage,
        daily=daily,
        cooldowns=cooldowns,
        logging=logging_config,
        token=token,
        source=path,
    )


