"""The route table and the dispatcher that serves it."""

from __future__ import annotations

import asyncio
import traceback

from aiohttp import web

from ..faults import Fault, FaultInjection
from ..models import RestCall
from .channels import ChannelHandlers
from .commands import CommandHandlers
from .guilds import GuildHandlers
from .http import Reply, Req, Route, error, read_body, respond, route
from .identity import IdentityHandlers
from .interactions import InteractionHandlers

_GUILD_COMMANDS = "/applications/{app}/guilds/{guild_id}/commands"
_WEBHOOK_MESSAGE = "/webhooks/{app}/{token}/messages/{mid}"
_OWN_REACTION = "/channels/{channel_id}/messages/{mid}/reactions/{emoji}/@me"

ROUTES: tuple[Route, ...] = (
    route("GET", "/users/@me", IdentityHandlers._h_me),
    route("GET", "/users/{user_id}", IdentityHandlers._h_user),
    route("GET", "/oauth2/applications/@me", IdentityHandlers._h_app),
    route("GET", "/applications/@me", IdentityHandlers._h_app),
    route("GET", "/gateway", IdentityHandlers._h_gateway),
    route("GET", "/gateway/bot", IdentityHandlers._h_gateway_bot),
    route("GET", "/applications/{app}/commands", CommandHandlers._h_get_commands),
    route("PUT", "/applications/{app}/commands", CommandHandlers._h_put_commands),
    route("POST", "/applications/{app}/commands", CommandHandlers._h_post_command),
    route("DELETE", "/applications/{app}/commands/{cmd}", CommandHandlers._h_delete_command),
    route("GET", _GUILD_COMMANDS, CommandHandlers._h_get_commands),
    route("PUT", _GUILD_COMMANDS, CommandHandlers._h_put_commands),
    route("POST", _GUILD_COMMANDS, CommandHandlers._h_post_command),
    route("DELETE", _GUILD_COMMANDS + "/{cmd}", CommandHandlers._h_delete_command),
    route("POST", "/interactions/{iid}/{token}/callback", InteractionHandlers._h_callback, "webhook"),
    route("POST", "/webhooks/{app}/{token}", InteractionHandlers._h_followup, "webhook"),
    route("GET", _WEBHOOK_MESSAGE, InteractionHandlers._h_webhook_message, "webhook"),
    route("PATCH", _WEBHOOK_MESSAGE, InteractionHandlers._h_webhook_message, "webhook"),
    route("DELETE", _WEBHOOK_MESSAGE, InteractionHandlers._h_webhook_message, "webhook"),
    route("GET", "/channels/{channel_id}", ChannelHandlers._h_get_channel),
    route("GET", "/channels/{channel_id}/messages", ChannelHandlers._h_list_messages),
    route("POST", "/channels/{channel_id}/messages", ChannelHandlers._h_post_message),
    route("GET", "/channels/{channel_id}/messages/{mid}", ChannelHandlers._h_channel_message),
    route("PATCH", "/channels/{channel_id}/messages/{mid}", ChannelHandlers._h_channel_message),
    route("DELETE", "/channels/{channel_id}/messages/{mid}", ChannelHandlers._h_channel_message),
    route("POST", "/channels/{channel_id}/typing", ChannelHandlers._h_typing),
    route("PUT", _OWN_REACTION, ChannelHandlers._h_reaction),
    route("DELETE", _OWN_REACTION, ChannelHandlers._h_reaction),
    route("GET", "/guilds/{guild_id}", GuildHandlers._h_get_guild),
    route("GET", "/guilds/{guild_id}/channels", GuildHandlers._h_guild_channels),
    route("GET", "/guilds/{guild_id}/roles", GuildHandlers._h_guild_roles),
    route("GET", "/guilds/{guild_id}/members", GuildHandlers._h_guild_members),
    route("GET", "/guilds/{guild_id}/members/{user_id}", GuildHandlers._h_guild_member),
)
"""Every REST route the fake implements (under ``/api/v9`` or ``/api/v10``), first match wins."""


class RestDispatch(
    IdentityHandlers, CommandHandlers, InteractionHandlers, ChannelHandlers, GuildHandlers, FaultInjection
):
    """Serves ``/api/v{version}/...`` through ``ROUTES``: authorisation, rate limits, faults, records."""

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        method = request.method.upper()
        path = "/" + request.match_info["tail"]
        body, files, body_error = await read_body(request)
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        route, groups = None, {}
        for candidate in ROUTES:
            if candidate.method == method:
                m = candidate.pattern.fullmatch(path)
                if m:
                    route, groups = candidate, m.groupdict()
                    break
        fault_used = False
        fault: Fault | None = None
        if request.match_info["version"] not in ("9", "10"):
            reply = error(404, 0, "404: Not Found")
            self._violate("unknown_route", f"API version v{request.match_info['version']}", method, path)
        elif route is None:
            self._violate("unknown_route", f"{method} {path} is not implemented by the fake", method, path)
            reply = error(404, 0, "404: Not Found")
        elif route.kind == "bot" and not authorized:
            reply = error(401, 0, "401: Unauthorized")
        elif body_error:
            reply = error(400, 50109, "The request body contains invalid JSON.")
        else:
            limited = self._global_limit(route) if authorized else None
            if limited is not None:
                reply = limited
            else:
                fault = self._take_fault(method, path)
                fault_used = fault is not None
                req = Req(method, path, groups, request.query, body, files)
                if fault is not None and not fault.processed:
                    reply = fault.reply()
                else:
                    reply = await self._call_handler(route, req)
                    if fault is not None:
                        reply = fault.reply()
        self.calls.append(
            RestCall(
                method=method,
                path=path,
                query=dict(request.query),
                json=body,
                files=[(f.field, f.filename, f.data) for f in files],
                status=reply.status,
                response=reply.body,
                at=asyncio.get_running_loop().time(),
                authorized=authorized,
                fault=fault_used,
            )
        )
        self.notify()
        if fault is not None and fault.drop and request.transport is not None:
            request.transport.abort()  # the connection drops: the client gets no answer at all
        return respond(reply)

    async def _call_handler(self, route: Route, req: Req) -> Reply:
        """Run a handler; a bug in the fake becomes a 400 (no slow 5xx retries) and a violation."""
        try:
            return await route.handler(self, req)
        except Exception as exc:
            detail = "".join(traceback.format_exception(exc))
            self._violate(
                "fake_error", f"fakecord crashed handling the request:\n{detail}", req.method, req.path
            )
            return error(400, 0, f"fakecord internal error: {exc!r}")

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        self._violate(
            "unknown_route",
            f"{request.method} {request.path} is not a Discord URL",
            request.method,
            request.path,
        )
        return respond(error(404, 0, "404: Not Found"))

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(int(request.match_info["id"])) if request.match_info["id"].isdigit() else None
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})
