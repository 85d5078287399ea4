"""/daily: per-server "on this day" posts, and the loop that posts them.

Server managers subscribe channels (``/daily subscribe``), each with a local time and an IANA
time zone. The cog runs :class:`~bot.core.daily.DailyScheduler` in the background with a
:class:`~bot.discordbot.daily_post.DiscordPoster`, so every channel gets each local date's
post exactly once, across restarts and Discord failures. ``cog.scheduler.run_once()`` runs
one check by hand (tests drive it with a ManualClock).

``default_permissions`` only hides the commands from members without Manage Server; servers
can change that, so every command checks the member's permissions again.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import datetime as dt
import logging
import re
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import post_reasons as reasons
from bot.core.answers import Status
from bot.core.daily import CHANNEL_GONE_REASON, DailyScheduler
from bot.core.dates import DateQueryError, parse_date_query
from bot.core.i18n import N_, _, long_date, ngettext
from bot.core.post_reasons import shown as shown_reason
from bot.core.schedule import next_post_at
from bot.core.subscriptions import (
    EMPTY_DAY_CHOICES,
    MAX_CHANNELS_PER_SERVER,
    ChannelLimitError,
    EmptyDay,
    Subscription,
    subscribe,
)
from bot.core.timezones import resolve_timezone, utc_offset_label
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.checks import cooldown, require_server_manager
from bot.discordbot.choices import AUTOCOMPLETE_LIMIT, TimeOption, TimeZoneOption
from bot.discordbot.daily_post import (
    EMPTY_DAY_LABELS,
    READ_HISTORY,
    DailyPost,
    DailyPostError,
    DiscordPoster,
    Pacer,
    local_when,
    missing_permissions,
)
from bot.discordbot.errors import UserFacingError
from bot.discordbot.render import (
    COLOURS,
    CONTENT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    choice_text,
    clip,
    fit_embed,
    notice,
    truncate,
)
from bot.storage.state import post_owner

log = logging.getLogger(__name__)

UNLOAD_GRACE = 2.0  # seconds a running check may take to finish when the cog stops (SIGTERM: < 5 s)
REASON_SHOWN = 300
NEEDS_MANAGE_SERVER = N_("Only members with the **Manage Server** permission can manage daily posts.")
GUILD_ONLY = N_("Daily posts are set up inside a server, not in direct messages.")
NO_ZONE = N_("Give a time zone (timezone: Asia/Yerevan), or set the server's with /settings timezone.")
BOT_REMOVED_REASON = reasons.BOT_REMOVED

EMPTY_DAY_OPTIONS = [
    app_commands.Choice(name="The anniversaries of the next 7 days", value="upcoming"),
    app_commands.Choice(name="No post", value="skip"),
]
_CHANNEL_REF = re.compile(r"<#(\d{15,22})>|(\d{15,22})")


def timestamp(when: dt.datetime) -> str:
    """``<t:unix:F> (<t:unix:R>)``: shown by Discord in each reader's own time zone."""
    return f"{discord.utils.format_dt(when, 'F')} ({discord.utils.format_dt(when, 'R')})"


def duration(seconds: float) -> str:
    """``30 seconds``, ``2 minutes``, ``1 hour`` (in the language in use)."""
    if seconds >= 3600:
        count = round(seconds / 3600)
        return ngettext("{count} hour", "{count} hours", count).format(count=count)
    if seconds >= 60:
        count = round(seconds / 60)
        return ngettext("{count} minute", "{count} minutes", count).format(count=count)
    count = max(round(seconds), 1)
    return ngettext("{count} second", "{count} seconds", count).format(count=count)


def zone_text(zone: str, when: dt.datetime) -> str:
    """``Asia/Yerevan, UTC+04:00`` (the offset in force at ``when``)."""
    return f"{zone}, {utc_offset_label(zone, when)}"


def _empty_day(value: str | None, default: EmptyDay) -> EmptyDay:
    for choice in EMPTY_DAY_CHOICES:
        if value == choice:
            return choice
    return default


