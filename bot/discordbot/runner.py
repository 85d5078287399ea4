"""Starting the bot (``python -m bot run``) and syncing its commands (``python -m bot sync``).

Both return a process exit code: 0 on success, 1 when the data, the database, a sync or the
connection to Discord failed (or another instance holds the state), 2 when the token is
missing or Discord rejects it. Failures end in one clear log line, never a traceback.

Discord unreachable at start (connection refused, DNS, TLS, a timeout, a 5xx): the login is
tried :data:`LOGIN_ATTEMPTS` times with backoff (2, 4, 8 s; one warning line each), then one
error line names the address and the cause. ``run`` locks the state file first
(:mod:`bot.storage.lock`), so a second instance on the same database stops at once.

``discord.api_base`` and ``discord.gateway_url`` (config or environment) redirect discord.py
to another Discord-compatible server. discord.py keeps these in class attributes
(``discord.http.Route.BASE``, ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``), so the
change is process-global: every client in the process uses the new endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import discord
import discord.gateway
import discord.http
import yarl

from bot.config import Config
from bot.core.backoff import Backoff
from bot.core.clock import Clock
from bot.core.engine import QueryEngine
from bot.core.geo import use_geo_folders
from bot.core.image_dataset import ImageSync, bring_in_image_dataset
from bot.core.loader import load_dataset
from bot.core.release import map_large_blocks
from bot.core.reloading import DataLoadError, DataStore
from bot.core.snapshot import SnapshotCache
from bot.discordbot.bot import ArtsakhBot, settle_memory
from bot.discordbot.network import NETWORK_ERRORS, network_cause
from bot.discordbot.sync import Outcome, SyncResult, SyncTarget, targets_for
from bot.storage.database import MEMORY
from bot.storage.lock import StateLock, StateLockedError
from bot.storage.state import StateDatabase, describe, open_failure, open_state

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_TOKEN = 2

API_VERSION_PATH = "/api/v10"
LOGIN_ATTEMPTS = 4
LOGIN_BACKOFF = Backoff(first=2.0, cap=30.0)  # 2, 4, 8 s between the attempts
#: A login failure worth another try: Discord unreachable, or answering with a server error.
LOGIN_RETRYABLE: tuple[type[BaseException], ...] = (*NETWORK_ERRORS, discord.DiscordServerError)
# messages, not secrets:
NO_TOKEN = "No Discord token: set DISCORD_TOKEN in the environment (or in .env) and start again."  # noqa: S105
BAD_TOKEN = "Discord rejected the token. Check DISCORD_TOKEN (Developer Portal → Bot → Reset Token)."  # noqa: S105


class StartupError(Exception):
    """Starting failed in a way the user can fix; the message says how."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def api_base_url(value: str) -> str:
    """``value`` as a REST base ending in ``/api/v10`` (added when only a host is given)."""
    base = value.strip().rstrip("/")
    return base if "/api/v" in base else base + API_VERSION_PATH


