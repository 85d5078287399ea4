"""Live changes and gateway controls: events and connection trouble for a running bot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    GatewayFrame,
    overwrite,
    snowflake,
)
from .permissions import as_int
from .state import ServerState


class LiveControls(ServerState):
    """What a test does to a connected bot: live changes dispatched on the gateway, and gateway controls."""

    # ------------------------------------------------------------------ live changes (dispatch to the bot)

    async def create_channel(self, guild: FakeGuild, name: str, **kwargs: Any) -> FakeChannel:
        """Add a channel and dispatch CHANNEL_CREATE."""
        channel = guild.add_channel(name, **kwargs)
        await self.dispatch("CHANNEL_CREATE", channel.to_dict())
        return channel

    async def delete_channel(self, channel: FakeChannel) -> None:
        """Delete a channel (REST then answers 404 10003) and dispatch CHANNEL_DELETE."""
        channel.deleted = True
        await self.dispatch("CHANNEL_DELETE", channel.to_dict())

    async def set_overwrites(self, channel: FakeChannel, overwrites: Iterable[Mapping[str, Any]]) -> None:
        """Replace a channel's permission overwrites and dispatch CHANNEL_UPDATE."""
        channel.overwrites = [dict(o) for o in overwrites]
        await self.dispatch("CHANNEL_UPDATE", channel.to_dict())

    async def set_channel_permissions(
        self,
        channel: FakeChannel,
        target: FakeRole | FakeUser | FakeMember,
        *,
        allow: int | str | Iterable[str] = 0,
        deny: int | str | Iterable[str] = 0,
    ) -> None:
        """Set (replace) one overwrite on a channel and dispatch CHANNEL_UPDATE."""
        kept = [o for o in channel.overwrites if int(o["id"]) != target.id]
        await self.set_overwrites(channel, [*kept, overwrite(target, allow=allow, deny=deny)])

    async def create_role(
        self, guild: FakeGuild, name: str, permissions: int | str | Iterable[str] = 0
    ) -> FakeRole:
        role = guild.add_role(name, permissions)
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()})
        return role

    async def update_role(
        self,
        role: FakeRole,
        *,
        permissions: int | str | Iterable[str] | None = None,
        name: str | None = None,
        mentionable: bool | None = None,
    ) -> None:
        """Change a role and dispatch GUILD_ROLE_UPDATE."""
        if permissions is not None:
            role.permissions = as_int(permissions)
        if name is not None:
            role.name = name
        if mentionable is not None:
            role.mentionable = mentionable
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.to_dict()})

    async def delete_role(self, role: FakeRole) -> None:
        guild = self.guilds[role.guild_id]
        guild.roles.pop(role.id, None)
        for member in guild.members.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        await self.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})

    async def add_member(
        self, guild: FakeGuild, user: FakeUser, roles: Iterable[FakeRole] = ()
    ) -> FakeMember:
        member = guild.add_member(user, roles)
        await self.dispatch("GUILD_MEMBER_ADD", {**member.to_dict(), "guild_id": str(guild.id)})
        return member

    async def set_member_roles(self, guild: FakeGuild, user: FakeUser, roles: Iterable[FakeRole]) -> None:
        """Replace a member's roles and dispatch GUILD_MEMBER_UPDATE."""
        member = guild.member(user)
        member.role_ids = [r.id for r in roles]
        await self.dispatch("GUILD_MEMBER_UPDATE", {**member.to_dict(), "guild_id": str(guild.id)})

    async def user_says(self, channel: FakeChannel, user: FakeUser, content: str) -> FakeMessage:
        """A user posts a message (MESSAGE_CREATE); not counted as a bot message."""
        guild = channel.guild
        msg = FakeMessage(
            id=snowflake(),
            channel_id=channel.id,
            guild_id=guild.id,
            author=user.to_dict(),
            content=content,
            via="user",
        )
        msg.record_state()
        self._store_message(msg)
        data = self._message_dict(msg)
        if user.id in guild.members:
            data["member"] = guild.members[user.id].to_dict(with_user=False)
        await self.dispatch("MESSAGE_CREATE", data)
        return msg

    # ------------------------------------------------------------------ gateway controls

    async def reconnect(self, *, wait: bool = True, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT; by default wait until the bot has RESUMEd (replay included)."""
        await self.gateway.reconnect(wait=wait, timeout=timeout)

    async def invalid_session(self, resumable: bool, *, wait: bool = True, timeout: float = 15.0) -> None:
        """Send op 9: resumable → the bot RESUMEs; else it IDENTIFYs again.

        A re-IDENTIFY waits 5 s in discord.py unless before_identify_hook is fast (run_bot makes it so).
        """
        await self.gateway.invalid_session(resumable, wait=wait, timeout=timeout)

    async def close_socket(self, code: int = 4000, *, wait: bool = True, timeout: float = 10.0) -> None:
        """Close the bot's socket with ``code``; non-fatal codes: wait until it reconnects."""
        await self.gateway.close_socket(code, wait=wait, timeout=timeout)

    @property
    def hold_dispatches(self) -> bool:
        """While True, dispatches are stored but not sent (a RESUME still replays them); see ``flush``."""
        return self.gateway.hold

    @hold_dispatches.setter
    def hold_dispatches(self, value: bool) -> None:
        self.gateway.hold = value

    async def flush(self) -> None:
        """Send dispatches stored while ``hold_dispatches`` was True."""
        await self.gateway.flush()

    @property
    def replay_limit(self) -> int:
        """How many sent dispatches a session keeps beyond what its client acknowledged in a heartbeat.

        Acknowledged dispatches are dropped at once. A RESUME from before a dropped, unacknowledged
        dispatch gets INVALID_SESSION false (Discord can no longer replay it) and the bot identifies anew.
        """
        return self.gateway.replay_limit

    @replay_limit.setter
    def replay_limit(self, value: int) -> None:
        self.gateway.replay_limit = value

    def stored_dispatches(self) -> list[int]:
        """The sequence numbers the live sessions keep for a RESUME to replay, oldest first."""
        return [seq for session in self.gateway.live_sessions() for seq, _event, _data in session.buffer]

    def connected_shards(self) -> list[tuple[int, int]]:
        """``(shard_id, shard_count)`` of every connected session, sorted (an unsharded one is (0, 1))."""
        return sorted(s.shard for s in self.gateway.connected_sessions())

    async def wait_until_connected(self, timeout: float = 10.0) -> None:
        await self.wait_for(
            lambda: bool(self.gateway.connected_sessions()), timeout=timeout, what="a gateway session"
        )

    @property
    def identify_count(self) -> int:
        return len(self.gateway.identify_payloads)

    @property
    def ready_count(self) -> int:
        return self.gateway.ready_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def heartbeat_count(self) -> int:
        return self.gateway.heartbeat_count

    @property
    def gateway_log(self) -> list[GatewayFrame]:
        return self.gateway.log
