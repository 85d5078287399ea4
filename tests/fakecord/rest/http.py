"""REST plumbing: a parsed request, its reply, routes from templates, reading and writing bodies."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class Reply:
    """A REST answer before it becomes an aiohttp Response."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"message": message, "code": code})


@dataclass
class UploadedFile:
    """A multipart part of a bot upload."""

    field: str
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Req:
    """A parsed REST request."""

    method: str
    path: str
    groups: dict[str, str]
    query: Mapping[str, str]
    json: Any
    files: list[UploadedFile]


Handler = Callable[[Any, Req], Awaitable[Reply]]
"""A server method taken unbound from its class, called as ``handler(server, req)``."""


@dataclass
class Route:
    """One REST route the fake implements."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str  # "bot" (needs the bot token, counts for the global limit), "webhook" (token in the path)


def path_matches(pattern: str | re.Pattern[str], path: str) -> bool:
    if isinstance(pattern, re.Pattern):
        return pattern.fullmatch(path) is not None
    pat = pattern
    for prefix in ("/api/v10", "/api/v9"):
        if pat.startswith(prefix):
            pat = pat[len(prefix) :]
    return fnmatch.fnmatchcase(path, pat)


def route(method: str, template: str, handler: Handler, kind: str = "bot") -> Route:
    """A route from a template such as ``/channels/{channel_id}/messages``; ``{name}`` is one segment."""
    regex = re.escape(template)
    regex = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", regex)
    return Route(method, re.compile(regex), handler, kind)


def respond(reply: Reply) -> web.Response:
    """The aiohttp response for a reply."""
    headers = dict(reply.headers)
    if reply.status == 204 or reply.body is None:
        return web.Response(status=reply.status, headers=headers)
    headers["Content-Type"] = "application/json"  # exactly this: discord.py compares the string
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile], str | None]:
    """The JSON body (or multipart ``payload_json``), the uploaded files, and an error if the JSON is bad."""
    files: list[UploadedFile] = []
    if request.content_type == "multipart/form-data":
        payload: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            raw = bytes(await part.read(decode=False))
            if part.name == "payload_json":
                payload = json.loads(raw.decode())
            else:
                files.append(
                    UploadedFile(
                        str(part.name), part.filename or "file", raw, part.headers.get("Content-Type")
                    )
                )
        return payload, files, None
    raw_body = await request.read()
    if not raw_body:
        return None, files, None
    try:
        return json.loads(raw_body.decode()), files, None
    except ValueError:
        return None, files, "body is not valid JSON"
