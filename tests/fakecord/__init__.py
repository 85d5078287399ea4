"""fakecord: a Discord-compatible REST + gateway server on 127.0.0.1 for end-to-end tests of discord.py bots.

See tests/fakecord/README.md.
"""

from .faults import Fault
from .gateway import FATAL_CLOSE_CODES
from .interactions import CommandNotAvailable, InteractionResult
from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakePrivateChannel,
    FakeRole,
    FakeUser,
    GatewayFrame,
    Pings,
    RestCall,
    StoredFile,
    Violation,
    compute_pings,
    overwrite,
    shard_of,
    snowflake,
)
from .permissions import ALL_PERMISSIONS, DEFAULT_EVERYONE, Perm
from .runner import run_bot
from .server import FakeDiscord
from .state import DEFAULT_TOKEN
from .world import World, build_default_world

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_EVERYONE",
    "DEFAULT_TOKEN",
    "FATAL_CLOSE_CODES",
    "CommandNotAvailable",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeMessage",
    "FakePrivateChannel",
    "FakeRole",
    "FakeUser",
    "Fault",
    "GatewayFrame",
    "InteractionResult",
    "Perm",
    "Pings",
    "RestCall",
    "StoredFile",
    "Violation",
    "World",
    "build_default_world",
    "compute_pings",
    "overwrite",
    "run_bot",
    "shard_of",
    "snowflake",
]
