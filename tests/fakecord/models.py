"""The fake's world: users, guilds, roles, channels, messages, and what gets recorded."""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import limits
from .permissions import (
    DEFAULT_EVERYONE,
    MESSAGING_PERMISSIONS,
    as_int,
    base_permissions,
    channel_permissions,
)

DISCORD_EPOCH_MS = 1420070400000
JOINED_AT = "2025-01-01T00:00:00+00:00"

_snowflake_lock = threading.Lock()
_snowflake_state = {"last": 0}


def snowflake(*, shard: tuple[int, int] | None = None) -> int:
    """A unique, time-based Discord snowflake (discord.py derives created_at from it).

    ``shard=(shard_id, shard_count)``: an id whose guild Discord would serve on that shard
    (:func:`shard_of`); its timestamp is then up to ``shard_count - 1`` ms ahead.
    """
    with _snowflake_lock:
        now_ms = int(time.time() * 1000)
        candidate = ((now_ms - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        value = max(candidate, _snowflake_state["last"] + 1)
        if shard is not None:
            shard_id, shard_count = shard
            stamp = value >> 22
            ahead = (shard_id - stamp) % shard_count
            if ahead:
                value = ((stamp + ahead) << 22) | (1 << 17)
        _snowflake_state["last"] = value
        return value


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that carries a guild's events: ``(guild_id >> 22) % shard_count``, as Discord computes it."""
    return (guild_id >> 22) % shard_count


def utcnow_iso() -> str:
    """ISO-8601 timestamp with a UTC offset, like Discord sends."""
    return dt.datetime.now(dt.UTC).isoformat()


# ------------------------------------------------------------------------------------------
# People and places
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class FakeUser:
    """A Discord user."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class FakeRole:
    """A guild role. The @everyone role has ``id == guild.id``."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class FakeMember:
    """A user's membership in a guild."""

    user: FakeUser
    guild: FakeGuild
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = JOINED_AT

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def roles(self) -> list[FakeRole]:
        return [self.guild.roles[r] for r in self.role_ids if r in self.guild.roles]

    @property
    def permissions(self) -> int:
        """Guild-level permissions (owner/administrator → all)."""
        return self.guild.base_permissions(self.user.id)

    def to_dict(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_dict()
        return data


@dataclass(eq=False)
class FakeChannel:
    """A guild channel (text = type 0, category = 4, announcement = 5...)."""

    id: int
    guild: FakeGuild
    name: str
    type: int = 0
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def permissions_for(self, user: FakeUser | int) -> int:
        """Effective permissions of a member in this channel, computed like Discord."""
        return self.guild.channel_permissions(self, user)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": copy.deepcopy(self.overwrites),
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type in (0, 5):
            data["topic"] = self.topic
            data["rate_limit_per_user"] = self.rate_limit_per_user
            data["last_message_id"] = None
        return data


@dataclass(eq=False)
class FakePrivateChannel(FakeChannel):
    """A direct message with the bot (type 1) or a group DM (type 3): no guild, no permission overwrites.

    ``recipients`` are the users in it other than the bot (a bot is never in a group DM).
    """

    recipients: list[FakeUser] = field(default_factory=list)
    owner_id: int | None = None

    @property
    def guild_id(self) -> int | None:  # type: ignore[override]
        return None

    def permissions_for(self, user: FakeUser | int) -> int:
        """What Discord reports for a private channel: a recipient can view, send and read history."""
        uid = user if isinstance(user, int) else user.id
        if uid not in {u.id for u in self.recipients}:
            return 0
        return int(MESSAGING_PERMISSIONS)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": None,
            "flags": 0,
            "recipients": [u.to_dict() for u in self.recipients],
        }
        if self.type == 3:
            data.update({"name": self.name or None, "icon": None, "owner_id": str(self.owner_id)})
        return data


def overwrite(
    target: FakeRole | FakeUser | FakeMember,
    *,
    allow: int | str | Iterable[str] = 0,
    deny: int | str | Iterable[str] = 0,
) -> dict[str, Any]:
    """Build a permission overwrite for a role (type 0) or a member (type 1)."""
    kind = 0 if isinstance(target, FakeRole) else 1
    return {"id": str(target.id), "type": kind, "allow": str(as_int(allow)), "deny": str(as_int(deny))}


@dataclass(eq=False)
class FakeGuild:
    """A guild with roles, channels and members. Builders here do NOT notify a connected bot."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    # -- builders (setup) --------------------------------------------------------------

    def add_role(
        self,
        name: str,
        permissions: int | str | Iterable[str] = 0,
        *,
        mentionable: bool = False,
        color: int = 0,
        bot_id: int | None = None,
    ) -> FakeRole:
        """Create a role (position = next highest)."""
        position = max((r.position for r in self.roles.values()), default=0) + 1
        role = FakeRole(
            id=snowflake(),
            guild_id=self.id,
            name=name,
            permissions=as_int(permissions),
            position=position,
            color=color,
            mentionable=mentionable,
            managed=bot_id is not None,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        return role

    def add_channel(
        self,
        name: str,
        *,
        type: int = 0,
        overwrites: Iterable[Mapping[str, Any]] = (),
        topic: str | None = None,
        parent: FakeChannel | None = None,
    ) -> FakeChannel:
        """Create a channel (text by default) with optional permission overwrites."""
        position = sum(1 for c in self.channels.values() if c.type == type)
        channel = FakeChannel(
            id=snowflake(),
            guild=self,
            name=name,
            type=type,
            position=position,
            topic=topic,
            parent_id=parent.id if parent else None,
            overwrites=[dict(o) for o in overwrites],
        )
        self.channels[channel.id] = channel
        return channel

    def add_member(
        self, user: FakeUser, roles: Iterable[FakeRole] = (), *, nick: str | None = None
    ) -> FakeMember:
        """Make ``user`` a member with ``roles``."""
        member = FakeMember(user=user, guild=self, role_ids=[r.id for r in roles], nick=nick)
        self.members[user.id] = member
        return member

    # -- lookups -------------------------------------------------------------------------

    def member(self, user: FakeUser | int) -> FakeMember:
        uid = user if isinstance(user, int) else user.id
        return self.members[uid]

    def channel(self, name: str) -> FakeChannel:
        for ch in self.channels.values():
            if ch.name == name and not ch.deleted:
                return ch
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def role(self, name: str) -> FakeRole:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    # -- permissions ----------------------------------------------------------------------

    def base_permissions(self, user: FakeUser | int) -> int:
        uid = user if isinstance(user, int) else user.id
        member = self.members.get(uid)
        role_ids = member.role_ids if member else []
        return base_permissions(
            everyone=self.everyone.permissions,
            role_permissions=[self.roles[r].permissions for r in role_ids if r in self.roles],
            is_owner=uid == self.owner_id,
        )

    def channel_permissions(self, channel: FakeChannel, user: FakeUser | int) -> int:
        uid = user if isinstance(user, int) else user.id
        member = self.members.get(uid)
        role_ids = member.role_ids if member else []
        return channel_permissions(
            self.base_permissions(uid),
            guild_id=self.id,
            member_id=uid,
            member_role_ids=role_ids,
            overwrites=channel.overwrites,
        )

    def to_dict(self, *, full: bool = True, member_ids: Iterable[int] | None = None) -> dict[str, Any]:
        """The guild object; ``full`` adds GUILD_CREATE extras (channels, members, ...).

        ``member_ids`` limits the members sent (Discord sends only a few; clients chunk the rest).
        """
        wanted = None if member_ids is None else set(member_ids)
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_dict() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }
        if full:
            data.update(
                {
                    "unavailable": False,
                    "large": False,
                    "joined_at": JOINED_AT,
                    "member_count": len(self.members),
                    "channels": [c.to_dict() for c in self.channels.values() if not c.deleted],
                    "members": [
                        m.to_dict() for m in self.members.values() if wanted is None or m.id in wanted
                    ],
                    "threads": [],
                    "presences": [],
                    "voice_states": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return data


def new_guild(
    name: str,
    owner: FakeUser,
    *,
    everyone_permissions: int = int(DEFAULT_EVERYONE),
    shard: tuple[int, int] | None = None,
) -> FakeGuild:
    """A guild with its @everyone role (id == guild id); the owner is added as a member.

    ``shard=(shard_id, shard_count)`` picks an id on that shard.
    """
    gid = snowflake(shard=shard)
    guild = FakeGuild(id=gid, name=name, owner_id=owner.id)
    guild.roles[gid] = FakeRole(
        id=gid, guild_id=gid, name="@everyone", permissions=everyone_permissions, position=0
    )
    guild.add_member(owner)
    return guild


# ------------------------------------------------------------------------------------------
# Messages and mentions
# ------------------------------------------------------------------------------------------

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True)
class Pings:
    """Who one message state would notify, by Discord's allowed_mentions rules (conservative:
    ``everyone`` ignores the MENTION_EVERYONE permission, so a bot bug is caught on any server)."""

    everyone: bool = False
    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()
    replied_user: bool = False

    @property
    def any(self) -> bool:
        return self.everyone or bool(self.users) or bool(self.roles) or self.replied_user


def compute_pings(
    content: str | None, allowed_mentions: Mapping[str, Any] | None, *, is_reply: bool
) -> Pings:
    """Discord's rule: no allowed_mentions → parse everything in content; ``{"parse": []}`` → nothing."""
    text = content or ""
    users = {int(m) for m in _USER_MENTION.findall(text)}
    roles = {int(m) for m in _ROLE_MENTION.findall(text)}
    has_everyone = "@everyone" in text or "@here" in text
    if allowed_mentions is None:
        return Pings(
            everyone=has_everyone, users=frozenset(users), roles=frozenset(roles), replied_user=is_reply
        )
    parse = set(allowed_mentions.get("parse") or [])
    allowed_users = {int(x) for x in allowed_mentions.get("users") or []}
    allowed_roles = {int(x) for x in allowed_mentions.get("roles") or []}
    return Pings(
        everyone=has_everyone and "everyone" in parse,
        users=frozenset(users if "users" in parse else users & allowed_users),
        roles=frozenset(roles if "roles" in parse else roles & allowed_roles),
        replied_user=is_reply and bool(allowed_mentions.get("replied_user", False)),
    )


@dataclass(eq=False)
class StoredFile:
    """A file the fake serves from /attachments/{id}/{filename}."""

    id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(eq=False)
class FakeMessage:
    """A message the bot produced (or a test injected), with every state it went through."""

    id: int
    channel_id: int
    guild_id: int | None
    author: dict[str, Any]
    type: int = 0
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[StoredFile] = field(default_factory=list)
    tts: bool = False
    nonce: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_user_id: int | None = None
    message_reference: dict[str, Any] | None = None
    allowed_mentions: dict[str, Any] | None = None
    timestamp: str = field(default_factory=utcnow_iso)
    edited_timestamp: str | None = None
    deleted: bool = False
    via: str = "channel"
    history: list[dict[str, Any]] = field(default_factory=list)
    pings_history: list[Pings] = field(default_factory=list)

    # -- state -----------------------------------------------------------------------------

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & limits.FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while a deferred ("thinking") response has not been edited yet."""
        return bool(self.flags & limits.FLAG_LOADING)

    @property
    def edit_count(self) -> int:
        return max(0, len(self.history) - 1)

    @property
    def files(self) -> dict[str, bytes]:
        return {f.filename: f.data for f in self.attachments}

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, for "the user sees X" assertions."""
        parts = [self.content]
        for e in self.embeds:
            parts += [
                (e.get("author") or {}).get("name") or "",
                e.get("title") or "",
                e.get("description") or "",
            ]
            for f in e.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((e.get("footer") or {}).get("text") or "")
        for c in _iter_components(self.components):
            if c.get("type") == 10:
                parts.append(c.get("content") or "")
        return "\n".join(p for p in parts if p)

    # -- mentions -------------------------------------------------------------------------

    @property
    def would_ping_everyone(self) -> bool:
        return any(p.everyone for p in self.pings_history)

    @property
    def pinged_users(self) -> set[int]:
        return set().union(*(p.users for p in self.pings_history)) if self.pings_history else set()

    @property
    def pinged_roles(self) -> set[int]:
        return set().union(*(p.roles for p in self.pings_history)) if self.pings_history else set()

    @property
    def pings_anyone(self) -> bool:
        return any(p.any for p in self.pings_history)

    # -- components -----------------------------------------------------------------------

    def all_components(self) -> list[dict[str, Any]]:
        return list(_iter_components(self.components))

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.all_components() if isinstance(c.get("custom_id"), str)]

    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.all_components() if c.get("type") == 2]

    def find_component(self, *, custom_id: str | None = None, label: str | None = None) -> dict[str, Any]:
        for comp in self.all_components():
            if custom_id is not None and comp.get("custom_id") == custom_id:
                return comp
            if label is not None and comp.get("label") == label:
                return comp
        raise LookupError(
            f"message {self.id} has no component with custom_id={custom_id!r} label={label!r}; "
            f"has {[(c.get('custom_id'), c.get('label')) for c in self.all_components()]}"
        )

    # -- serialisation ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "embeds": copy.deepcopy(self.embeds),
            "components": copy.deepcopy(self.components),
            "flags": self.flags,
            "attachments": [f.filename for f in self.attachments],
            "allowed_mentions": copy.deepcopy(self.allowed_mentions),
            "deleted": self.deleted,
        }

    def record_state(self) -> None:
        self.history.append(self.snapshot())
        is_reply = self.message_reference is not None and self.edit_count == 0
        self.pings_history.append(compute_pings(self.content, self.allowed_mentions, is_reply=is_reply))

    def to_dict(self, users: Mapping[int, FakeUser] | None = None) -> dict[str, Any]:
        """The message object; ``users`` resolves mentioned ids to user objects."""
        users = users or {}

        def user_obj(uid: int | None) -> dict[str, Any]:
            if uid is not None and uid in users:
                return users[uid].to_dict()
            return {"id": str(uid), "username": f"user{uid}", "discriminator": "0", "avatar": None}

        pings = self.pings_history[-1] if self.pings_history else Pings()
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel_id),
            "author": dict(self.author),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": self.tts,
            "mention_everyone": pings.everyone,
            "mentions": [user_obj(u) for u in sorted(pings.users)],
            "mention_roles": [str(r) for r in pings.roles],
            "attachments": [f.to_dict() for f in self.attachments],
            "embeds": copy.deepcopy(self.embeds),
            "components": copy.deepcopy(self.components),
            "pinned": False,
            "flags": self.flags,
        }
        if self.guild_id is not None and not self.ephemeral:
            data["guild_id"] = str(self.guild_id)
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.message_reference is not None:
            data["message_reference"] = dict(self.message_reference)
        if self.interaction_id is not None:
            data["interaction_metadata"] = {
                "id": str(self.interaction_id),
                "type": 2 if self.type == 20 else 3,
                "user": user_obj(self.interaction_user_id),
                "authorizing_integration_owners": {},
            }
        return data


def _iter_components(components: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for comp in components:
        if not isinstance(comp, dict):
            continue
        yield comp
        yield from _iter_components(comp.get("components") or [])
        if isinstance(comp.get("accessory"), dict):
            yield comp["accessory"]
        if isinstance(comp.get("component"), dict):
            yield from _iter_components([comp["component"]])


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------


@dataclass
class RestCall:
    """One REST request the bot made, and what the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[tuple[str, str, bytes]]
    status: int
    response: Any
    at: float
    authorized: bool
    fault: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass
class Violation:
    """Something the bot did that real Discord would reject or punish."""

    kind: str
    detail: str
    method: str = ""
    path: str = ""

    def __str__(self) -> str:
        where = f" [{self.method} {self.path}]" if self.method else ""
        return f"{self.kind}{where}: {self.detail}"


@dataclass
class GatewayFrame:
    """One frame on a gateway connection."""

    direction: str  # "send" (fake → bot) or "recv" (bot → fake)
    conn: int
    op: int | None
    t: str | None
    s: int | None
    d: Any
    at: float
