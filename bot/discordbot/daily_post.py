"""The daily "on this day" post on Discord: its embeds, and the :class:`DiscordPoster` that sends it.

A post is one embed per message. It lists every record and event whose anniversary is the local
date, and is split into several messages only when the entries cannot fit one embed. A post is
written in its server's language; every message's footer reads ``On this day · 2026-11-30 [· 2/3]
· Dataset <version>`` with "On this day" translated but the ISO date and the part number never:
that language-independent marker is how the poster recognises, in the channel's recent history,
a post that already went out before a crash, whatever language it was written in (see
:meth:`DiscordPoster.post`). Footers of the older English form ("On this day · 30 November 2026
· Part 2/3") are still recognised.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import re
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import discord

from bot.core import post_reasons as reasons
from bot.core.answers import Answer, Entry, Status
from bot.core.daily import CHANNEL_GONE_REASON, PostOutcome, part_nonce
from bot.core.engine import QueryEngine
from bot.core.i18n import N_, _, current, ngettext, using, weekday_date
from bot.core.model import MONTH_NAMES
from bot.core.present import day_month
from bot.core.settings import post_language
from bot.core.subscriptions import EmptyDay, Subscription, SubscriptionStore
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.network import NETWORK_ERRORS, REQUEST_ERRORS, network_cause
from bot.discordbot.render import COLOURS, TITLE_LIMIT, clip, fit_embed, render_entry

log = logging.getLogger(__name__)

FOOTER_PREFIX = "On this day"
UPCOMING_DAYS = 7
POST_TEXT_BUDGET = 3800  # characters of description per message (Discord allows 4096)
ENTRIES_PER_MESSAGE = 25
MAX_PARTS = 20  # a day never needs more; a bug never floods a channel
HISTORY_LIMIT = 20  # recent messages searched for an earlier post of the same day
GLOBAL_REQUESTS_PER_SECOND = 48  # Discord allows 50 per second per bot; keep a little for the rest

# Catalog ids: shown with _() in the reader's language.
EMPTY_DAY_LABELS: dict[EmptyDay, str] = {
    "upcoming": N_("the anniversaries of the next 7 days"),
    "skip": N_("no post"),
}

# (discord.py attribute, the name Discord shows) for what a daily post needs. The name is kept in
# English in stored reasons and translated when shown (as each language's Discord client names it).
VIEW = ("view_channel", N_("View Channel"))
SEND = ("send_messages", N_("Send Messages"))
SEND_IN_THREADS = ("send_messages_in_threads", N_("Send Messages in Threads"))
EMBED = ("embed_links", N_("Embed Links"))
READ_HISTORY = ("read_message_history", N_("Read Message History"))

# The marker in a post's footer, in every language: "<On this day> · 2026-11-30 [· 2/3]".
_MARKER = re.compile(r"[^·]{1,60} · (\d{4}-\d{2}-\d{2})(?: · (\d{1,3})/(\d{1,3}))?(?: · .*)?")
# The English footer of posts made before the marker (a crash across an upgrade).
_OLD_FOOTER = re.compile(
    r"On this day · (\d{1,2} [A-Z][a-z]+ \d{1,4})(?: · Part (\d{1,3})/(\d{1,3}))?(?: · .*)?"
)

PostChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel


# ---------------------------------------------------------------------------------------- text


def local_when(when: dt.datetime) -> str:
    """``Monday 30 November 2026, 09:00`` (the language in use) for an aware datetime in the wanted zone."""
    return _("{date}, {time}").format(date=weekday_date(when.date()), time=f"{when:%H:%M}")


def post_footer(day: dt.date, dataset: str, part: int = 0, total: int = 1) -> str:
    """The footer of message ``part`` (0-based) of ``total`` of the post for ``day`` (see the module)."""
    pieces = [_("On this day"), day.isoformat()]
    if total > 1:
        pieces.append(f"{part + 1}/{total}")
    if dataset:
        pieces.append(dataset)
    return " · ".join(pieces)


def footer_part(text: str | None, day: dt.date) -> int | None:
    """The 0-based part a daily-post footer marks for ``day``, or None if it is not one of them.

    Told by the ISO date, so a post in any language is recognised (and the older English footer).
    """
    text = text or ""
    match = _MARKER.fullmatch(text)
    if match is not None:
        if match[1] != day.isoformat():
            return None
    else:
        match = _OLD_FOOTER.fullmatch(text)
        if match is None or match[1] != f"{day.day} {MONTH_NAMES[day.month]} {day.year}":
            return None
    return int(match[2]) - 1 if match[2] else 0


def missing_reason(missing: list[str]) -> str:
    """``Missing permission: Embed Links``: the stored reason (English) for the first missing permission."""
    return reasons.reason(reasons.MISSING_PERMISSION, permission=missing[0])


def missing_permissions(channel: object, me: discord.Member | None) -> list[str]:
    """What the bot lacks to post embeds in ``channel``, by Discord's English name (empty when all is fine).

    Only the root cause is named: without View Channel nothing else works, and without Send
    Messages Discord turns Embed Links off too.
    """
    if me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return []
    perms = channel.permissions_for(me)
    send = SEND_IN_THREADS if isinstance(channel, discord.Thread) else SEND
    for attr, name in (VIEW, send, EMBED):
        if not getattr(perms, attr):
            return [name]
    return []


# ---------------------------------------------------------------------------------------- the post


class PostKind(StrEnum):
    """What a day's post shows."""

    ANNIVERSARIES = "anniversaries"  # records and events of that day
    UPCOMING = "upcoming"  # nothing that day: the next days' anniversaries
    NONE = "none"  # nothing is posted


