"""The standard test world used by the ``fake_discord`` fixture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import FakeChannel, FakeGuild, FakeRole, FakeUser, overwrite
from .permissions import Perm

if TYPE_CHECKING:
    from .server import FakeDiscord

MODERATOR_PERMISSIONS = Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES | Perm.MANAGE_CHANNELS | Perm.KICK_MEMBERS


@dataclass
class World:
    """Handles to everything in the default guild."""

    guild: FakeGuild
    general: FakeChannel
    news: FakeChannel
    staff: FakeChannel
    readonly: FakeChannel
    everyone: FakeRole
    member_role: FakeRole
    moderator_role: FakeRole
    bot_role: FakeRole
    bot: FakeUser
    alice: FakeUser
    bob: FakeUser
    mod: FakeUser
    owner: FakeUser


def build_default_world(server: FakeDiscord) -> World:
    """Guild "Fakecord Test" with #general, #news, #staff (bot can't see), #readonly (bot can't send).

    Members: the bot (managed role "fakebot"), alice and bob (role "member"), mod (roles "member" and
    "moderator": MANAGE_GUILD, MANAGE_MESSAGES, ...), owner (the guild owner and app owner).
    """
    owner = server.create_user("owner", global_name="Owner")
    guild = server.create_guild("Fakecord Test", owner=owner)
    member_role = guild.add_role("member", 0, mentionable=True)
    moderator_role = guild.add_role("moderator", MODERATOR_PERMISSIONS)
    bot_role = next(r for r in guild.roles.values() if r.bot_id == server.bot_user.id)
    general = guild.add_channel("general", topic="General chat")
    news = guild.add_channel("news", topic="Announcements")
    staff = guild.add_channel(
        "staff",
        overwrites=[
            overwrite(guild.everyone, deny=Perm.VIEW_CHANNEL),
            overwrite(moderator_role, allow=Perm.VIEW_CHANNEL),
        ],
    )
    readonly = guild.add_channel("readonly", overwrites=[overwrite(guild.everyone, deny=Perm.SEND_MESSAGES)])
    alice = server.create_user("alice", global_name="Alice")
    bob = server.create_user("bob", global_name="Bob")
    mod = server.create_user("mod", global_name="Moderator")
    guild.add_member(alice, [member_role])
    guild.add_member(bob, [member_role])
    guild.add_member(mod, [member_role, moderator_role])
    server.app_owner = owner
    server.default_user = alice
    server.default_channel = general
    return World(
        guild=guild,
        general=general,
        news=news,
        staff=staff,
        readonly=readonly,
        everyone=guild.everyone,
        member_role=member_role,
        moderator_role=moderator_role,
        bot_role=bot_role,
        bot=server.bot_user,
        alice=alice,
        bob=bob,
        mod=mod,
        owner=owner,
    )
