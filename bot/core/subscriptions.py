"""Daily-post subscriptions as the core sees them: the records, the store it needs, the subscribe rules.

The core declares what it needs from a store (:class:`SubscriptionStore`); ``bot.storage``
implements it on SQLite, and another backend plugs in by implementing the same methods.

The rules of subscribing live here, in :func:`subscribe`:

- a server has daily posts in at most :data:`MAX_CHANNELS_PER_SERVER` channels; a channel
  already subscribed may always be updated or resumed. The store checks the count and
  inserts in one transaction, so two subscribes at once cannot both take the last place;
- a new subscription's first post is the next occurrence of its time: today, or tomorrow
  when today's time has passed (:func:`first_post_date`). An update or a resume keeps the
  first date and the last posted date it has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol, get_args
from zoneinfo import ZoneInfo

from bot.core.schedule import due_local_date

EmptyDay = Literal["upcoming", "skip"]
EMPTY_DAY_CHOICES: tuple[EmptyDay, ...] = get_args(EmptyDay)
MAX_CHANNELS_PER_SERVER = 10


class ChannelLimitError(Exception):
    """A new channel would pass the server's limit of subscribed channels."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"This server already has daily posts in {limit} channels.")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Subscription:
    """A channel's daily post settings and its last outcome."""

    guild_id: int
    channel_id: int
    post_time: dt.time  # naive local wall time, whole minutes
    timezone: str  # IANA name
    empty_day: EmptyDay
    last_posted_date: dt.date | None  # the local date of the last completed post
    paused_reason: str | None  # set when posting cannot work until someone acts
    last_error: str | None  # the last transient error since the last success
    last_posted_at: dt.datetime | None  # aware UTC
    created_by: int
    created_at: dt.datetime  # aware UTC
    updated_at: dt.datetime  # aware UTC, last subscribe
    last_error_at: dt.datetime | None = None
    paused_at: dt.datetime | None = None
    last_message_ids: tuple[int, ...] = ()
    starts_on: dt.date | None = None  # the local date of the first post; None: no limit

    @property
    def active(self) -> bool:
        """True unless paused."""
        return self.paused_reason is None

    @property
    def zone(self) -> ZoneInfo:
        """The time zone object (raises ``ZoneInfoNotFoundError`` if tzdata dropped the name)."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class PendingPost:
    """A post that was started and may have been sent, but is not yet recorded as done."""

    channel_id: int
    local_date: dt.date
    nonce: str
    started_at: dt.datetime  # aware UTC, first attempt
    attempts: int
    claimed_by: str | None = None  # the process posting it (claim_post); None: begin_post
    lease_until: dt.datetime | None = None  # aware UTC; after it, another process may take the post over


class SubscriptionStore(Protocol):
    """What the core needs from a subscription store. Every write is atomic."""

    async def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        *,
        time: dt.time,
        timezone: str,
        empty_day: EmptyDay,
        created_by: int,
        now: dt.datetime,
        starts_on: dt.date | None = None,
        max_channels: int | None = None,
    ) -> Subscription:
        """Subscribe ``channel_id`` (or update it), clearing any pause and error.

        ``starts_on`` is stored for a new subscription only. With ``max_channels``, a new
        channel of a guild that already has that many raises :class:`ChannelLimitError`;
        the count and the insert are one transaction.
        """
        ...

    async def unsubscribe(self, guild_id: int, channel_id: int) -> bool:
        """Remove the channel's subscription (and any pending post); True if there was one."""
        ...

    async def remove_guild(self, guild_id: int) -> int:
        """Remove every subscription of a guild; returns how many."""
        ...

    async def get(self, channel_id: int) -> Subscription | None:
        """The channel's subscription, or None."""
        ...

    async def list_for_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of a guild, paused ones included, by channel id."""
        ...

    async def count_for_guild(self, guild_id: int) -> int:
        """How many channels of a guild are subscribed (paused ones included)."""
        ...

    async def all_active(self) -> list[Subscription]:
        """Every subscription that is not paused, by channel id."""
        ...

    async def pause(self, channel_id: int, reason: str, now: dt.datetime) -> bool:
        """Stop posting to the channel until it is subscribed again; True if it exists."""
        ...

    async def record_error(self, channel_id: int, error: str, now: dt.datetime) -> bool:
        """Remember a transient error (does not pause); True if the channel exists."""
        ...

    async def begin_post(
        self, channel_id: int, local_date: dt.date, nonce: str, now: dt.datetime
    ) -> PendingPost | None:
        """Record that a post for ``local_date`` is about to be sent; None when it must not be."""
        ...

    async def pending(self, channel_id: int) -> PendingPost | None:
        """The channel's post that was started but not recorded as done, or None."""
        ...

    async def mark_posted(
        self, channel_id: int, local_date: dt.date, message_ids: list[int], now: dt.datetime
    ) -> bool:
        """Record the post for ``local_date`` as done and clear the pending marker, atomically."""
        ...

    async def claim_post(
        self,
        channel_id: int,
        local_date: dt.date,
        *,
        owner: str,
        nonce: str,
        now: dt.datetime,
        lease: dt.timedelta,
    ) -> PendingPost | None:
        """Take the post of ``local_date`` for process ``owner`` until ``now + lease``, atomically.

        For several processes: of any number claiming one channel's date at once, one gets it.
        A claim succeeds when the post is due (as for :meth:`begin_post`) and no other owner
        holds a lease on it that is still running; taking over an expired lease (or renewing
        one's own) keeps the first nonce and counts ``attempts`` up, so a re-send is one Discord
        drops as a duplicate. None when another owner holds it, or it must not be posted.
        """
        ...

    async def finish_post(
        self,
        channel_id: int,
        local_date: dt.date,
        *,
        owner: str,
        message_ids: list[int],
        now: dt.datetime,
    ) -> bool:
        """Record ``owner``'s post of ``local_date`` as done and end its claim, in one transaction.

        False, recording nothing, when the claim is no longer ``owner``'s (another process took
        it over after the lease ran out, and records its own result) or the post is not pending.
        """
        ...

    async def release_claims(self, owner: str, now: dt.datetime) -> int:
        """End every lease ``owner`` holds at ``now`` (a clean stop); returns how many.

        The posts stay pending under ``owner`` (who may still :meth:`finish_post` them) until
        another process claims them, which it may do at once.
        """
        ...