@dataclass(frozen=True, slots=True)
class DailyPost:
    """A day's post, laid out as one embed per message (none when nothing is posted)."""

    day: dt.date
    kind: PostKind
    embeds: tuple[discord.Embed, ...]
    note: str  # for people: what the post shows, or why there is none


class DailyPostError(Exception):
    """The engine could not answer for the day (a bug); the post is retried later."""


def pack(entries: tuple[Entry, ...], budget: int) -> list[list[str]]:
    """Entries rendered and packed greedily, in order, into pages of at most ``budget`` characters."""
    pages: list[list[str]] = []
    current: list[str] = []
    size = 0
    for entry in entries:
        text = render_entry(entry, budget)
        extra = len(text) + (2 if current else 0)
        if current and (size + extra > budget or len(current) >= ENTRIES_PER_MESSAGE):
            pages.append(current)
            current, size, extra = [], 0, len(text)
        current.append(text)
        size += extra
    if current:
        pages.append(current)
    return pages


def _layout(
    title: str, lead: str, entries: Sequence[Entry], day: dt.date, dataset: str
) -> list[discord.Embed]:
    """Entries packed into as few embeds as Discord's limits allow."""
    budget = max(POST_TEXT_BUDGET - len(lead) - 2, 1000)
    pages = pack(tuple(entries), budget)[:MAX_PARTS] or [[]]
    embeds: list[discord.Embed] = []
    for number, page in enumerate(pages):
        parts = [lead] if number == 0 and lead else []
        parts.extend(page)
        shown_title = title if number == 0 else _("{title} (continued)").format(title=title)
        embed = discord.Embed(
            title=clip(shown_title, TITLE_LIMIT),
            description="\n\n".join(parts) or None,
            colour=COLOURS[Status.FOUND],
        )
        embed.set_footer(text=post_footer(day, dataset, number, len(pages)))
        embeds.append(fit_embed(embed))
    return embeds


def build_post(engine: QueryEngine, day: dt.date, empty_day: EmptyDay, *, dataset: str) -> DailyPost:
    """The post for local date ``day``; ``empty_day`` says what a day without anniversaries gets.

    Raises :class:`DailyPostError` when the engine fails.
    """
    label = day_month(day.month, day.day)
    answer = engine.on_this_day(None, today=day)
    if answer.status is Status.FOUND:
        embeds = _layout(answer.title, answer.message, answer.entries, day, dataset)
        return DailyPost(day, PostKind.ANNIVERSARIES, tuple(embeds), answer.message)
    _check(answer)
    nothing = _("Nothing on record for {day}.").format(day=label)
    if empty_day == "skip":
        no_post = _("On such days this channel gets no post.")
        return DailyPost(day, PostKind.NONE, (), f"{nothing} {no_post}")
    upcoming = engine.upcoming(day, UPCOMING_DAYS)
    if upcoming.status is Status.FOUND:
        lead = f"{nothing} {upcoming.message}"
        embeds = _layout(upcoming.title, lead, upcoming.entries, day, dataset)
        return DailyPost(day, PostKind.UPCOMING, tuple(embeds), lead)
    _check(upcoming)
    either = ngettext(
        "No anniversaries in the next {count} day either, so no post.",
        "No anniversaries in the next {count} days either, so no post.",
        UPCOMING_DAYS,
    ).format(count=UPCOMING_DAYS)
    none = f"{nothing} {either}"
    return DailyPost(day, PostKind.NONE, (), none)


