"""``python -m bot render map|stats|timeline``: the bot's pictures, written to PNG files offline.

The console's ``/picture`` uses the same code: ``/picture map kind=recognition region=europe out=map.png``.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.cli.ask import HasData, load_engine
from bot.cli.options import WHAT
from bot.core.answers import Answer
from bot.core.engine import QueryEngine
from bot.core.figures import PictureData, file_name
from bot.pictures.render import render_png
from bot.pictures.service import geo_folder

log = logging.getLogger(__name__)



class RenderError(Exception):
    """A picture that cannot be drawn (bad filters, nothing matches): one line for the user."""


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """What to draw and where to write it."""

    what: str
    kind: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    region: str | None = None
    out: Path | None = None


def picture_data(engine: QueryEngine, request: RenderRequest) -> PictureData:
    """The data the bot would draw for ``request`` (RenderError when there is nothing to draw)."""
    answer: Answer
    if request.what == "stats":
        return engine.year_counts()
    if request.what == "timeline":
        answer = engine.timeline(request.from_year, request.to_year)
        timeline = engine.timeline_data(answer)
        if timeline is None:
            raise RenderError(answer.message or "No events to draw.")
        return timeline
    if request.what != "map":
        raise RenderError(f"Unknown picture '{request.what}'. Use one of: {', '.join(WHAT)}.")
    args = (request.kind, request.from_year, request.to_year, request.region)
    answer = engine.map(*args)
    data = engine.map_data(*args) if answer.ok else None
    if data is None:
        raise RenderError(answer.message or "Nothing to draw.")
    return data


def write_picture(engine: QueryEngine, request: RenderRequest, data_folder: Path | None) -> Path:
    """Draw ``request`` and write the PNG (default: map.png, stats.png or timeline.png here)."""
    data = picture_data(engine, request)
    out = request.out or Path(file_name(data))
    png = render_png(data, str(geo_folder(*([data_folder / "geo"] if data_folder else []))))
    try:
        out.write_bytes(png)
    except OSError as err:
        raise RenderError(f"cannot write {out}: {err.strerror or err}") from err
    return out


def parse_words(text: str) -> RenderRequest:
    """The console's form: ``map kind=recognition from=2020 to=2023 region=europe out=FILE.png``."""
    words = text.split()
    if not words:
        raise RenderError(f"Say what to draw: {', '.join(WHAT)}. e.g. /picture map region=europe")
    what, options = words[0].lower(), dict[str, str]()
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or key not in {"kind", "from", "to", "region", "out"}:
            raise RenderError(f"Unknown option '{word[:40]}'. Use kind=, from=, to=, region= or out=.")
        options[key] = value
    years: dict[str, int | None] = {}
    for key in ("from", "to"):
        year = options.get(key)
        if year is not None and not year.isdigit():
            raise RenderError(f"'{year[:20]}' is not a year.")
        years[key] = int(year) if year is not None else None
    out = options.get("out")
    kind, region = options.get("kind"), options.get("region")
    return RenderRequest(what, kind, years["from"], years["to"], region, Path(out) if out else None)


def render_command(args: argparse.Namespace, *, config: HasData, stdout: TextIO, stderr: TextIO) -> int:
    """Write one picture; 0 with its path, 1 with one line saying why not."""
    engine = load_engine(config, stderr)
    if engine is None:
        return 2
    request = RenderRequest(args.what, args.kind, args.from_year, args.to_year, args.region, args.out)
    try:
        out = write_picture(engine, request, config.data.path)
    except RenderError as err:
        stderr.write(f"error: {err}\n")
        return 1
    stdout.write(f"{out}\n")
    return 0
