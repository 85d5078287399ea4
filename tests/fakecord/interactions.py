"""Building INTERACTION_CREATE payloads from the synced command schema, and interaction results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import FakeChannel, FakeGuild, FakeMessage, FakeRole, FakeUser, StoredFile

if TYPE_CHECKING:
    from .state import ServerState

INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

KIND_NAMES = {2: "command", 3: "component", 4: "autocomplete", 5: "modal_submit"}

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10
OPTION_ATTACHMENT = 11

#: What a test may pass for an attachment option: a stored file, or (filename, data[, content_type]).
AttachmentSpec = StoredFile | tuple[str, bytes] | tuple[str, bytes, str]


class CommandNotAvailable(Exception):
    """The Discord client would not let this user run this (not synced, or default_member_permissions)."""


@dataclass(eq=False)
class InteractionResult:
    """One interaction the fake sent and everything the bot did with it."""

    server: ServerState = field(repr=False)
    id: int
    token: str
    type: int
    name: str
    user_id: int
    guild_id: int | None
    channel_id: int
    created: float
    deadline: float
    payload: dict[str, Any] = field(repr=False)
    option_type: int | None = None
    source_message: FakeMessage | None = None
    response_type: int | None = None
    responded_at: float | None = None
    callback_status: int | None = None
    callback_error: dict[str, Any] | None = None
    callback_calls: int = 0
    message: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    rejected_choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    timed_out: bool = False
    failed: bool = False
    rejected_at: float | None = None
    expired: bool = False

    # ---- state --------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """ "command", "component", "autocomplete" or "modal_submit"."""
        return KIND_NAMES.get(self.type, str(self.type))

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def elapsed(self) -> float | None:
        """Seconds from INTERACTION_CREATE to the accepted callback."""
        return None if self.responded_at is None else self.responded_at - self.created

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    @property
    def ephemeral(self) -> bool:
        return self.message is not None and self.message.ephemeral

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def text(self) -> str:
        """Visible text of the response and all follow-ups."""
        return "\n".join(m.text for m in self.messages)

    @property
    def messages(self) -> list[FakeMessage]:
        """The response message (if any) then the follow-ups."""
        out = [self.message] if self.message is not None else []
        return out + [m for m in self.followups if m is not self.message]

    # ---- waiting ------------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[InteractionResult], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate(self)`` holds (re-checked on every fake event)."""
        await self.server.wait_for(
            lambda: predicate(self), timeout=timeout, what=f"condition on interaction {self.name}"
        )

    async def wait_for_edit(self, count: int = 1, timeout: float = 5.0) -> FakeMessage:
        """Wait until the response message has been edited ``count`` times (e.g. a deferred reply's edit)."""
        await self.server.wait_for(
            lambda: self.message is not None and self.message.edit_count >= count,
            timeout=timeout,
            what=f"{count} edit(s) of the response to {self.name}",
        )
        assert self.message is not None
        return self.message

    async def wait_for_followups(self, count: int = 1, timeout: float = 5.0) -> list[FakeMessage]:
        """Wait until ``count`` follow-up messages exist; returns them."""
        await self.server.wait_for(
            lambda: len(self.followups) >= count,
            timeout=timeout,
            what=f"{count} follow-up(s) to {self.name}",
        )
        return list(self.followups)


# ------------------------------------------------------------------------------------------
# Payload building
# ------------------------------------------------------------------------------------------


def walk_command(
    command: Mapping[str, Any], path: list[str]
) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
    """Follow "group sub" names into the schema: returns the nesting [(type, name)] and the leaf options."""
    options: list[dict[str, Any]] = list(command.get("options") or [])
    nesting: list[tuple[int, str]] = []
    for name in path:
        match = next((o for o in options if o.get("name") == name and o.get("type") in (1, 2)), None)
        if match is None:
            subs = [o["name"] for o in options if o.get("type") in (1, 2)]
            raise CommandNotAvailable(f"/{command['name']} has no subcommand {name!r} here (has {subs})")
        nesting.append((int(match["type"]), name))
        options = list(match.get("options") or [])
    if any(o.get("type") in (1, 2) for o in options):
        subs = [o["name"] for o in options if o.get("type") in (1, 2)]
        raise CommandNotAvailable(f"/{' '.join([command['name'], *path])} needs a subcommand: {subs}")
    return nesting, options


