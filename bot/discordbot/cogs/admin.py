"""/admin reload and /admin status: moderators reload the dataset, and see every live bot process.

``/admin reload`` reloads from the data folder or from an uploaded file; ``/admin status`` shows
the database's list of live processes (:mod:`bot.discordbot.status`) to the same moderators.

Only the moderators named in ``[moderation]`` may reload (see :mod:`bot.discordbot.moderation`);
the check runs in the command itself, ``default_permissions`` only hides the command from
non-administrators. A reload is validated in full before anything changes; on problems the
old data keeps serving and nothing on disk changes. Every reload is logged and, when
``moderation.log_channel_id`` is set, posted to that channel.

Reloads run one at a time in the order they were asked for (commands and SIGHUP alike).
While the cog is loaded, SIGHUP reloads from the data folder too (where the platform and the
thread allow a signal handler).

An accepted reload is stored in the database and served by every process
(:mod:`bot.core.dataset_sync`); a process that cannot load a stored version posts why to the
log channel too.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Status
from bot.core.dataset_sync import StoredVersion
from bot.core.i18n import N_, _, using
from bot.core.reloading import ReloadReport
from bot.core.settings import post_language
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.errors import answer_privately
from bot.discordbot.moderation import (
    ReloadMessage,
    asked_by_command,
    asked_by_signal,
    describe_user,
    fetch_moderator_reason,
    install_sighup,
    item_names,
    log_line,
    moderator_reason,
    render_reload,
    upload_refusal,
)
from bot.discordbot.network import REQUEST_ERRORS, failure_text
from bot.discordbot.render import clip
from bot.discordbot.status import status_embed

log = logging.getLogger(__name__)

REFUSED = N_("Only the bot's moderators can reload its data. This attempt has been logged.")
DOWNLOAD_FAILED = N_("Could not download that file from Discord. Nothing changed; please try again.")
REPORT_FAILED = N_(
    "The reload finished but its report could not be shown. Nothing else went wrong; see the log."
)
STATUS_REFUSED = N_("Only the bot's moderators can see its status.")
STATUS_FAILED = N_("Could not read the list of bot processes from the database; please try again.")


class Turn:
    """One place in the reload queue."""

    def __init__(self, before: asyncio.Future[None] | None, mine: asyncio.Future[None]) -> None:
        self._before = before
        self._mine = mine

    async def wait(self) -> None:
        """Wait until every reload asked for earlier has finished."""
        if self._before is not None:
            await asyncio.shield(self._before)

    def release(self) -> None:
        """Let the next reload go (after the earlier ones, even when this one never ran)."""
        if self._mine.done():
            return
        before = self._before
        if before is None or before.done():
            self._mine.set_result(None)
            return

        def done(_: asyncio.Future[None]) -> None:
            if not self._mine.done():
                self._mine.set_result(None)

        before.add_done_callback(done)


class ReloadQueue:
    """First come, first served: a turn is taken when a reload is asked for, before any await."""

    def __init__(self) -> None:
        self._tail: asyncio.Future[None] | None = None

    def take(self) -> Turn:
        """A turn after every turn taken so far; always :meth:`Turn.release` it."""
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        turn = Turn(self._tail, mine)
        self._tail = mine
        return turn


class AdminCog(commands.Cog, name="Admin"):
    """Moderator tools."""

    help_examples: ClassVar[dict[str, str]] = {
        "admin reload": "/admin reload file: resolutions.yaml",
        "admin status": "/admin status",
    }

    admin = app_commands.Group(
        name="admin",
        description="Moderator tools for the bot's data",
        default_permissions=discord.Permissions(administrator=True),
        guild_only=True,
    )

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        self.queue = ReloadQueue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._remove_sighup: Callable[[], None] | None = None

    async def cog_load(self) -> None:
        """Reload from disk on SIGHUP while the cog is loaded."""
        self._remove_sighup = install_sighup(self._on_sighup)
        if self._remove_sighup is not None:
            log.info("SIGHUP reloads the data from %s", self.bot.datastore.data_dir)
        self.bot.dataset_sync.on_refused = self._refused_here

    async def cog_unload(self) -> None:
        """Remove the SIGHUP handler; stop a signal reload still waiting or running."""
        if self._remove_sighup is not None:
            self._remove_sighup()
            self._remove_sighup = None
        if self.bot.dataset_sync.on_refused == self._refused_here:
            self.bot.dataset_sync.on_refused = None
        for task in list(self._tasks):
            task.cancel()

    # ------------------------------------------------------------------ /admin reload

    @admin.command(name="reload")
    @app_commands.describe(
        file="A resolutions, events or non-acts file (.yaml, at most 1 MB); empty: re-read the data folder"
    )
    async def reload(
        self, interaction: discord.Interaction[Any], file: discord.Attachment | None = None
    ) -> None:
        """Reload the data from the data folder, or check and install an uploaded YAML file."""
        moderation = self.bot.config.moderation
        user = interaction.user
        reason = moderator_reason(user, moderation, self.bot.guilds)
        turn = self.queue.take() if reason is not None else None  # the order of asking
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            if reason is None:
                reason = await fetch_moderator_reason(user, moderation, self.bot.guilds)
                if reason is None:
                    await self._refuse(interaction)
                    return
            if turn is None:  # a moderator by a role fetched from another server
                turn = self.queue.take()
            by = f"{describe_user(user)} with /admin reload in {self._where(interaction)}"  # for the log
            who = asked_by_command(user, interaction.guild, interaction.guild_id)
            log.info(
                "/admin reload asked by %s (%s)%s", by, reason, f", file {file.filename!r}" if file else ""
            )
            if file is not None:
                refusal = upload_refusal(file.filename, file.size, self.bot.datastore.max_upload_bytes)
                if refusal is not None:
                    log.info(
                        "Refused the upload %r (%d bytes) by %s: %s", file.filename, file.size, by, refusal
                    )
                    await answer_privately(interaction, refusal, status=Status.INVALID)
                    return
            await turn.wait()
            before = self.bot.datastore.current.dataset
            if file is None:
                report = await self.bot.datastore.reload_from_disk(by=by)
            else:
                try:
                    data = await file.read()
                except REQUEST_ERRORS as exc:
                    log.warning("Could not download %r for %s: %s", file.filename, by, failure_text(exc))
                    await answer_privately(interaction, _(DOWNLOAD_FAILED), status=Status.INVALID)
                    return
                report = await self.bot.datastore.reload_with_upload(file.filename, data, by=by)
            names = item_names(self.bot.datastore.current.dataset, before)
            when = self.bot.clock.now()
            await self._record(report, by, lambda: render_reload(report, by=who, when=when, names=names))
            # the audit entry first (answering may fail); the moderator's report in their language
            await self._answer(interaction, render_reload(report, by=who, when=when, names=names))
        finally:
            if turn is not None:
                turn.release()

    # ------------------------------------------------------------------ /admin status

    @admin.command(name="status")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Every live bot process: its shards, latency, dataset, daily posts due and last error."""
        moderation, user = self.bot.config.moderation, interaction.user
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not (
            moderator_reason(user, moderation, self.bot.guilds)
            or await fetch_moderator_reason(user, moderation, self.bot.guilds)
        ):
            log.warning(
                "Refused /admin status for %s in %s: not a moderator",
                describe_user(user),
                self._where(interaction),
            )
            await answer_privately(interaction, _(STATUS_REFUSED), status=Status.INVALID)
            return
        process = self.bot.process
        try:
            live = await process.registry.live(self.bot.clock.now(), process.stale_after)
        except Exception:
            log.exception("Could not read the live processes for /admin status")
            await answer_privately(interaction, _(STATUS_FAILED), status=Status.INVALID)
            return
        embed = status_embed(live, this=process.process_id)
        try:
            await interaction.followup.send(embed=embed, ephemeral=True)
        except REQUEST_ERRORS as exc:
            log.warning("Could not send /admin status: %s", failure_text(exc))

    async def _refuse(self, interaction: discord.Interaction[Any]) -> None:
        log.warning(
            "Refused /admin reload for %s in %s: not a moderator",
            describe_user(interaction.user),
            self._where(interaction),
        )
        await answer_privately(interaction, _(REFUSED), status=Status.INVALID)

    @staticmethod
    def _where(interaction: discord.Interaction[Any]) -> str:
        guild = interaction.guild
        if guild is not None:
            return f"{discord.utils.escape_markdown(clip(guild.name, 100))} ({guild.id})"
        return f"guild {interaction.guild_id}" if interaction.guild_id else "a direct message"

    @staticmethod
    async def _answer(interaction: discord.Interaction[Any], message: ReloadMessage) -> None:
        """The private report (the first follow-up replaces the "thinking" message)."""
        file = message.file()
        try:
            if file is None:
                await interaction.followup.send(embed=message.embed, ephemeral=True)
            else:
                await interaction.followup.send(embed=message.embed, file=file, ephemeral=True)
        except REQUEST_ERRORS as exc:
            log.warning("Could not send the reload report to the moderator: %s", failure_text(exc))
            await answer_privately(interaction, _(REPORT_FAILED), status=Status.INVALID)

    # ------------------------------------------------------------------ SIGHUP

    def _on_sighup(self) -> None:
        log.info("Received SIGHUP: reloading the data from %s", self.bot.datastore.data_dir)
        turn = self.queue.take()
        task = asyncio.get_running_loop().create_task(self._signal_reload(turn), name="sighup-reload")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _signal_reload(self, turn: Turn) -> None:
        try:
            await turn.wait()
            before = self.bot.datastore.current.dataset
            by = f"SIGHUP (process {os.getpid()})"
            report = await self.bot.datastore.reload_from_disk(by=by)
            names = item_names(self.bot.datastore.current.dataset, before)
            when = self.bot.clock.now()
            who = asked_by_signal
            await self._record(
                report, by, lambda: render_reload(report, by=who(os.getpid()), when=when, names=names)
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("The SIGHUP reload failed")
        finally:
            turn.release()

    # ------------------------------------------------------------------ the record

    async def _refused_here(self, report: ReloadReport, stored: StoredVersion) -> None:
        """Another process's reload that this one cannot load: say so in the log channel."""
        process = self.bot.dataset_sync.process

        def render() -> ReloadMessage:
            by = _("process {process}, following {stored}").format(process=process, stored=stored.describe())
            return render_reload(report, by=by, when=self.bot.clock.now())

        await self._post(render)

    async def _language(self, guild_id: int | None) -> str:
        """The language of a server's reports in its channels: its /settings language, else English."""
        if guild_id is None:
            return post_language(None)
        try:
            return post_language(await self.bot.settings.get(guild_id))
        except Exception:  # the state is unreachable now: the report goes out in English
            log.warning("Could not read the settings of guild %d", guild_id, exc_info=True)
            return post_language(None)

    async def _record(self, report: ReloadReport, by: str, render: Callable[[], ReloadMessage]) -> None:
        """Log the reload (English) and post its report to the moderation log channel, if any.

        The report is made by ``render`` in the language of the log channel's server (its
        /settings language, else English), whoever asked and in whatever language.
        """
        line = log_line(report, by=by)
        if report.ok:
            log.info("%s", line)
        else:
            log.warning("%s", line)
        await self._post(render)

    async def _post(self, render: Callable[[], ReloadMessage]) -> None:
        """Post a report made by ``render`` to the moderation log channel, if one is set."""
        channel_id = self.bot.config.moderation.log_channel_id
        if not channel_id:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                log.warning("The moderation log channel %s cannot take messages", channel_id)
                return
            guild = getattr(channel, "guild", None)
            with using(await self._language(guild.id if guild is not None else None)):
                message = render()
            file = message.file()
            if file is None:
                await channel.send(embed=message.embed, allowed_mentions=discord.AllowedMentions.none())
            else:
                await channel.send(
                    embed=message.embed, file=file, allowed_mentions=discord.AllowedMentions.none()
                )
        except REQUEST_ERRORS as exc:
            log.warning(
                "Could not post the reload report to the moderation log channel %s: %s",
                channel_id,
                failure_text(exc),
            )


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the admin cog needs an ArtsakhBot")
    await bot.add_cog(AdminCog(bot))
