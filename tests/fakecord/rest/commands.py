"""REST handlers: application commands, global and per guild."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .. import limits
from ..models import snowflake
from ..state import ServerState
from .http import Reply, Req, error


class CommandHandlers(ServerState):
    """``/applications/{app}[/guilds/{guild_id}]/commands``."""

    def _command_scope(self, req: Req) -> tuple[int | None, Reply | None]:
        if req.groups.get("app") != str(self.application_id):
            return None, error(403, 50001, "Missing Access")
        gid_raw = req.groups.get("guild_id")
        if gid_raw is None:
            return None, None
        if not gid_raw.isdigit() or int(gid_raw) not in self.guilds:
            return None, error(404, 10004, "Unknown Guild")
        return int(gid_raw), None

    def _store_command(
        self, gid: int | None, cmd: Mapping[str, Any], previous: Mapping[str, dict[str, Any]]
    ) -> dict[str, Any]:
        key = f"{int(cmd.get('type', 1))}:{cmd['name']}"
        old = previous.get(key)
        stored = copy.deepcopy(dict(cmd))
        stored.setdefault("type", 1)
        stored.setdefault("options", [])
        dmp = stored.get("default_member_permissions")
        stored["default_member_permissions"] = (
            str(dmp) if dmp is not None else None
        )  # Discord answers a string
        stored.setdefault("nsfw", False)
        stored["id"] = old["id"] if old else str(snowflake())
        stored["application_id"] = str(self.application_id)
        stored["version"] = str(snowflake())
        if gid is not None:
            stored["guild_id"] = str(gid)
        else:
            stored.pop("guild_id", None)
        return stored

    async def _h_put_commands(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        errors = limits.Errors()
        limits.validate_commands(req.json, errors)
        if errors:
            detail = "; ".join(str(e) for e in errors)
            self._violate("command_schema", detail, req.method, req.path)
            return Reply(400, limits.error_body(errors))
        previous = self.commands.get(gid, {})
        new: dict[str, dict[str, Any]] = {}
        for cmd in req.json:
            stored = self._store_command(gid, cmd, previous)
            new[f"{stored['type']}:{stored['name']}"] = stored
        self.commands[gid] = new
        self.sync_count += 1
        self.notify()
        return Reply(200, list(copy.deepcopy(new).values()))

    async def _h_post_command(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        errors = limits.Errors()
        limits.validate_command(req.json, errors, path=())
        if errors:
            self._violate("command_schema", "; ".join(str(e) for e in errors), req.method, req.path)
            return Reply(400, limits.error_body(errors))
        current = self.commands.setdefault(gid, {})
        stored = self._store_command(gid, req.json, current)
        key = f"{stored['type']}:{stored['name']}"
        existed = key in current
        current[key] = stored
        self.notify()
        return Reply(200 if existed else 201, copy.deepcopy(stored))

    async def _h_delete_command(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        current = self.commands.get(gid, {})
        for key, cmd in list(current.items()):
            if cmd["id"] == req.groups["cmd"]:
                del current[key]
                return Reply(204)
        return error(404, 10063, "Unknown application command")

    async def _h_get_commands(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        return Reply(200, self.synced_commands(gid))