def nest_options(nesting: list[tuple[int, str]], leaf: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in subcommand (type 1) / group (type 2) options as Discord sends them."""
    options = leaf
    for otype, name in reversed(nesting):
        options = [{"name": name, "type": otype, "options": options}]
    return options


class OptionBuilder:
    """Types option values from the schema and fills ``resolved`` like Discord."""

    def __init__(
        self, server: ServerState, guild: FakeGuild | None, channel: FakeChannel, user: FakeUser
    ) -> None:
        self.server = server
        self.guild = guild
        self.channel = channel
        self.user = user
        self.resolved: dict[str, dict[str, Any]] = {}

    def _res(self, kind: str) -> dict[str, Any]:
        return self.resolved.setdefault(kind, {})

    def add_user(self, user: FakeUser) -> None:
        self._res("users")[str(user.id)] = user.to_dict()
        member = self.guild.members.get(user.id) if self.guild is not None else None
        if member is not None and self.guild is not None:
            mdata = member.to_dict(with_user=False)
            mdata["permissions"] = str(self.guild.channel_permissions(self.channel, user))
            self._res("members")[str(user.id)] = mdata

    def add_role(self, role: FakeRole) -> None:
        self._res("roles")[str(role.id)] = role.to_dict()

    def add_channel(self, channel: FakeChannel) -> None:
        if self.guild is None:
            perms = str(channel.permissions_for(self.user))
            self._res("channels")[str(channel.id)] = {**channel.to_dict(), "permissions": perms}
            return
        self._res("channels")[str(channel.id)] = {
            "id": str(channel.id),
            "name": channel.name,
            "type": channel.type,
            "parent_id": str(channel.parent_id) if channel.parent_id else None,
            "permissions": str(self.guild.channel_permissions(channel, self.user)),
            "guild_id": str(self.guild.id),
        }

    def add_attachment(self, stored: StoredFile) -> None:
        self._res("attachments")[str(stored.id)] = stored.to_dict()

    def value(self, schema: Mapping[str, Any], value: Any) -> Any:
        """Validate a user-supplied value the way the Discord client would, and return the wire value."""
        otype = int(schema["type"])
        name = schema["name"]
        if otype == OPTION_STRING:
            if not isinstance(value, str):
                raise TypeError(f"option {name!r} is a string option; got {value!r}")
            if (
                "min_length" in schema
                and schema["min_length"] is not None
                and len(value) < int(schema["min_length"])
            ):
                raise ValueError(f"option {name!r}: shorter than min_length {schema['min_length']}")
            if (
                "max_length" in schema
                and schema["max_length"] is not None
                and len(value) > int(schema["max_length"])
            ):
                raise ValueError(f"option {name!r}: longer than max_length {schema['max_length']}")
            self._check_choice(schema, value)
            return value
        if otype in (OPTION_INTEGER, OPTION_NUMBER):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"option {name!r} is numeric; got {value!r}")
            if otype == OPTION_INTEGER and not float(value).is_integer():
                raise TypeError(f"option {name!r} is an integer option; got {value!r}")
            if otype == OPTION_INTEGER:
                value = int(value)
            if schema.get("min_value") is not None and value < schema["min_value"]:
                raise ValueError(f"option {name!r}: below min_value {schema['min_value']}")
            if schema.get("max_value") is not None and value > schema["max_value"]:
                raise ValueError(f"option {name!r}: above max_value {schema['max_value']}")
            self._check_choice(schema, value)
            return value
        if otype == OPTION_BOOLEAN:
            if not isinstance(value, bool):
                raise TypeError(f"option {name!r} is a boolean option; got {value!r}")
            return value
        if otype == OPTION_USER:
            user = self.server.resolve_user(value)
            self.add_user(user)
            return str(user.id)
        if otype == OPTION_CHANNEL:
            channel = value if isinstance(value, FakeChannel) else self.server.resolve_channel(value)
            types = schema.get("channel_types")
            if types and channel.type not in types:
                raise ValueError(f"option {name!r}: channel type {channel.type} not in {types}")
            self.add_channel(channel)
            return str(channel.id)
        if otype == OPTION_ROLE:
            role = value if isinstance(value, FakeRole) else self.server.resolve_role(value)
            self.add_role(role)
            return str(role.id)
        if otype == OPTION_MENTIONABLE:
            if isinstance(value, FakeRole):
                self.add_role(value)
                return str(value.id)
            user = self.server.resolve_user(value)
            self.add_user(user)
            return str(user.id)
        if otype == OPTION_ATTACHMENT:
            stored = self.server.to_stored_file(value)
            self.add_attachment(stored)
            return str(stored.id)
        raise TypeError(f"option {name!r} has unsupported type {otype}")

    @staticmethod
    def _check_choice(schema: Mapping[str, Any], value: object) -> None:
        choices = schema.get("choices")
        if choices and value not in [c.get("value") for c in choices]:
            raise ValueError(
                f"option {schema['name']!r}: {value!r} is not one of the choices "
                f"{[c.get('value') for c in choices]} (the Discord client only offers those)"
            )


def build_options(
    builder: OptionBuilder,
    schema: list[dict[str, Any]],
    given: Mapping[str, Any],
    *,
    focused: str | None = None,
) -> list[dict[str, Any]]:
    """Turn ``{"name": value}`` into typed options in schema order; checks unknown and missing options."""
    by_name = {o["name"]: o for o in schema}
    unknown = set(given) - set(by_name)
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
    out: list[dict[str, Any]] = []
    for opt in schema:
        name = opt["name"]
        if name not in given:
            if opt.get("required") and focused is None:
                raise ValueError(f"required option {name!r} missing")
            continue
        if name == focused:
            if not opt.get("autocomplete"):
                raise CommandNotAvailable(f"option {name!r} does not have autocomplete enabled")
            out.append({"name": name, "type": int(opt["type"]), "value": str(given[name]), "focused": True})
            continue
        out.append({"name": name, "type": int(opt["type"]), "value": builder.value(opt, given[name])})
    if focused is not None and focused not in given:
        raise ValueError(f"the focused option {focused!r} must be in options (its partial text)")
    return out


def attachment_tuple(value: object) -> tuple[str, bytes, str | None] | None:
    """Recognise (filename, data[, content_type])."""
    if (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and isinstance(value[0], str)
        and isinstance(value[1], bytes)
    ):
        ctype = value[2] if len(value) == 3 else None
        return value[0], value[1], ctype if isinstance(ctype, str) else None
    return None
