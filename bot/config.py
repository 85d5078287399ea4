"""The bot's configuration: an optional TOML file, the environment and a ``.env`` file.

Every key has a working default, so the bot runs with no file at all. The Discord token
is never read from the file: it comes from ``DISCORD_TOKEN`` in the environment (or a
``.env`` file in the working folder, which never overrides real environment variables).
A wrong value raises :class:`ConfigError` with one line naming the key.

Each key is declared once, as a field of its section's dataclass: its name, its default and
the check that reads it from the file (``field(default=..., metadata=reads(check))``). The
sections, the known keys and the reading all follow from those fields.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import io
import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, get_args
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from bot.core.shards import parse_shard_ids, unique_ids
from bot.core.times import parse_hhmm
from bot.core.timezones import resolve_timezone
from bot.core.urls import without_password

log = logging.getLogger(__name__)

SyncMode = Literal["guild", "global", "off"]
EmptyDay = Literal["upcoming", "skip"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Discord lets a bot make 50 requests a second in all; more posts in flight than that only
# queue behind its rate limiter while each holds a connection and its memory.
MAX_DAILY_CONCURRENCY = 50
MIN_LEASE_SECONDS = 10.0

_V = TypeVar("_V")
Check = Callable[["_Reader", str, object], Any]
"""Reads one key's value from the file: (the section's reader, the key, the raw value) → the value."""


class ConfigError(Exception):
    """A configuration problem; ``str()`` is one line meant for the person running the bot."""


def reads(check: Check) -> dict[str, Check]:
    """A key's field metadata: the check that reads its value from the file."""
    return {"check": check}


# ---------------------------------------------------------------------------------------------- checks


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


