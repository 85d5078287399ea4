"""Driving the bot: interactions as a Discord client sends them, and their 3 s deadline."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from . import limits
from .interactions import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    AttachmentSpec,
    CommandNotAvailable,
    InteractionResult,
    OptionBuilder,
    build_options,
    nest_options,
    walk_command,
)
from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakePrivateChannel,
    FakeRole,
    FakeUser,
    snowflake,
)
from .permissions import Perm
from .state import ServerState

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

#: Interaction contexts and installation types (Discord's ``context`` and ``integration_types``).
CONTEXT_GUILD, CONTEXT_BOT_DM, CONTEXT_PRIVATE_CHANNEL = 0, 1, 2
GUILD_INSTALL, USER_INSTALL = 0, 1
#: ``app_permissions`` where the bot is not a member: what Discord reports for DMs and group DMs
#: (ATTACH_FILES, EMBED_LINKS, MENTION_EVERYONE; USE_EXTERNAL_EMOJIS too in the bot's own DM).
PRIVATE_APP_PERMISSIONS = int(Perm.ATTACH_FILES | Perm.EMBED_LINKS | Perm.MENTION_EVERYONE)


class Place:
    """Where an interaction happens: the guild (None in a DM or group DM), the channel, the context
    and the installation that authorises the app there."""

    def __init__(self, guild: FakeGuild | None, channel: FakeChannel, context: int, install: int) -> None:
        self.guild, self.channel, self.context, self.install = guild, channel, context, install
        self.owners: dict[str, str] = {}  # authorizing_integration_owners, when an earlier one fixed them


class InteractionDriver(ServerState):
    """The driving API: a user's slash commands, autocompletes, clicks and modal submits, sent to the bot."""

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeUser | FakeMember | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | str | None = None,
        attachments: Mapping[str, AttachmentSpec] | None = None,
        locale: str = "en-US",
        permissions: int | None = None,
        check_permissions: bool = True,
        install: str | None = None,
    ) -> InteractionResult:
        """Invoke a synced slash command ("name" or "group sub") as ``user``; wait for the response.

        ``channel`` may be a DM with the bot (``server.dm_channel(user)``), a group DM
        (``server.create_group_dm``) or a channel of a guild the bot is not in. ``install`` is
        "guild" or "user": which installation authorises the app; by default the guild's where the
        bot is a member, else the user's. A command the Discord client would not offer there (its
        ``contexts`` / ``integration_types``) raises ``CommandNotAvailable``.
        Option values are typed from the synced schema. Returns when the bot acknowledged, the 3 s
        deadline passed (``timed_out``, violation recorded), or a rejected callback was not retried.
        """
        who, guild, chan = self._resolve_context(user, guild, channel)
        place = self._place(who, guild, chan, install)
        data, _ = self._command_data(
            name,
            options,
            who,
            guild,
            chan,
            attachments=attachments,
            check_permissions=check_permissions,
            permissions=permissions,
            place=place,
        )
        return await self._run_interaction(
            INTERACTION_COMMAND,
            name,
            (who, guild, chan),
            data,
            locale=locale,
            permissions=permissions,
            place=place,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        focused: str,
        *,
        user: FakeUser | FakeMember | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | str | None = None,
        locale: str = "en-US",
        install: str | None = None,
    ) -> list[dict[str, Any]]:
        """Send an autocomplete interaction with ``focused`` as the typed option; return the accepted choices.

        [] when unanswered or rejected (both recorded as violations); ``server.interactions[-1]`` has details.
        """
        who, guild, chan = self._resolve_context(user, guild, channel)
        place = self._place(who, guild, chan, install)
        data, option_type = self._command_data(name, options, who, guild, chan, focused=focused, place=place)
        result = await self._run_interaction(
            INTERACTION_AUTOCOMPLETE,
            f"{name} [{focused}]",
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            option_type=option_type,
            place=place,
        )
        return list(result.choices or [])

    async def click(
        self,
        target: FakeMessage | InteractionResult | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: FakeUser | FakeMember | str | None = None,
        values: Iterable[Any] | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Click a button / choose select ``values`` on a message (the payload carries that message's id)."""
        msg = self._target_message(target)
        if msg.deleted:
            raise CommandNotAvailable(f"message {msg.id} was deleted")
        comp = msg.find_component(custom_id=custom_id, label=label)
        if comp.get("disabled"):
            raise CommandNotAvailable(f"component {comp.get('custom_id')!r} is disabled")
        ctype = int(comp["type"])
        if ctype == 2 and comp.get("style") in (5, 6):
            raise CommandNotAvailable("link/premium buttons do not create interactions")
        if user is None and msg.ephemeral and msg.interaction_user_id is not None:
            user = self.users[msg.interaction_user_id]
        chan = self.resolve_channel(msg.channel_id)
        who, guild, chan = self._resolve_context(user, None, chan)
        if msg.ephemeral and msg.interaction_user_id not in (None, who.id):
            raise CommandNotAvailable(f"{who.username} cannot see an ephemeral message of another user")
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": ctype}
        if ctype in limits.SELECT_TYPES:
            data.update(self._select_values(comp, values, guild, chan, who))
        elif values is not None:
            raise ValueError("values are only for select menus")
        return await self._run_interaction(
            INTERACTION_COMPONENT,
            str(comp["custom_id"]),
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            message=msg,
            place=self._place_of(msg, who, guild, chan),
        )

    async def submit_modal(
        self,
        result: InteractionResult,
        values: Mapping[str, str | list[str]],
        *,
        user: FakeUser | FakeMember | str | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Submit the modal the bot opened in ``result`` (callback type 9); ``values`` by custom_id."""
        if result.modal is None:
            raise ValueError("fakecord: that interaction did not open a modal")
        modal = result.modal
        given = dict(values)
        components: list[dict[str, Any]] = []
        for row in modal.get("components") or []:
            if row.get("type") == 18:
                inner = row.get("component") or {}
                components.append({"type": 18, "component": self._modal_value(inner, given)})
            elif row.get("type") == 1:
                components.append(
                    {
                        "type": 1,
                        "components": [self._modal_value(c, given) for c in row.get("components") or []],
                    }
                )
        if given:
            raise ValueError(f"fakecord: modal has no inputs {sorted(given)}")
        who_value = user if user is not None else self.users[result.user_id]
        chan = self.resolve_channel(result.channel_id)
        who, guild, chan = self._resolve_context(who_value, None, chan)
        data = {"custom_id": modal["custom_id"], "components": components}
        source = result.source_message if result.type == INTERACTION_COMPONENT else None
        return await self._run_interaction(
            INTERACTION_MODAL_SUBMIT,
            str(modal["custom_id"]),
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            message=source,
            place=self._place(who, guild, chan, self._install_name(result)),
        )

    def expire_interaction(self, result: InteractionResult) -> None:
        """Make the interaction token expired (as after 15 minutes): follow-ups/edits get 401 50027."""
        result.expired = True

    def _resolve_context(
        self,
        user: FakeUser | FakeMember | str | None,
        guild: FakeGuild | None,
        channel: FakeChannel | str | None,
    ) -> tuple[FakeUser, FakeGuild | None, FakeChannel]:
        if isinstance(channel, FakePrivateChannel):
            who = self.resolve_user(user) if user is not None else channel.recipients[0]
            if who.id not in {u.id for u in channel.recipients}:
                kind = "DM" if channel.type == 1 else "group DM"
                raise CommandNotAvailable(f"{who.username} is not in that {kind}")
            return who, None, channel
        if channel is not None:
            chan = self.resolve_channel(channel) if not isinstance(channel, FakeChannel) else channel
            if isinstance(chan, FakePrivateChannel):
                return self._resolve_context(user, None, chan)
            guild = chan.guild
        else:
            guild = guild or self.guild
            chan = (
                self.default_channel if self.default_channel and self.default_channel.guild is guild else None
            )
            if chan is None:
                chan = next(c for c in guild.channels.values() if c.type == 0 and not c.deleted)
        if chan.deleted:
            raise CommandNotAvailable(f"channel #{chan.name} is deleted")
        who = self.resolve_user(user) if user is not None else self.default_user
        if who is None:
            raise LookupError("fakecord: no user given and no default_user")
        if who.id not in guild.members:
            raise CommandNotAvailable(f"{who.username} is not a member of {guild.name}")
        return who, guild, chan

    def _place(self, who: FakeUser, guild: FakeGuild | None, chan: FakeChannel, install: str | None) -> Place:
        """The context and the authorising installation, checked as Discord would: an app the user
        installed works anywhere; a guild's installation only in that guild and in the bot's DM."""
        if install not in (None, "guild", "user"):
            raise ValueError(f"install is 'guild' or 'user', not {install!r}")
        if guild is not None:
            bot_in = self.bot_user.id in guild.members
            kind = GUILD_INSTALL if (install or ("guild" if bot_in else "user")) == "guild" else USER_INSTALL
            if kind == GUILD_INSTALL and not bot_in:
                raise CommandNotAvailable(f"{guild.name} has not added the app: only a user install works")
            return Place(guild, chan, CONTEXT_GUILD, kind)
        if chan.type == 1:
            return Place(None, chan, CONTEXT_BOT_DM, GUILD_INSTALL if install == "guild" else USER_INSTALL)
        if install == "guild":
            raise CommandNotAvailable("a guild installation does not reach a group DM")
        return Place(None, chan, CONTEXT_PRIVATE_CHANNEL, USER_INSTALL)

    def _install_name(self, result: InteractionResult) -> str:
        owners = result.payload.get("authorizing_integration_owners") or {}
        return "user" if str(USER_INSTALL) in owners and str(GUILD_INSTALL) not in owners else "guild"

    def _place_of(self, msg: FakeMessage, who: FakeUser, guild: FakeGuild | None, chan: FakeChannel) -> Place:
        """A component's place: the same installation as the interaction that made the message."""
        source = self._interactions.get(msg.interaction_id) if msg.interaction_id is not None else None
        if source is None:
            return self._place(who, guild, chan, None)
        place = self._place(who, guild, chan, self._install_name(source))
        place.owners = dict(source.payload.get("authorizing_integration_owners") or {})
        return place

    def _owners(self, who: FakeUser, place: Place) -> dict[str, str]:
        if place.owners:
            return dict(place.owners)
        if place.install == USER_INSTALL:
            return {str(USER_INSTALL): str(who.id)}
        return {str(GUILD_INSTALL): str(place.guild.id) if place.guild is not None else "0"}

    def _check_offered(self, cmd: Mapping[str, Any], place: Place) -> None:
        """Raise CommandNotAvailable where the Discord client would not offer ``cmd``."""
        if cmd.get("guild_id") and (place.guild is None or int(cmd["guild_id"]) != place.guild.id):
            raise CommandNotAvailable(f"/{cmd['name']} is a command of another guild")
        installs = cmd.get("integration_types")
        installs = [GUILD_INSTALL] if installs is None else [int(i) for i in installs]
        if place.install not in installs:
            raise CommandNotAvailable(
                f"/{cmd['name']} is not offered by a {'user' if place.install else 'guild'} install "
                f"(integration_types {installs})"
            )
        contexts = cmd.get("contexts")
        if contexts is None:
            dms = cmd.get("dm_permission") is not False
            contexts = [CONTEXT_GUILD, CONTEXT_BOT_DM] if dms else [CONTEXT_GUILD]
        if place.context not in [int(c) for c in contexts]:
            raise CommandNotAvailable(
                f"/{cmd['name']} is not offered in context {place.context} (contexts {contexts})"
            )

    def _interaction_payload(
        self,
        itype: int,
        who: FakeUser,
        guild: FakeGuild | None,
        chan: FakeChannel,
        data: dict[str, Any],
        *,
        locale: str,
        permissions: int | None,
        place: Place,
        message: FakeMessage | None = None,
    ) -> tuple[int, str, dict[str, Any]]:
        iid = snowflake()
        token = "aW50ZXJhY3Rpb24." + secrets.token_urlsafe(32)
        if guild is None:
            # a DM or group DM: `user`, not `member`; no guild_id, guild or guild_locale
            app_perms = PRIVATE_APP_PERMISSIONS
            if place.context == CONTEXT_BOT_DM:
                app_perms |= int(Perm.USE_EXTERNAL_EMOJIS)
            payload = {
                "id": str(iid),
                "application_id": str(self.application_id),
                "type": itype,
                "token": token,
                "version": 1,
                "channel_id": str(chan.id),
                "channel": chan.to_dict(),
                "user": who.to_dict(),
                "locale": locale,
                "app_permissions": str(app_perms),
                "entitlements": [],
                "entitlement_sku_ids": [],
                "authorizing_integration_owners": self._owners(who, place),
                "context": place.context,
                "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
                "data": data,
            }
            if message is not None:
                payload["message"] = self._message_dict(message)
            return iid, token, payload
        perms = permissions if permissions is not None else guild.channel_permissions(chan, who)
        member = guild.members[who.id].to_dict()
        member["permissions"] = str(perms)
        channel_data = chan.to_dict()
        channel_data["permissions"] = str(perms)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "guild_id": str(guild.id),
            "channel_id": str(chan.id),
            "channel": channel_data,
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "member": member,
            "locale": locale,
            "guild_locale": guild.locale,
            "app_permissions": str(
                guild.channel_permissions(chan, self.bot_user)
                if self.bot_user.id in guild.members
                else PRIVATE_APP_PERMISSIONS | int(Perm.USE_EXTERNAL_EMOJIS)
            ),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": self._owners(who, place),
            "context": CONTEXT_GUILD,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": data,
        }
        if message is not None:
            payload["message"] = self._message_dict(message)
        return iid, token, payload

    async def _run_interaction(
        self,
        itype: int,
        name: str,
        ctx: tuple[FakeUser, FakeGuild | None, FakeChannel],
        data: dict[str, Any],
        *,
        locale: str,
        permissions: int | None,
        message: FakeMessage | None = None,
        option_type: int | None = None,
        place: Place,
    ) -> InteractionResult:
        who, guild, chan = ctx
        if not self.gateway.sessions_for(guild.id if guild is not None else None):  # DMs: shard 0
            if self.gateway.live_sessions():
                where = f"guild {guild.name!r}" if guild is not None else "direct messages (shard 0)"
                raise RuntimeError(
                    f"fakecord: no bot session holds the shard of {where} "
                    f"(shards connected: {sorted(s.shard for s in self.gateway.live_sessions())})"
                )
            raise RuntimeError("fakecord: no bot session on the gateway (is the bot running? use run_bot)")
        iid, token, payload = self._interaction_payload(
            itype,
            who,
            guild,
            chan,
            data,
            locale=locale,
            permissions=permissions,
            place=place,
            message=message,
        )
        loop = asyncio.get_running_loop()
        now = loop.time()
        result = InteractionResult(
            server=self,
            id=iid,
            token=token,
            type=itype,
            name=name,
            user_id=who.id,
            guild_id=guild.id if guild is not None else None,
            channel_id=chan.id,
            created=now,
            deadline=now + self.interaction_deadline,
            payload=payload,
            option_type=option_type,
            source_message=message,
        )
        self.interactions.append(result)
        self._interactions[iid] = result
        self._by_token[token] = result
        task = asyncio.ensure_future(self._watch_deadline(result))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)
        await self.dispatch("INTERACTION_CREATE", payload)
        while True:
            now = loop.time()
            if result.acknowledged or result.timed_out or result.failed:
                break
            if now >= result.deadline:
                self._mark_timed_out(result)
                break
            limit = result.deadline
            if result.rejected_at is not None:
                grace_end = result.rejected_at + self.error_grace
                if now >= grace_end:
                    result.failed = True
                    self._violate(
                        "unanswered",
                        f"{result.kind} {result.name!r}: the response was rejected (400) and not replaced "
                        f"within {self.error_grace}s, so the user sees 'The application did not respond'",
                    )
                    break
                limit = min(limit, grace_end)
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), max(0.0, limit - now))
        return result

    def _mark_timed_out(self, result: InteractionResult, suffix: str = "") -> None:
        if result.acknowledged or result.timed_out or result.failed:
            return
        result.timed_out = True
        self._violate(
            "autocomplete_unanswered" if result.type == INTERACTION_AUTOCOMPLETE else "unanswered",
            f"{result.kind} {result.name!r} got no accepted response "
            f"within {self.interaction_deadline}s{suffix}",
        )

    async def _watch_deadline(self, result: InteractionResult) -> None:
        await asyncio.sleep(max(0.0, result.deadline - asyncio.get_running_loop().time()))
        self._mark_timed_out(result)

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        who: FakeUser,
        guild: FakeGuild | None,
        chan: FakeChannel,
        *,
        place: Place,
        attachments: Mapping[str, AttachmentSpec] | None = None,
        focused: str | None = None,
        check_permissions: bool = True,
        permissions: int | None = None,
    ) -> tuple[dict[str, Any], int | None]:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        cmd = self.find_command_in(parts[0], guild)
        self._check_offered(cmd, place)
        if guild is not None and check_permissions and cmd.get("default_member_permissions") is not None:
            needed = int(cmd["default_member_permissions"])
            have = permissions if permissions is not None else guild.channel_permissions(chan, who)
            if needed == 0 or ((have & needed) != needed and not have & Perm.ADMINISTRATOR):
                raise CommandNotAvailable(
                    f"{who.username} lacks default_member_permissions {needed} for /{parts[0]} "
                    "(the Discord client hides the command)"
                )
        nesting, leaf = walk_command(cmd, parts[1:])
        given: dict[str, Any] = dict(options or {})
        for key, spec in (attachments or {}).items():
            given[key] = spec
        builder = OptionBuilder(self, guild, chan, who)
        typed = build_options(builder, leaf, given, focused=focused)
        data: dict[str, Any] = {"id": str(cmd["id"]), "name": cmd["name"], "type": int(cmd.get("type", 1))}
        nested = nest_options(nesting, typed)
        if nested:
            data["options"] = nested
        if builder.resolved:
            data["resolved"] = builder.resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        option_type = None
        if focused is not None:
            option_type = int(next(o["type"] for o in leaf if o["name"] == focused))
        return data, option_type

    def _select_values(
        self,
        comp: Mapping[str, Any],
        values: Iterable[Any] | None,
        guild: FakeGuild,
        chan: FakeChannel,
        who: FakeUser,
    ) -> dict[str, Any]:
        chosen = list(values or [])
        lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
        if not lo <= len(chosen) <= hi:
            raise ValueError(f"select {comp['custom_id']!r} takes {lo}..{hi} values; got {len(chosen)}")
        ctype = int(comp["type"])
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            for v in chosen:
                if v not in allowed:
                    raise ValueError(f"{v!r} is not an option of select {comp['custom_id']!r} ({allowed})")
            return {"values": chosen}
        builder = OptionBuilder(self, guild, chan, who)
        ids: list[str] = []
        for v in chosen:
            if ctype == 5 or (ctype == 7 and not isinstance(v, FakeRole)):
                u = self.resolve_user(v)
                builder.add_user(u)
                ids.append(str(u.id))
            elif ctype == 6 or isinstance(v, FakeRole):
                r = self.resolve_role(v)
                builder.add_role(r)
                ids.append(str(r.id))
            else:
                c = self.resolve_channel(v)
                builder.add_channel(c)
                ids.append(str(c.id))
        return {"values": ids, "resolved": builder.resolved}

    @staticmethod
    def _modal_value(comp: Mapping[str, Any], given: dict[str, str | list[str]]) -> dict[str, Any]:
        cid = comp.get("custom_id")
        if comp.get("type") == 4:
            value = given.pop(str(cid), comp.get("value") or "")
            if not isinstance(value, str):
                raise TypeError(f"text input {cid!r} takes a string")
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if value and comp.get("min_length") and len(value) < int(comp["min_length"]):
                raise ValueError(f"text input {cid!r} is shorter than min_length")
            if comp.get("max_length") and len(value) > int(comp["max_length"]):
                raise ValueError(f"text input {cid!r} is longer than max_length")
            return {"type": 4, "custom_id": cid, "value": value}
        chosen = given.pop(str(cid), [])
        return {
            "type": comp.get("type"),
            "custom_id": cid,
            "values": [chosen] if isinstance(chosen, str) else chosen,
        }

    def _target_message(self, target: FakeMessage | InteractionResult | int) -> FakeMessage:
        if isinstance(target, FakeMessage):
            return target
        if isinstance(target, InteractionResult):
            if target.message is None:
                raise ValueError("fakecord: that interaction has no response message")
            return target.message
        return self._messages[int(target)]
