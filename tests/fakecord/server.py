"""FakeDiscord: a Discord-compatible REST + gateway server on 127.0.0.1 for discord.py end-to-end tests.

Its parts: state.py (world, records, waiting), rest/ (route table and handlers by resource),
faults.py, driving.py (interactions), live.py (live changes, gateway controls), gateway.py.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable, Iterator
from typing import Any

import yarl
from aiohttp import web

from .driving import InteractionDriver
from .faults import Fault
from .live import LiveControls
from .models import (
    FakeGuild,
    FakeMember,
    FakePrivateChannel,
    FakeRole,
    FakeUser,
    new_guild,
    shard_of,
    snowflake,
)
from .permissions import DEFAULT_EVERYONE, MESSAGING_PERMISSIONS, as_int
from .rest.routes import RestDispatch
from .state import DEFAULT_TOKEN

__all__ = ["BOT_ROLE_PERMISSIONS", "DEFAULT_TOKEN", "FakeDiscord", "Fault"]


BOT_ROLE_PERMISSIONS = MESSAGING_PERMISSIONS


class FakeDiscord(RestDispatch, InteractionDriver, LiveControls):
    """Discord-compatible HTTP API + gateway on 127.0.0.1 (random port), in the test's event loop."""

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        """Bind a free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/", self.gateway.handle)
        app.router.add_route("GET", "/resume", self.gateway.handle)
        app.router.add_route("GET", "/attachments/{id}/{filename}", self._serve_attachment)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Flag unanswered interactions, close sockets, stop serving."""
        for task in list(self._watchers):
            task.cancel()
        for result in self.interactions:
            self._mark_timed_out(result, " (the test ended first)")
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def register_bot(self, bot: Any) -> None:
        """Remember a bot so ``close_bots`` can stop it at teardown."""
        self._bots.append(bot)

    async def close_bots(self) -> None:
        """Close every registered bot that is still running."""
        for bot in self._bots:
            if not bot.is_closed():
                await bot.close()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def aim(self) -> Iterator[None]:
        """Point discord.py's Route.BASE and DEFAULT_GATEWAY at this fake; restore on exit."""
        import discord.gateway
        import discord.http

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # ------------------------------------------------------------------ world building

    def create_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> FakeUser:
        """A new user (not yet a member of any guild)."""
        user = FakeUser(snowflake(), username, global_name=global_name or username.capitalize(), bot=bot)
        self.users[user.id] = user
        return user

    def create_member(
        self,
        username: str,
        roles: Iterable[FakeRole] = (),
        *,
        guild: FakeGuild | None = None,
        global_name: str | None = None,
    ) -> FakeUser:
        """Setup-time: a new user who is a member of ``guild`` (default: the first) with ``roles``."""
        user = self.create_user(username, global_name=global_name)
        (guild or self.guild).add_member(user, roles)
        return user

    def create_guild(
        self,
        name: str,
        *,
        owner: FakeUser | None = None,
        everyone_permissions: int | str | Iterable[str] = int(DEFAULT_EVERYONE),
        bot_permissions: int | str | Iterable[str] = int(BOT_ROLE_PERMISSIONS),
        shard: tuple[int, int] | None = None,
        with_bot: bool = True,
    ) -> FakeGuild:
        """A guild with @everyone, the bot as a member holding a managed role named after the bot.

        ``shard=(shard_id, shard_count)`` gives it an id Discord would serve on that shard.
        ``with_bot=False``: a server that never added the bot, where only a member's user-installed
        app can be used (the bot gets no GUILD_CREATE for it, ever).
        Setup-time: a bot that is already connected does not receive GUILD_CREATE (use ``add_guild``).
        """
        owner = owner or self.create_user(f"owner-of-{name.lower().replace(' ', '-')}")
        guild = new_guild(name, owner, everyone_permissions=as_int(everyone_permissions), shard=shard)
        if with_bot:
            bot_role = guild.add_role(self.bot_user.username, bot_permissions, bot_id=self.bot_user.id)
            guild.add_member(self.bot_user, [bot_role])
        self.guilds[guild.id] = guild
        return guild

    def dm_channel(self, user: FakeUser | FakeMember | str) -> FakePrivateChannel:
        """The direct-message channel (type 1) between ``user`` and the bot, made on first use."""
        who = self.resolve_user(user)
        for chan in self.private_channels.values():
            if chan.type == 1 and [u.id for u in chan.recipients] == [who.id]:
                return chan
        chan = FakePrivateChannel(id=snowflake(), guild=None, name="", type=1, recipients=[who])  # type: ignore[arg-type]
        self.private_channels[chan.id] = chan
        return chan

    def create_group_dm(
        self, owner: FakeUser | FakeMember | str, *others: FakeUser | FakeMember | str, name: str = ""
    ) -> FakePrivateChannel:
        """A group DM (type 3) of ``owner`` and ``others``; the bot is never in it."""
        people = [self.resolve_user(u) for u in (owner, *others)]
        chan = FakePrivateChannel(
            id=snowflake(),
            guild=None,
            name=name,
            type=3,
            recipients=people,
            owner_id=people[0].id,  # type: ignore[arg-type]
        )
        self.private_channels[chan.id] = chan
        return chan

    async def add_guild(self, name: str, **kwargs: Any) -> FakeGuild:
        """Create a guild and send GUILD_CREATE to a connected bot (the bot "joins" it)."""
        guild = self.create_guild(name, **kwargs)
        await self.dispatch("GUILD_CREATE", self.guild_create_payload(guild))
        return guild

    @staticmethod
    def shard_of(guild: FakeGuild | int, shard_count: int) -> int:
        """The shard that carries ``guild``'s events among ``shard_count`` (``(guild_id >> 22) % count``)."""
        return shard_of(guild if isinstance(guild, int) else guild.id, shard_count)

    def populate_default(self) -> Any:
        """Build the standard test world (see world.py) and make alice/general the defaults."""
        from .world import build_default_world

        self.world = build_default_world(self)
        return self.world