def _check(answer: Answer) -> None:
    if answer.status is Status.INVALID:
        raise DailyPostError(answer.message or f"the {answer.command} answer failed")


# ---------------------------------------------------------------------------------------- pacing


class Pacer:
    """At most ``rate`` requests in any second, first come first served.

    ``rate`` is a number or a function read at each request: the bot passes its process's share of
    Discord's 50 requests a second (``daily.max_rate``, or 50 divided by the live processes; see
    :mod:`bot.core.processes`), which changes as processes come and go. A fractional share is
    rounded down, so the processes together stay under the limit. ``now`` and ``sleep`` are the
    event loop's clock by default; tests drive them by hand.
    """

    def __init__(
        self,
        rate: float | Callable[[], float] = GLOBAL_REQUESTS_PER_SECOND,
        per: float = 1.0,
        *,
        now: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per <= 0 or (not callable(rate) and rate < 1):
            raise ValueError("rate must be at least 1 and per positive")
        self._rate = rate
        self.per = per
        self._now = now
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> int:
        """Requests allowed per ``per`` seconds now (at least 1)."""
        rate = self._rate() if callable(self._rate) else self._rate
        return max(1, math.floor(rate))

    async def wait(self) -> None:
        """Return when one more request fits in the window (and count it)."""
        clock = self._now or asyncio.get_running_loop().time
        async with self._lock:
            while True:
                now = clock()
                while self._sent and self._sent[0] <= now - self.per:
                    self._sent.popleft()
                rate = self.rate
                if len(self._sent) < rate:
                    self._sent.append(now)
                    return
                await self._sleep(self._sent[-rate] + self.per - now)


# ---------------------------------------------------------------------------------------- the poster

Result = tuple[PostOutcome, list[int], str | None]


def _retry(why: str) -> Result:
    return PostOutcome.TRANSIENT_ERROR, [], why


class _Stop(Exception):
    """Ends a post early with a result (used inside :meth:`DiscordPoster.post`)."""

    def __init__(self, result: Result) -> None:
        super().__init__(result[0].value)
        self.result = result


class DiscordPoster:
    """Sends a day's post to a channel for :class:`bot.core.daily.DailyScheduler`.

    Each message of the post is sent with ``nonce=part_nonce(nonce, i)`` (discord.py sets
    ``enforce_nonce``), so a retry within Discord's nonce window returns the message already
    sent instead of a second one. When an earlier attempt for the same date may have gone
    through (a retry), or the subscription was created or changed today, the channel's recent
    history is searched first for the bot's post of that date, which covers crashes longer
    than the nonce window.
    """

    def __init__(
        self,
        bot: ArtsakhBot,
        store: SubscriptionStore,
        *,
        pacer: Pacer | None = None,
        history_limit: int = HISTORY_LIMIT,
    ) -> None:
        self.bot = bot
        self.store = store
        self.pacer = pacer or Pacer()
        self.history_limit = history_limit

    def build(self, day: dt.date, empty_day: EmptyDay, language: str | None = None) -> DailyPost:
        """The post for ``day`` from the data in use now, in ``language`` (None: the one in use)."""
        with using(language or current()):
            return build_post(self.bot.engine, day, empty_day, dataset=self.bot.data_footer())

    async def language(self, guild_id: int) -> str:
        """The language of a server's daily posts (its /settings language, else English)."""
        try:
            return post_language(await self.bot.settings.get(guild_id))
        except Exception:  # the state is unreachable now: the post goes out in English
            log.warning("Could not read the settings of guild %d", guild_id, exc_info=True)
            return post_language(None)

    async def post(self, sub: Subscription, local_date: dt.date, nonce: str) -> Result:
        """Post ``local_date`` to ``sub``'s channel (see the class); Discord errors become outcomes."""
        language = await self.language(sub.guild_id)
        try:
            daily = self.build(local_date, sub.empty_day, language)
        except DailyPostError as exc:
            log.error("Could not build the daily post for %s: %s", local_date, exc)
            return PostOutcome.TRANSIENT_ERROR, [], reasons.BUILD_FAILED
        if not daily.embeds:
            return PostOutcome.SKIPPED, [], None
        try:
            channel = await self._channel(sub.channel_id)
            missing = missing_permissions(channel, self._me(channel))
            if missing:
                return PostOutcome.FORBIDDEN, [], missing_reason(missing)
            found: dict[int, int] = {}
            if await self._may_have_posted(sub, local_date):
                found = await self._sent_parts(channel, local_date)
            ids: list[int] = []
            for part, embed in enumerate(daily.embeds):
                if part in found:
                    ids.append(found[part])
                    continue
                await self.pacer.wait()
                message = await channel.send(
                    embed=embed,
                    nonce=part_nonce(nonce, part),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                ids.append(message.id)
            if found:
                log.info(
                    "Channel %d already had %d part(s) of the %s post; not sent again",
                    sub.channel_id,
                    len(found),
                    local_date,
                )
            return PostOutcome.SENT, ids, None
        except _Stop as stop:
            return stop.result
        except discord.NotFound:
            return PostOutcome.CHANNEL_GONE, [], CHANNEL_GONE_REASON
        except discord.Forbidden as exc:
            return PostOutcome.FORBIDDEN, [], await self._forbidden_reason(sub.channel_id, exc)
        except discord.RateLimited as exc:
            return _retry(reasons.reason(reasons.RATE_LIMITED_FOR, seconds=f"{exc.retry_after:.0f}"))
        except discord.DiscordServerError as exc:
            return _retry(reasons.reason(reasons.SERVER_ERROR, status=exc.status))
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py retried and gave up
                return _retry(reasons.RATE_LIMITED)
            text = clip(exc.text or "", 200)
            return _retry(reasons.reason(reasons.REFUSED_STATUS, status=exc.status, text=text))
        except NETWORK_ERRORS as exc:
            return _retry(reasons.reason(reasons.UNREACHABLE, cause=network_cause(exc)))

    # ------------------------------------------------------------------ steps

    async def _channel(self, channel_id: int) -> PostChannel:
        """The channel from the cache, else from the API (NotFound/Forbidden propagate)."""
        found: Any = self.bot.get_channel(channel_id)
        if found is None:
            await self.pacer.wait()
            found = await self.bot.fetch_channel(channel_id)
        if not isinstance(found, PostChannel):
            raise _Stop((PostOutcome.FORBIDDEN, [], reasons.NOT_A_POST_CHANNEL))
        return found

    @staticmethod
    def _me(channel: PostChannel) -> discord.Member | None:
        return channel.guild.me

    async def _may_have_posted(self, sub: Subscription, local_date: dt.date) -> bool:
        """True when this date may already be in the channel: a retry, or subscribed (again) today."""
        pending = await self.store.pending(sub.channel_id)
        if pending is not None and pending.local_date == local_date and pending.attempts > 1:
            return True
        try:
            changed_on = sub.updated_at.astimezone(sub.zone).date()
        except (ZoneInfoNotFoundError, ValueError):  # the scheduler pauses it; be careful meanwhile
            return True
        return changed_on >= local_date

    async def _sent_parts(self, channel: PostChannel, local_date: dt.date) -> dict[int, int]:
        """Part index → message id of the bot's messages in recent history marking ``local_date``."""
        me = self.bot.user
        if me is None:
            return {}
        found: dict[int, int] = {}
        try:
            await self.pacer.wait()
            async for message in channel.history(limit=self.history_limit):
                if message.author.id != me.id:
                    continue
                for embed in message.embeds:
                    part = footer_part(embed.footer.text, local_date)
                    if part is not None:
                        found.setdefault(part, message.id)
        except discord.NotFound:
            raise
        except discord.HTTPException as exc:  # no Read Message History: rely on the nonce alone
            log.warning("Could not read channel %d's history (%s); relying on the nonce", channel.id, exc)
            return {}
        return found

    async def _forbidden_reason(self, channel_id: int, exc: discord.Forbidden) -> str:
        """Name the missing permission: from a fresh copy of the channel when possible."""
        if exc.code == 50001:  # Missing Access
            return missing_reason([VIEW[1]])
        try:
            await self.pacer.wait()
            fresh = await self.bot.fetch_channel(channel_id)
        except discord.Forbidden:
            return missing_reason([VIEW[1]])
        except REQUEST_ERRORS:
            fresh = None
        if isinstance(fresh, PostChannel):
            missing = missing_permissions(fresh, self._me(fresh))
            if missing:
                return missing_reason(missing)
        return reasons.reason(reasons.REFUSED, text=clip(exc.text or "Missing Permissions", 200))
