"""Command sync only when the command tree changed.

The JSON payload Discord would receive for each target (global, or one guild), with the names
and descriptions translated as they are sent (:mod:`bot.discordbot.translator`), is hashed and
stored in the database's ``meta`` table under a key naming the application and the target.
On start the bot syncs a target only when its hash differs; ``python -m bot sync`` forces it.
A target that was synced before but is no longer configured (say, after switching from guild
to global sync) is cleared on Discord, so commands never show up twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.discordbot.network import NETWORK_ERRORS, REQUEST_ERRORS, failure_text

log = logging.getLogger(__name__)

META_PREFIX = "command_tree_hash"


class MetaStore(Protocol):
    """The part of the state database the sync needs (either backend's database fits)."""

    async def get_meta(self, key: str) -> str | None:
        """The value under ``key``, or None."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        ...

    async def delete_meta(self, key: str) -> bool:
        """Remove ``key``."""
        ...

    async def meta_keys(self, prefix: str) -> list[str]:
        """Every key starting with ``prefix``."""
        ...


class SyncMode(StrEnum):
    """Where commands are registered."""

    GUILD = "guild"
    GLOBAL = "global"
    OFF = "off"


class Outcome(StrEnum):
    """What happened to one target."""

    SYNCED = "synced"
    UNCHANGED = "unchanged"
    CLEARED = "cleared"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """Global commands (``guild_id`` None) or one guild's commands."""

    guild_id: int | None = None

    @property
    def guild(self) -> discord.Object | None:
        """The guild as a snowflake for discord.py, or None for global."""
        return None if self.guild_id is None else discord.Object(id=self.guild_id)

    @property
    def label(self) -> str:
        """``global`` or ``guild 123``."""
        return "global" if self.guild_id is None else f"guild {self.guild_id}"

    def meta_key(self, application_id: int) -> str:
        """The meta-table key holding this target's last synced hash."""
        where = "global" if self.guild_id is None else f"guild:{self.guild_id}"
        return f"{META_PREFIX}:{application_id}:{where}"

    @classmethod
    def from_meta_key(cls, key: str) -> SyncTarget | None:
        """The target a meta key names, or None when it is not one of ours."""
        parts = key.split(":")
        if len(parts) == 3 and parts[0] == META_PREFIX and parts[2] == "global":
            return cls(None)
        if len(parts) == 4 and parts[0] == META_PREFIX and parts[2] == "guild" and parts[3].isdigit():
            return cls(int(parts[3]))
        return None


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The outcome for one target."""

    target: SyncTarget
    outcome: Outcome
    commands: int = 0
    detail: str = ""


def targets_for(mode: str, guild_ids: Sequence[int]) -> list[SyncTarget]:
    """The targets a configuration asks for (none when sync is off)."""
    chosen = SyncMode(mode)
    if chosen is SyncMode.OFF:
        return []
    if chosen is SyncMode.GLOBAL:
        return [SyncTarget(None)]
    if not guild_ids:
        raise ValueError("sync mode 'guild' needs at least one guild id (discord.guild_ids)")
    return [SyncTarget(g) for g in dict.fromkeys(guild_ids)]


def prepare(tree: app_commands.CommandTree[Any], targets: Iterable[SyncTarget]) -> None:
    """Copy the global commands to every guild target (so guild sync carries them)."""
    for target in targets:
        if target.guild is not None:
            tree.copy_global_to(guild=target.guild)


async def payload(tree: app_commands.CommandTree[Any], target: SyncTarget) -> list[dict[str, Any]]:
    """The JSON list ``tree.sync`` sends for ``target``: translated by the tree's translator, as sent.

    Hashing this (not the untranslated commands) makes a changed translation reach Discord.
    """
    commands = tree.get_commands(guild=target.guild)
    translator = tree.translator
    if translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, translator) for command in commands]


def digest(data: Any) -> str:  # noqa: ANN401 - any JSON value
    """A stable hash of a JSON payload."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_tree(
    tree: app_commands.CommandTree[Any],
    store: MetaStore,
    targets: Sequence[SyncTarget],
    *,
    application_id: int,
    force: bool = False,
    clear_stale: bool = True,
) -> list[SyncResult]:
    """Sync every target whose payload changed (or all with ``force``); clear stale targets."""
    prepare(tree, targets)
    results: list[SyncResult] = []
    for target in targets:
        body = await payload(tree, target)
        new_hash = digest(body)
        key = target.meta_key(application_id)
        if not force and await store.get_meta(key) == new_hash:
            log.info("Commands for %s unchanged since the last sync; not syncing", target.label)
            results.append(SyncResult(target, Outcome.UNCHANGED, len(body)))
            continue
        try:
            synced = await tree.sync(guild=target.guild)
        except (discord.HTTPException, app_commands.AppCommandError) as exc:
            log.error("Syncing commands for %s failed: %s", target.label, exc)
            results.append(SyncResult(target, Outcome.FAILED, len(body), str(exc)))
            continue
        except NETWORK_ERRORS as exc:
            detail = failure_text(exc)
            log.error("Syncing commands for %s failed: %s", target.label, detail)
            results.append(SyncResult(target, Outcome.FAILED, len(body), detail))
            continue
        await store.set_meta(key, new_hash)
        log.info("Synced %d commands for %s", len(synced), target.label)
        results.append(SyncResult(target, Outcome.SYNCED, len(synced)))
    if clear_stale:
        results.extend(await _clear_stale(tree, store, targets, application_id))
    return results


async def _clear_stale(
    tree: app_commands.CommandTree[Any], store: MetaStore, targets: Sequence[SyncTarget], application_id: int
) -> list[SyncResult]:
    wanted = set(targets)
    prefix = f"{META_PREFIX}:{application_id}:"
    results: list[SyncResult] = []
    for key in await store.meta_keys(prefix):
        old = SyncTarget.from_meta_key(key)
        if old is None or old in wanted:
            continue
        try:
            if old.guild_id is None:
                await tree.client.http.bulk_upsert_global_commands(application_id, payload=[])
            else:
                await tree.client.http.bulk_upsert_guild_commands(application_id, old.guild_id, payload=[])
        except REQUEST_ERRORS as exc:
            detail = failure_text(exc)
            log.warning("Could not clear the old commands of %s: %s", old.label, detail)
            results.append(SyncResult(old, Outcome.FAILED, 0, detail))
            continue
        await store.delete_meta(key)
        log.info("Cleared the commands of %s, which is no longer a sync target", old.label)
        results.append(SyncResult(old, Outcome.CLEARED))
    return results