def in_clear_to_another_machine(url: str) -> bool:
    """True for an unencrypted (``http://``, ``ws://``) URL whose host is not this machine."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "ws"):
        return False
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may be anywhere
        return True


def apply_endpoints(api_base: str | None, gateway_url: str | None) -> None:
    """Point discord.py at another REST base and gateway (process-global; None keeps Discord's).

    An unencrypted URL to another machine is a WARNING: the token would cross the network in clear.
    """
    for what, url in (("API", api_base_url(api_base) if api_base else ""), ("gateway", gateway_url or "")):
        if not url:
            continue
        if in_clear_to_another_machine(url):
            log.warning(
                "Using the Discord %s at %s without encryption: the bot token travels in clear to "
                "another machine. Use https:// and wss://, or a server on this machine.", what, url.strip(),
            )
        else:
            log.info("Using the Discord %s at %s", what, url.strip())
    if api_base:
        discord.http.Route.BASE = api_base_url(api_base)
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url.strip())


def _token(config: Config) -> str:
    token = (config.token or "").strip()
    if not token:
        raise StartupError(NO_TOKEN, EXIT_BAD_TOKEN)
    return token


def bring_in_shipped_data(config: Config, clock: Clock) -> ImageSync:
    """Bring a newer shipped dataset (``data.image_path``) into the data folder; never fatal."""
    image_dir = config.data.image_path
    if image_dir is None:
        return ImageSync()
    folder = config.storage.snapshot_dir
    load = SnapshotCache(folder, share=True).load_dataset if folder is not None else load_dataset
    try:
        return bring_in_image_dataset(
            Path(image_dir), Path(config.data.path),
            history_dir=Path(config.data.history_path), history_keep=config.data.history_keep, clock=clock,
            load=load,
        )
    except OSError as exc:
        log.error("Could not bring the shipped dataset %s into %s: %s", image_dir, config.data.path, exc)
        return ImageSync()


async def open_datastore(config: Config, clock: Clock) -> tuple[DataStore[QueryEngine], ImageSync]:
    """Bring in shipped data, load and index the dataset (in a worker thread); StartupError on problems."""
    data_dir = Path(config.data.path)

    def build() -> tuple[DataStore[QueryEngine], ImageSync]:
        shipped = bring_in_shipped_data(config, clock)
        store = DataStore(
            data_dir,
            QueryEngine,
            clock=clock,
            history_dir=Path(config.data.history_path),
            history_keep=config.data.history_keep,
            dataset=shipped.dataset,
            snapshot_dir=config.storage.snapshot_dir,
            successor=QueryEngine.successor,
        )
        return store, shipped

    try:
        store, shipped = await asyncio.to_thread(build)
    except DataLoadError as exc:
        for problem in exc.problems[:20]:
            log.error("  %s", problem)
        raise StartupError(f"The dataset in {data_dir} has problems: {exc}") from None
    except OSError as exc:
        raise StartupError(f"Could not read the dataset in {data_dir}: {exc}") from None
    snapshot = store.current
    log.info(
        "Loaded dataset %s: %d records, %d events",
        snapshot.dataset.info.version,
        len(snapshot.dataset.records),
        len(snapshot.dataset.events),
    )
    return store, shipped


async def open_database(config: Config) -> StateDatabase:
    """Open (and migrate) the state database ``storage.url`` names; StartupError if that fails.

    The error names the database without its password, and never repeats the password.
    """
    storage = config.storage
    where = str(storage.sqlite_path or storage.url)
    try:
        database = await open_state(
            sqlite_path=storage.sqlite_path,
            postgres_url=storage.postgres_url,
            password=config.database_password,
        )
    except Exception as exc:
        cause = open_failure(exc)
        if config.database_password:
            cause = cause.replace(config.database_password, "***")
        raise StartupError(f"Could not open the database {where}: {cause}") from None
    log.info("State database: %s", describe(database))
    return database


@dataclass
class Runtime:
    """A built bot and what it owns."""

    bot: ArtsakhBot
    database: StateDatabase


def lock_state(config: Config) -> StateLock | None:
    """Take the state file for this process; StartupError if taken.

    None for an in-memory database, and for PostgreSQL (no file to lock; several processes on
    one database come with per-shard ownership).
    """
    database = config.storage.sqlite_path
    if database is None or str(database) == MEMORY:
        return None
    try:
        return StateLock.acquire(Path(database))
    except StateLockedError as exc:
        raise StartupError(str(exc)) from None
    except OSError as exc:
        raise StartupError(f"Could not lock the state {database}: {exc.strerror or exc}") from None


@contextlib.asynccontextmanager
async def runtime(
    config: Config, clock: Clock, bot_options: Mapping[str, Any] | None = None, *, exclusive: bool = False
) -> AsyncIterator[Runtime]:
    """Build the data store, database and bot; close them all on exit.

    ``exclusive`` (``run``) first locks the state file, so that two processes never share it.
    """
    state_lock = lock_state(config) if exclusive else None
    try:
        apply_endpoints(config.discord.api_base, config.discord.gateway_url)
        if config.data.image_path is not None:  # an installed bot has no data/ beside its code
            use_geo_folders(Path(config.data.image_path) / "geo")
        datastore, shipped = await open_datastore(config, clock)
        settle_memory()
        database = await open_database(config)
        try:
            bot = ArtsakhBot(config, clock, datastore, database, shipped=shipped, **dict(bot_options or {}))
            try:
                yield Runtime(bot, database)
            finally:
                await bot.close()  # or wait for the shutdown a stop signal began, before the database goes
        finally:
            await database.close()
    finally:
        if state_lock is not None:
            state_lock.release()


async def _reset_http(bot: ArtsakhBot) -> None:
    """Drop the HTTP session a failed login opened, so the next attempt starts clean.

    discord.py opens a new session at every login and would leak the old one; closing it also
    closes its connector, which discord.py then re-creates (``HTTPClient.connector``).
    """
    await bot.http.close()
    bot.http.connector = discord.utils.MISSING


async def login(bot: ArtsakhBot, token: str, *, sleep: Sleep, stopping: asyncio.Event | None = None) -> bool:
    """Log in, retrying an unreachable Discord with backoff; False when stopped meanwhile.

    Raises StartupError (one line naming the address and the cause) when every attempt failed,
    or when Discord rejects the token.
    """
    address = discord.http.Route.BASE
    for attempt in range(1, LOGIN_ATTEMPTS + 1):
        try:
            await bot.login(token)
            return True
        except discord.LoginFailure:
            raise StartupError(BAD_TOKEN, EXIT_BAD_TOKEN) from None
        except LOGIN_RETRYABLE as exc:
            if stopping is not None and stopping.is_set():
                return False
            await _reset_http(bot)
            cause = (
                f"Discord answered {exc.status}"
                if isinstance(exc, discord.DiscordServerError)
                else network_cause(exc)
            )
            if attempt == LOGIN_ATTEMPTS:
                raise StartupError(
                    f"Could not reach Discord at {address}: {cause} (tried {LOGIN_ATTEMPTS} times)."
                ) from None
            delay = LOGIN_BACKOFF.delay(attempt)
            log.warning(
                "Could not reach Discord at %s: %s; trying again in %.0f s (attempt %d of %d)",
                address, cause, delay, attempt, LOGIN_ATTEMPTS,
            )
            await sleep(delay)
            if stopping is not None and stopping.is_set():
                return False
    return False  # not reached: the last attempt returns or raises


def _sleep_until(stopping: asyncio.Event) -> Sleep:
    """A sleep that a stop signal ends early."""

    async def sleep(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=seconds)

    return sleep


def _install_signal_handlers(bot: ArtsakhBot, stopping: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    tasks: set[asyncio.Task[None]] = set()

    def stop(sig: signal.Signals) -> None:
        log.info("Received %s; shutting down", sig.name)
        stopping.set()
        task = loop.create_task(bot.close(), name="shutdown")
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop, sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            continue
        installed.append(sig)
    return installed


def _remove_signal_handlers(installed: list[signal.Signals]) -> None:
    loop = asyncio.get_running_loop()
    for sig in installed:
        loop.remove_signal_handler(sig)


async def run_bot_async(
    config: Config,
    clock: Clock,
    *,
    bot_options: Mapping[str, Any] | None = None,
    sleep: Sleep | None = None,
) -> int:
    """Run the bot until it is closed (SIGTERM, SIGINT or :meth:`ArtsakhBot.close`).

    ``sleep`` waits between login attempts (tests pass one that does not wait).
    """
    try:
        token = _token(config)
        async with runtime(config, clock, bot_options, exclusive=True) as rt:
            stopping = asyncio.Event()
            installed = _install_signal_handlers(rt.bot, stopping)
            warming = asyncio.create_task(rt.bot.pictures.warm_up(), name="pictures warm-up")
            try:
                if await login(rt.bot, token, sleep=sleep or _sleep_until(stopping), stopping=stopping):
                    await rt.bot.connect()
            except discord.PrivilegedIntentsRequired:
                raise StartupError("Discord refused the requested intents.") from None
            finally:
                _remove_signal_handlers(installed)
                warming.cancel()
    except StartupError as exc:
        log.error("%s", exc)
        return exc.code
    log.info("Stopped")
    return EXIT_OK


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on uvloop where it is installed, else on asyncio's own loop.

    uvloop runs the same asyncio code with less CPU per socket event, which is most of what
    the bot does per interaction; it is a dependency on every platform that has it.
    """
    try:
        import uvloop  # noqa: PLC0415 - optional at run time (no wheel on Windows)
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def run_bot(config: Config, clock: Clock) -> int:
    """``python -m bot run``: log in, serve until SIGTERM or SIGINT, return the exit code."""
    map_large_blocks()  # before the data is read: the long-running process keeps no holes
    try:
        return run_loop(run_bot_async(config, clock))
    except KeyboardInterrupt:  # a second Ctrl-C while shutting down
        return EXIT_OK


def manual_targets(config: Config) -> list[SyncTarget]:
    """Where ``python -m bot sync`` syncs: the configured targets; with sync off, the guilds or global."""
    discord_config = config.discord
    if discord_config.sync != "off":
        return targets_for(discord_config.sync, discord_config.guild_ids)
    return targets_for("guild" if discord_config.guild_ids else "global", discord_config.guild_ids)


async def sync_commands_async(
    config: Config,
    clock: Clock,
    *,
    bot_options: Mapping[str, Any] | None = None,
    sleep: Sleep = asyncio.sleep,
) -> int:
    """Log in over HTTP only (no gateway), force a sync, log what happened."""
    options = {**dict(bot_options or {}), "sync_on_start": False, "follow_data": False}
    try:
        token = _token(config)
        targets = manual_targets(config)
        async with runtime(config, clock, options) as rt:
            await login(rt.bot, token, sleep=sleep)  # loads the cogs (setup_hook), no gateway
            results = await rt.bot.sync_commands(force=True, targets=targets)
    except StartupError as exc:
        log.error("%s", exc)
        return exc.code
    except ValueError as exc:  # a sync mode that needs guild ids without any
        log.error("%s", exc)
        return EXIT_FAILED
    for line in describe_results(results):
        log.info("%s", line)
    return EXIT_FAILED if any(r.outcome is Outcome.FAILED for r in results) else EXIT_OK


def describe_results(results: list[SyncResult]) -> list[str]:
    """One readable line per target."""
    lines = []
    for result in results:
        detail = f": {result.detail}" if result.detail else ""
        lines.append(f"{result.target.label}: {result.outcome.value} ({result.commands} commands){detail}")
    return lines or ["Nothing to sync."]


def sync_commands(config: Config, clock: Clock) -> int:
    """``python -m bot sync``: force a command sync and return the exit code."""
    return run_loop(sync_commands_async(config, clock))