class DailyCog(commands.Cog, name="Daily"):
    """Daily "on this day" posts in server channels."""

    help_examples: ClassVar[dict[str, str]] = {
        "daily subscribe": "/daily subscribe channel: #history time: 09:00 timezone: Asia/Yerevan",
        "daily unsubscribe": "/daily unsubscribe channel: #history",
        "daily status": "/daily status",
        "daily preview": "/daily preview date: 25 november",
    }

    daily = app_commands.Group(
        name="daily",
        description="Daily posts of the anniversaries of each day in this server's channels",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        self.store = bot.subscriptions
        self.poster = DiscordPoster(bot, self.store, pacer=Pacer(lambda: bot.process.rate))
        self.scheduler = DailyScheduler(
            self.store,
            self.poster,
            bot.clock,
            max_concurrency=bot.config.daily.max_concurrency,
            owns=bot.owns_guild,  # only the servers of this process's shards
            owner=post_owner(bot.database, bot.process.process_id),  # its claims on posts
            lease=dt.timedelta(seconds=bot.config.daily.lease_seconds),
        )
        bot.daily_backlog = lambda: self.scheduler.backlog
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ the background loop

    async def cog_load(self) -> None:
        """Start posting once the bot is connected."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="daily-posts")

    async def cog_unload(self) -> None:
        """Stop the loop: a check in progress gets a moment to finish, then is cancelled.

        A post cut off here stays pending, its claim ended: the next start (or another process
        running the shard) takes it over at once and looks for it before posting again.
        """
        self._stop.set()
        task, self._task = self._task, None
        if task is not None and not task.done():
            _, running = await asyncio.wait({task}, timeout=UNLOAD_GRACE)
            if running:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            released = await self.scheduler.release()
        except Exception:  # the state is unreachable: the claims run out by themselves
            log.warning("Could not end this process's claims on daily posts", exc_info=True)
        else:
            if released:
                log.info("Ended %d claim(s) on daily posts cut off by the stop", released)

    async def _run(self) -> None:
        """Run the scheduler until the cog stops; an unexpected error restarts it, never ends it."""
        if not await self._ready_or_stopped():
            return
        interval = self.bot.config.daily.check_interval_seconds
        log.info("Daily posts: checking every %.0f s", interval)
        while not self._stop.is_set():
            try:
                await self.scheduler.run_forever(interval, self._stop)
            except Exception:
                log.exception("The daily-post loop failed; restarting it in %.0f s", interval)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=interval)

    async def _ready_or_stopped(self) -> bool:
        """Wait until the bot is ready (True) or the cog stops first (False)."""
        ready = asyncio.ensure_future(self.bot.wait_until_ready())
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (ready, stopped):
                waiter.cancel()
            await asyncio.gather(ready, stopped, return_exceptions=True)
        return not self._stop.is_set()

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A subscribed channel was deleted: pause it so status says why."""
        sub = await self.store.get(channel.id)
        if sub is not None and sub.active:
            await self.store.pause(channel.id, CHANNEL_GONE_REASON, self.bot.clock.now())
            log.info("Paused daily posts of deleted channel %d", channel.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot left or was removed from a server: pause its channels (subscribing again resumes)."""
        now = self.bot.clock.now()
        for sub in await self.store.list_for_guild(guild.id):
            if sub.active:
                await self.store.pause(sub.channel_id, BOT_REMOVED_REASON, now)

    # ------------------------------------------------------------------ checks

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every /daily command: inside a server, by a member with Manage Server (or Administrator)."""
        return require_server_manager(interaction, outside_server=GUILD_ONLY, not_allowed=NEEDS_MANAGE_SERVER)

    async def _server_zone(self, guild_id: int) -> ZoneInfo:
        """The server's time zone (/settings timezone) for a subscription given none."""
        settings = await self.bot.settings.get(guild_id)
        if settings.timezone:
            try:
                return resolve_timezone(settings.timezone, exact=True)
            except ValueError:
                pass
        raise UserFacingError(NO_ZONE)

    @staticmethod
    def _guild(interaction: discord.Interaction[Any]) -> discord.Guild:
        if interaction.guild is None:
            raise UserFacingError(GUILD_ONLY)
        return interaction.guild

    # ------------------------------------------------------------------ /daily subscribe

    @daily.command(name="subscribe")
    @app_commands.describe(
        channel="The text channel to post in",
        time="The local time of the post, 24-hour: 09:00",
        timezone="The time zone of that time (default: the server's): Asia/Yerevan, Europe/Paris",
        empty_day="What to post on a day without any anniversary",
    )
    @app_commands.choices(empty_day=EMPTY_DAY_OPTIONS)
    @cooldown()
    async def subscribe(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        time: TimeOption,
        timezone: TimeZoneOption | None = None,
        empty_day: str | None = None,
    ) -> None:
        """Post each day's anniversaries in a channel at a local time (again: change it or resume it)."""
        guild = self._guild(interaction)
        post_time, zone = time, timezone or await self._server_zone(guild.id)
        missing = missing_permissions(channel, guild.me)
        if missing:
            raise UserFacingError(
                _(
                    "I can't post in {channel}. Missing permission: {permission}. "
                    "Give it to the bot in the channel's settings (Permissions), then try again."
                ).format(channel=channel.mention, permission=_(missing[0]))
            )
        now = self.bot.clock.now()
        try:
            subscribed = await subscribe(
                self.store,
                guild.id,
                channel.id,
                time=post_time,
                zone=zone,
                empty_day=_empty_day(empty_day, self.bot.config.daily.empty_day),
                created_by=interaction.user.id,
                now=now,
            )
        except ChannelLimitError:
            raise UserFacingError(
                ngettext(
                    "This server already has daily posts in {count} channel. "
                    "Stop one with /daily unsubscribe first.",
                    "This server already has daily posts in {count} channels. "
                    "Stop one with /daily unsubscribe first.",
                    MAX_CHANNELS_PER_SERVER,
                ).format(count=MAX_CHANNELS_PER_SERVER)
            ) from None
        sub, before = subscribed.subscription, subscribed.before
        if before is None:
            title, logged = _("Daily posts set up"), "set up"
        elif before.paused_reason:
            title, logged = _("Daily posts resumed"), "resumed"
        else:
            title, logged = _("Daily posts updated"), "updated"
        next_line = self._next_line(sub, now)
        if subscribed.starts_tomorrow:
            next_line = _("{next} (today's {time} has passed, so the first post is the next one)").format(
                next=next_line, time=f"{sub.post_time:%H:%M}"
            )
        lines = [
            _(
                "Every day at **{time}** ({zone}) in {channel}: the resolutions and events whose "
                "anniversary falls on that day."
            ).format(
                time=f"{sub.post_time:%H:%M}", zone=zone_text(sub.timezone, now), channel=channel.mention
            ),
            _("On a day without any: {what}.").format(what=_(EMPTY_DAY_LABELS[sub.empty_day])),
            next_line,
        ]
        if not channel.permissions_for(guild.me).read_message_history:
            lines.append(
                _(
                    "Tip: also allow the bot **{permission}** in {channel}, so after a long outage it can "
                    "check that a post went out before posting it again."
                ).format(permission=_(READ_HISTORY[1]), channel=channel.mention)
            )
        embed = notice("\n\n".join(lines), title=title, status=Status.FOUND)
        await interaction.response.send_message(embed=embed, ephemeral=True)
        log.info(
            "Guild %d: daily posts in channel %d at %s %s (%s)",
            guild.id,
            channel.id,
            sub.post_time,
            sub.timezone,
            logged,
        )

    def _next_line(self, sub: Subscription, now: dt.datetime) -> str:
        """When the next post goes out: local time and a Discord timestamp."""
        try:
            zone = sub.zone
        except (ZoneInfoNotFoundError, ValueError):
            return _("Next post: never: the time zone {zone} no longer exists.").format(zone=sub.timezone)
        when = next_post_at(sub.post_time, zone, now, sub.last_posted_date, starts_on=sub.starts_on)
        if when <= now:
            wait = duration(self.bot.config.daily.check_interval_seconds)
            return _("Next post: today's is due, so it goes out at the next check (within {wait}).").format(
                wait=wait
            )
        local = when.astimezone(zone)
        return _("Next post: **{when}** ({zone}) · {timestamp}").format(
            when=local_when(local), zone=sub.timezone, timestamp=timestamp(when)
        )

    # ------------------------------------------------------------------ /daily unsubscribe

    @daily.command(name="unsubscribe")
    @app_commands.describe(channel="A channel with daily posts (start typing to pick one)")
    @cooldown()
    async def unsubscribe(self, interaction: discord.Interaction[Any], channel: str) -> None:
        """Stop the daily posts in a channel."""
        guild = self._guild(interaction)
        subs = await self.store.list_for_guild(guild.id)
        sub = self._find(subs, channel, guild)
        if sub is None:
            if not subs:
                raise UserFacingError(_("This server has no daily posts."))
            names = ", ".join(self._channel_name(s.channel_id, guild) for s in subs)
            shown = truncate(channel.strip(), 60)
            raise UserFacingError(
                _("“{typed}” has no daily posts. Channels with daily posts: {channels}.").format(
                    typed=shown, channels=names
                )
            )
        await self.store.unsubscribe(guild.id, sub.channel_id)
        text = _("Daily posts stopped in {channel}.").format(channel=self._channel_ref(sub.channel_id, guild))
        await interaction.response.send_message(embed=notice(text, status=Status.FOUND), ephemeral=True)
        log.info("Guild %d: daily posts stopped in channel %d", guild.id, sub.channel_id)

    @unsubscribe.autocomplete("channel")
    async def unsubscribe_channel(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """The server's channels with daily posts (deleted ones too)."""
        guild = interaction.guild
        perms = interaction.permissions
        if guild is None or not (perms.manage_guild or perms.administrator):
            return []
        try:
            subs = await self.store.list_for_guild(guild.id)
        except Exception:
            log.exception("Could not list the daily posts of guild %d", guild.id)
            return []
        typed = current.strip().lstrip("#").lower()
        choices: list[app_commands.Choice[str]] = []
        for sub in subs:
            name = self._channel_name(sub.channel_id, guild)
            if typed and typed not in name.lower():
                continue
            label = f"{name} · {sub.post_time:%H:%M} {sub.timezone}"
            if sub.paused_reason:
                label = _("{channel} · paused").format(channel=label)
            choices.append(app_commands.Choice(name=choice_text(label), value=str(sub.channel_id)))
        return choices[:AUTOCOMPLETE_LIMIT]

    @staticmethod
    def _find(subs: list[Subscription], text: str, guild: discord.Guild) -> Subscription | None:
        """The subscription ``text`` names: a channel id, a mention, or a channel name."""
        match = _CHANNEL_REF.fullmatch(text.strip())
        if match:
            wanted = int(match[1] or match[2])
            return next((s for s in subs if s.channel_id == wanted), None)
        name = text.strip().lstrip("#").casefold()
        for sub in subs:
            channel = guild.get_channel(sub.channel_id)
            if channel is not None and channel.name.casefold() == name:
                return sub
        return None

    @staticmethod
    def _channel_name(channel_id: int, guild: discord.Guild) -> str:
        channel = guild.get_channel(channel_id)
        return f"#{channel.name}" if channel is not None else _("deleted channel {id}").format(id=channel_id)

    @staticmethod
    def _channel_ref(channel_id: int, guild: discord.Guild) -> str:
        channel = guild.get_channel(channel_id)
        return channel.mention if channel is not None else _("the deleted channel {id}").format(id=channel_id)

    # ------------------------------------------------------------------ /daily status

    @daily.command(name="status")
    @cooldown()
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """The server's daily posts: channels, times, the next and the last post, and any problem."""
        guild = self._guild(interaction)
        subs = await self.store.list_for_guild(guild.id)
        if not subs:
            text = _("This server has no daily posts yet. Start them with /daily subscribe.")
            embed = notice(text, status=Status.NOT_FOUND)
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        now = self.bot.clock.now()
        embed = discord.Embed(
            title=clip(_("Daily posts in {server}").format(server=guild.name), 256),
            colour=COLOURS[Status.FOUND],
        )
        for sub in subs:
            embed.add_field(
                name=clip(self._channel_name(sub.channel_id, guild), FIELD_NAME_LIMIT),
                value=clip(self._status_text(sub, guild, now), FIELD_VALUE_LIMIT),
                inline=False,
            )
        embed.set_footer(text=_("Times in bold are the channel's; the others are in your own time zone."))
        await interaction.response.send_message(embed=fit_embed(embed), ephemeral=True)

    def _status_text(self, sub: Subscription, guild: discord.Guild, now: dt.datetime) -> str:
        zone = zone_text(sub.timezone, now) if self._zone_ok(sub) else sub.timezone
        lines = [
            _("{channel} · every day at **{time}** ({zone})").format(
                channel=self._channel_ref(sub.channel_id, guild), time=f"{sub.post_time:%H:%M}", zone=zone
            ),
            _("On a day without anniversaries: {what}").format(what=_(EMPTY_DAY_LABELS[sub.empty_day])),
        ]
        if sub.paused_reason:
            reason = truncate(shown_reason(sub.paused_reason), REASON_SHOWN)
            if guild.get_channel(sub.channel_id) is not None:
                line = _("**Paused:** {reason} Run /daily subscribe for the channel again to resume.")
            else:
                line = _("**Paused:** {reason} Remove it with /daily unsubscribe.")
            lines.append(line.format(reason=reason))
        else:
            lines.append(self._next_line(sub, now))
        if sub.last_posted_date is None:
            lines.append(_("Last post: none yet"))
        elif sub.last_message_ids:
            lines.append(_("Last post: {date}").format(date=long_date(sub.last_posted_date)))
        else:
            done = long_date(sub.last_posted_date)
            lines.append(_("Last day done: {date} (no post that day)").format(date=done))
        if sub.last_error and not sub.paused_reason:
            problem = truncate(shown_reason(sub.last_error), REASON_SHOWN)
            if sub.last_error_at:
                when = discord.utils.format_dt(sub.last_error_at, "R")
                lines.append(_("Last problem ({when}): {problem}").format(when=when, problem=problem))
            else:
                lines.append(_("Last problem: {problem}").format(problem=problem))
        return "\n".join(lines)

    @staticmethod
    def _zone_ok(sub: Subscription) -> bool:
        try:
            sub.zone  # noqa: B018 - loads the zone
        except (ZoneInfoNotFoundError, ValueError):
            return False
        return True

    # ------------------------------------------------------------------ /daily preview

    @daily.command(name="preview")
    @app_commands.describe(date="The day to preview (default: today): 2026-11-30, 30 november, tomorrow")
    @cooldown()
    async def preview(self, interaction: discord.Interaction[Any], date: str | None = None) -> None:
        """Show privately what the daily post would be today, or on another day."""
        guild = self._guild(interaction)
        subs = sorted(await self.store.list_for_guild(guild.id), key=lambda s: (s.created_at, s.channel_id))
        first = subs[0] if subs else None
        zone_name = first.timezone if first is not None and self._zone_ok(first) else "UTC"
        zone = ZoneInfo(zone_name)
        empty_day = first.empty_day if first is not None else self.bot.config.daily.empty_day
        today = self.bot.clock.now().astimezone(zone).date()
        day = self._preview_day(date, today) if date and date.strip() else today
        try:
            post = self.poster.build(day, empty_day, await self.poster.language(guild.id))
        except DailyPostError as exc:
            log.error("Could not build a preview for %s: %s", day, exc)
            raise UserFacingError(_("Could not build the post for that day. It has been logged.")) from None
        if first is not None:
            head = _(
                "Preview of the daily post for **{date}** ({zone}, from the settings of {channel})."
            ).format(date=long_date(day), zone=zone_name, channel=self._channel_ref(first.channel_id, guild))
        else:
            head = _(
                "Preview of the daily post for **{date}** ({zone}, from UTC, "
                "as this server has no daily posts yet)."
            ).format(date=long_date(day), zone=zone_name)
        await self._send_preview(interaction, head, post)

    @staticmethod
    def _preview_day(text: str, today: dt.date) -> dt.date:
        """One day from what was typed: a full date, or a day and month (this year)."""
        try:
            parsed = parse_date_query(text, today=today)
        except DateQueryError as exc:
            raise UserFacingError(str(exc)) from None
        if parsed.month_day is not None:
            month, day = parsed.month_day
            year = today.year
            if (month, day) == (2, 29):
                year = next(y for y in range(year, year + 8) if calendar.isleap(y))
            return dt.date(year, month, day)
        if len(parsed.spans) == 1 and parsed.spans[0].start == parsed.spans[0].end:
            return parsed.spans[0].start
        if len(parsed.spans) == 2:
            first, second = (s.label for s in parsed.spans)
            raise UserFacingError(
                _("“{typed}” could be {first} or {second}. Write it like 2026-11-30.").format(
                    typed=truncate(text, 40), first=first, second=second
                )
            )
        raise UserFacingError(_("A preview is for one day, like 2026-11-30 or 30 November."))

    @staticmethod
    async def _send_preview(interaction: discord.Interaction[Any], head: str, post: DailyPost) -> None:
        if not post.embeds:
            text = _("{head}\n\nNo post that day: {why}").format(head=head, why=post.note)
            embed = notice(text, status=Status.NOT_FOUND)
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        count = len(post.embeds)
        if count > 1:
            text = ngettext(
                "{head} It is {count} message long. Only you can see this.",
                "{head} It is {count} messages long. Only you can see this.",
                count,
            ).format(head=head, count=count)
        else:
            text = _("{head} Only you can see this.").format(head=head)
        content = truncate(text, CONTENT_LIMIT)
        await interaction.response.send_message(content=content, embed=post.embeds[0], ephemeral=True)
        for embed in post.embeds[1:]:
            await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the daily cog needs an ArtsakhBot")
    await bot.add_cog(DailyCog(bot))