def _string(r: _Reader, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise r.fail(key, f"must be text in quotes, not {_kind(value)}")
    return value


def _choice(choices: tuple[str, ...]) -> Check:
    def check(r: _Reader, key: str, value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            allowed = ", ".join(f"'{c}'" for c in choices[:-1]) + f" or '{choices[-1]}'"
            raise r.fail(key, f"must be one of {allowed}, not {_kind(value)}")
        return value

    return check


def _integer(minimum: int, maximum: int | None = None) -> Check:
    def check(r: _Reader, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise r.fail(key, f"must be a whole number, not {_kind(value)}")
        if value < minimum:
            raise r.fail(key, f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            raise r.fail(key, f"must be at most {maximum}, not {value}")
        return value

    return check


def _number(minimum: float) -> Check:
    def check(r: _Reader, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise r.fail(key, f"must be a number, not {_kind(value)}")
        if not math.isfinite(value):
            raise r.fail(key, f"must be a finite number, not {value}")
        if value < minimum:
            raise r.fail(key, f"must be at least {minimum:g}, not {value}")
        return float(value)

    return check


def _rate(r: _Reader, key: str, value: object) -> float:
    # Imported here: that module loads asyncio, which the command line's start need not pay for.
    from bot.core.processes import DISCORD_GLOBAL_LIMIT  # noqa: PLC0415

    rate = _number(1)(r, key, value)
    if rate > DISCORD_GLOBAL_LIMIT:
        limit = f"{DISCORD_GLOBAL_LIMIT:g}"
        raise r.fail(key, f"must be at most {limit} (Discord's limit for the whole bot), not {rate:g}")
    return float(rate)


def _ids(r: _Reader, key: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise r.fail(key, f"must be a list of Discord ids (numbers), not {_kind(value)}")
    out: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
            raise r.fail(
                key, f"must be a list of Discord ids (positive numbers without quotes), not {_kind(item)}"
            )
        out.append(item)
    return tuple(out)


def _shard_ids(r: _Reader, key: str, value: object) -> tuple[int, ...]:
    """Shard ids: a list of numbers (``[0, 1]``) or text (``"0,1"``, ``"0-3"``), each at most once."""
    try:
        if isinstance(value, str):
            ids = parse_shard_ids(value)
        elif isinstance(value, list) and all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
        ):
            ids = unique_ids(value)
        else:
            raise ValueError(f"must be shard numbers such as [0, 1] or '0-3', not {_kind(value)}")
    except ValueError as exc:
        message = str(exc)
        raise r.fail(key, message if message.startswith("must") else f"is wrong: {message}") from None
    if not ids:
        raise r.fail(key, "must name at least one shard")
    return ids


def _channel_id(r: _Reader, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise r.fail(key, f"must be a Discord channel id (a number, 0 for none), not {_kind(value)}")
    return value


def _path(r: _Reader, key: str, value: object) -> Path:
    """A path; a relative one is relative to the config file's folder."""
    text = _string(r, key, value).strip()
    if not text:
        raise r.fail(key, "must not be empty")
    given = Path(text).expanduser()
    return given if given.is_absolute() else r.base / given


def _url(schemes: tuple[str, ...]) -> Check:
    def check(r: _Reader, key: str, value: object) -> str:
        text = _string(r, key, value).strip()
        if text and not _is_url(text, schemes):
            raise r.fail(key, f"must be empty or a URL starting with {_schemes(schemes)}, not {text!r}")
        return text.rstrip("/")

    return check


SQLITE_SCHEME = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
DEFAULT_STORAGE_URL = SQLITE_SCHEME + "state/bot.sqlite3"


def sqlite_url(path: Path) -> str:
    """The ``storage.url`` of the SQLite file ``path``."""
    return SQLITE_SCHEME + str(path)


def sqlite_path_of(url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names (relative as written), or None for another URL."""
    return Path(url[len(SQLITE_SCHEME) :]) if url.startswith(SQLITE_SCHEME) else None


def _storage_url(r: _Reader, key: str, value: object) -> str:
    """Where the state is: ``sqlite:///path`` or ``postgresql://user@host:port/db``.

    A relative SQLite path is relative to the config file's folder (``sqlite:////abs`` is
    absolute). A PostgreSQL URL is kept without its password: the password is read apart.
    """
    text = _string(r, key, value).strip()
    shown = without_password(text)
    expected = f"must be {SQLITE_SCHEME}PATH or postgresql://USER@HOST:PORT/DATABASE, not {shown!r}"
    path = sqlite_path_of(text)
    if path is not None:
        written = text[len(SQLITE_SCHEME) :]
        if not written.strip() or written.endswith("/"):
            raise r.fail(key, f"must name the SQLite file after {SQLITE_SCHEME}, not {shown!r}")
        return sqlite_url(path.expanduser() if path.expanduser().is_absolute() else r.base / path)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise r.fail(key, expected) from None
    if parts.scheme not in POSTGRES_SCHEMES or not parts.hostname:
        raise r.fail(key, expected)
    if not parts.path.strip("/"):
        raise r.fail(key, f"must name the database: postgresql://USER@HOST/DATABASE, not {shown!r}")
    return shown


def _url_password(url: str) -> str | None:
    """The password written in ``url``, decoded, or None."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return None if password is None else unquote(password)


def _time_of_day(r: _Reader, key: str, value: object) -> dt.time:
    text = _string(r, key, value).strip()
    try:
        return parse_hhmm(text)
    except ValueError:
        raise r.fail(key, f"must be a time of day as 'HH:MM' (24-hour), not {text!r}") from None


def _timezone(r: _Reader, key: str, value: object) -> str:
    """A time zone by its exact name (legacy names and cities too), kept as its canonical name."""
    text = _string(r, key, value).strip()
    try:
        return resolve_timezone(text, exact=True).key
    except ValueError:
        raise r.fail(key, f"must be an IANA time zone such as 'Asia/Yerevan', not {text!r}") from None


def _log_level(r: _Reader, key: str, value: object) -> str:
    text = _string(r, key, value).strip().upper()
    if text not in LOG_LEVELS:
        raise r.fail(key, f"must be one of {', '.join(LOG_LEVELS)}, not {_kind(value)}")
    return text


# ---------------------------------------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """[discord]: how to talk to Discord."""

    sync: SyncMode = field(default="global", metadata=reads(_choice(get_args(SyncMode))))
    guild_ids: tuple[int, ...] = field(default=(), metadata=reads(_ids))
    # "" = discord.com; a test server's http://127.0.0.1:PORT/api/v10
    api_base: str = field(default="", metadata=reads(_url(("http", "https"))))
    # "" = what Discord says; a test server's ws://127.0.0.1:PORT
    gateway_url: str = field(default="", metadata=reads(_url(("ws", "wss"))))
    # None = Discord's recommended count (GET /gateway/bot); env SHARD_COUNT
    shard_count: int | None = field(default=None, metadata=reads(_integer(1)))
    # None = every shard of shard_count, in this process; env SHARD_IDS ("0,1" or "0-3")
    shard_ids: tuple[int, ...] | None = field(default=None, metadata=reads(_shard_ids))


@dataclass(frozen=True, slots=True)
class ModerationConfig:
    """[moderation]: who may reload data and where to log moderation actions."""

    user_ids: tuple[int, ...] = field(default=(), metadata=reads(_ids))
    role_ids: tuple[int, ...] = field(default=(), metadata=reads(_ids))
    log_channel_id: int = field(default=0, metadata=reads(_channel_id))  # 0 = none


@dataclass(frozen=True, slots=True)
class DataConfig:
    """[data]: the dataset folder, the history of replaced files, the shipped dataset."""

    path: Path = field(default=Path("data"), metadata=reads(_path))
    # not set in the file: history/ inside the data folder
    history_path: Path = field(default=Path("data/history"), metadata=reads(_path))
    history_keep: int = field(default=20, metadata=reads(_integer(1)))
    # a shipped dataset (the Docker image's) brought into `path` at start when newer; env BOT_IMAGE_DATA
    image_path: Path | None = field(default=None, metadata=reads(_path))


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """[storage]: where subscriptions and state live: a SQLite file or a PostgreSQL database.

    ``url`` says which; ``database`` is its older name for a SQLite file (``database = "x"`` is
    ``url = "sqlite:///x"``). After :func:`load_config`, ``url`` holds no password and, for
    SQLite, ``database`` the file with relative paths resolved.
    """

    url: str = field(default=DEFAULT_STORAGE_URL, metadata=reads(_storage_url))
    database: Path | None = field(default=None, metadata=reads(_path))

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None when the state is on PostgreSQL."""
        return self.database if self.database is not None else sqlite_path_of(self.url)

    @property
    def postgres_url(self) -> str | None:
        """The PostgreSQL URL (without password), or None when the state is a SQLite file."""
        return None if self.sqlite_path is not None else self.url

    @property
    def state_dir(self) -> Path:
        """The folder for this process's own files (the heartbeat).

        The SQLite file's folder; with PostgreSQL, ``state`` in the working folder.
        """
        path = self.sqlite_path
        return path.parent if path is not None else Path("state")

    @property
    def snapshot_dir(self) -> Path | None:
        """Where validated datasets are kept (``snapshots`` in the state folder); None with ``:memory:``."""
        path = self.sqlite_path
        return None if path is not None and os.fspath(path) == ":memory:" else self.state_dir / "snapshots"


@dataclass(frozen=True, slots=True)
class DailyConfig:
    """[daily]: the "on this day" posts."""

    check_interval_seconds: float = field(default=30.0, metadata=reads(_number(1)))
    default_time: dt.time = field(default=dt.time(9, 0), metadata=reads(_time_of_day))
    default_timezone: str = field(default="Asia/Yerevan", metadata=reads(_timezone))
    max_concurrency: int = field(default=5, metadata=reads(_integer(1, MAX_DAILY_CONCURRENCY)))
    empty_day: EmptyDay = field(default="upcoming", metadata=reads(_choice(get_args(EmptyDay))))
    # requests per second for this process's daily posts; None: 50 / the live processes
    max_rate: float | None = field(default=None, metadata=reads(_rate))
    # how long a process's claim on a post lasts before another may take it over (a crash)
    lease_seconds: float = field(default=180.0, metadata=reads(_number(MIN_LEASE_SECONDS)))

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a ZoneInfo."""
        return ZoneInfo(self.default_timezone)


@dataclass(frozen=True, slots=True)
class CooldownConfig:
    """[cooldowns]: per-user command rate limit."""

    commands_per_window: int = field(default=5, metadata=reads(_integer(0)))
    window_seconds: float = field(default=10.0, metadata=reads(_number(0)))

    @property
    def enabled(self) -> bool:
        """False when either value is 0."""
        return self.commands_per_window > 0 and self.window_seconds > 0


@dataclass(frozen=True, slots=True)
class AnswersConfig:
    """[answers]: the buttons and menus under answers."""

    # Questions too long for a custom id, kept for their buttons; beyond this the oldest is forgotten.
    max_live_views: int = field(default=1000, metadata=reads(_integer(1, 100_000)))


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """[logging]."""

    level: str = field(default="INFO", metadata=reads(_log_level))


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration. ``token`` comes only from the environment."""

    discord: DiscordConfig = field(default_factory=DiscordConfig)
    moderation: ModerationConfig = field(default_factory=ModerationConfig)
    data: DataConfig = field(default_factory=DataConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    daily: DailyConfig = field(default_factory=DailyConfig)
    cooldowns: CooldownConfig = field(default_factory=CooldownConfig)
    answers: AnswersConfig = field(default_factory=AnswersConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    token: str | None = field(default=None, repr=False)
    # env DATABASE_PASSWORD, else the password written in storage.url; never logged
    database_password: str | None = field(default=None, repr=False)
    source: Path | None = None  # the config file read, if any


#: section name → its dataclass, in the file's order; each section's keys are its fields.
SECTIONS: dict[str, type[Any]] = {
    f.name: cast(type[Any], f.default_factory)
    for f in dataclasses.fields(Config)
    if dataclasses.is_dataclass(f.default_factory)
}
_SECTIONS: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in dataclasses.fields(section)) for name, section in SECTIONS.items()
}


@dataclass(frozen=True, slots=True)
class _Reader:
    """Reads one table of the TOML file, raising ConfigError with the file and key named."""

    where: str
    section: str
    base: Path  # relative paths are relative to this folder

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.section}.{key} {message}")

    def read(self, cls: type[_V], table: Mapping[str, Any]) -> _V:
        """The section ``cls`` from its table: checked values, defaults for the missing keys."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cast(Any, cls)):
            if f.name in table:
                values[f.name] = f.metadata["check"](self, f.name, table[f.name])
            elif isinstance(f.default, Path) and not f.default.is_absolute():
                values[f.name] = self.base / f.default
        return cls(**values)


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


def _check_keys(where: str, raw: Mapping[str, Any]) -> None:
    from difflib import get_close_matches  # noqa: PLC0415 - only with a config file

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
    import tomllib  # noqa: PLC0415 - only with a config file

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path.name}: invalid TOML: {err}") from None


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _read_dotenv(path: Path) -> dict[str, str]:
    """The variables of a ``.env`` file, taken literally (``$`` and ``${NAME}`` are kept as typed).

    UTF-8, or UTF-16 with its byte-order mark (what Windows Notepad saves as "Unicode"): the
    mark says which it is, so such a file is read as meant rather than refused.
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path.name}: cannot read the file: {err.strerror or err}") from None
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text; save it as UTF-8 and start again") from None
    if "\0" in text:  # UTF-16 without its mark reads as UTF-8 with a NUL after every letter
        raise ConfigError(f"{path.name}: has NUL characters; save it as UTF-8 and start again")
    from dotenv import dotenv_values  # noqa: PLC0415 - only with a .env file (it loads tempfile, shutil, bz2...)

    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {k: v for k, v in values.items() if v is not None}


def _environment(env: Mapping[str, str], dotenv_path: Path | None) -> dict[str, str]:
    """The environment, filled in (never overridden) by the ``.env`` file when there is one."""
    merged: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        merged.update(_read_dotenv(dotenv_path))
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

    sections: dict[str, Any] = {
        name: _Reader(where, name, base).read(cls, cast(Mapping[str, Any], raw.get(name, {})))
        for name, cls in SECTIONS.items()
    }
    discord: DiscordConfig = sections["discord"]
    sections["discord"] = discord = dataclasses.replace(
        discord,
        api_base=_env_url(environ, "DISCORD_API_BASE", ("http", "https"), discord.api_base),
        gateway_url=_env_url(environ, "DISCORD_GATEWAY_URL", ("ws", "wss"), discord.gateway_url),
    )
    sections["discord"] = discord = _shards(where, environ, discord)
    if discord.sync == "guild" and not discord.guild_ids:
        raise ConfigError(f"{where}: discord.sync = 'guild' needs at least one id in discord.guild_ids")
    data: DataConfig = sections["data"]
    if "history_path" not in raw.get("data", {}):
        sections["data"] = dataclasses.replace(data, history_path=data.path / "history")
    image_data = environ.get("BOT_IMAGE_DATA", "").strip()  # set by the Docker image
    if image_data:
        sections["data"] = dataclasses.replace(sections["data"], image_path=Path(image_data))

    storage_table = cast(Mapping[str, Any], raw.get("storage", {}))
    sections["storage"] = _storage(where, base, sections["storage"], storage_table)
    password = environ.get("DATABASE_PASSWORD", "") or _url_password(str(storage_table.get("url", "")))

    token = environ.get("DISCORD_TOKEN", "").strip() or None
    return Config(**sections, token=token, database_password=password or None, source=path)


SHARD_ENV = {"shard_count": "SHARD_COUNT", "shard_ids": "SHARD_IDS"}
_FIELDS = {f.name: f for f in dataclasses.fields(DiscordConfig)}


def _shards(where: str, environ: Mapping[str, str], discord: DiscordConfig) -> DiscordConfig:
    """``shard_count`` and ``shard_ids`` with SHARD_COUNT and SHARD_IDS over the file, checked together."""
    values: dict[str, Any] = {}
    for key, name in SHARD_ENV.items():
        text = environ.get(name, "").strip()
        if not text:
            continue
        reader = _Reader(name, "discord", Path())
        raw: object = int(text) if key == "shard_count" and text.lstrip("-").isdigit() else text
        values[key] = _FIELDS[key].metadata["check"](reader, key, raw)
    discord = dataclasses.replace(discord, **values)
    count, ids = discord.shard_count, discord.shard_ids
    if ids is not None and count is None:
        raise ConfigError(
            f"{where}: discord.shard_ids needs discord.shard_count (SHARD_COUNT), the number of shards in all"
        )
    if ids is not None and count is not None and ids[-1] >= count:
        raise ConfigError(
            f"{where}: discord.shard_ids names shard {ids[-1]}, but with discord.shard_count = {count} "
            f"the shards are 0 to {count - 1}"
        )
    return discord


def _storage(where: str, base: Path, storage: StorageConfig, table: Mapping[str, Any]) -> StorageConfig:
    """``url`` and its old name ``database`` made one: both set when the state is a SQLite file.

    The default SQLite file is relative to ``base``, like a relative one in the file.
    """
    if "url" in table and "database" in table:
        raise ConfigError(f"{where}: give storage.url or storage.database (its old name), not both")
    if storage.database is not None:
        return dataclasses.replace(storage, url=sqlite_url(storage.database))
    path = sqlite_path_of(storage.url)
    if path is not None and not path.is_absolute():
        path = base / path
        return dataclasses.replace(storage, url=sqlite_url(path), database=path)
    return dataclasses.replace(storage, database=path)