def first_post_date(post_time: dt.time, zone: ZoneInfo, now: dt.datetime) -> dt.date:
    """The local date of a new subscription's first post: today, or tomorrow when its time has passed."""
    today = now.astimezone(zone).date()
    passed = due_local_date(post_time, zone, now, None) is not None
    return today + dt.timedelta(days=1) if passed else today


@dataclass(frozen=True, slots=True)
class Subscribed:
    """The outcome of :func:`subscribe`: the subscription now, and what it was before."""

    subscription: Subscription
    before: Subscription | None  # None: a new subscription
    starts_tomorrow: bool  # new, and today's time had passed: the first post is tomorrow's


async def subscribe(
    store: SubscriptionStore,
    guild_id: int,
    channel_id: int,
    *,
    time: dt.time,
    zone: ZoneInfo,
    empty_day: EmptyDay,
    created_by: int,
    now: dt.datetime,
) -> Subscribed:
    """Subscribe a channel under the rules above; raises :class:`ChannelLimitError` at the limit."""
    before = await store.get(channel_id)
    starts_on = first_post_date(time, zone, now)
    sub = await store.subscribe(
        guild_id,
        channel_id,
        time=time,
        timezone=zone.key,
        empty_day=empty_day,
        created_by=created_by,
        now=now,
        starts_on=starts_on,
        max_channels=MAX_CHANNELS_PER_SERVER,
    )
    starts_tomorrow = before is None and starts_on > now.astimezone(zone).date()
    return Subscribed(sub, before, starts_tomorrow)
