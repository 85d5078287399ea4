"""What the rendering process runs.

Importing this module does not load matplotlib: the bot's own process never needs it, only the
worker does (on its first picture or at warm-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.figures import PictureData


def render(data: PictureData, geo: str) -> bytes:
    """The picture as PNG bytes (see :func:`bot.pictures.render.render_png`)."""
    from bot.pictures.render import render_png  # noqa: PLC0415 - loads matplotlib, in the worker only

    return render_png(data, geo)


def warm_up(geo: str) -> None:
    """Load matplotlib, its fonts and the outlines, so that the first picture is not the slow one."""
    from bot.pictures.render import warm_up as warm  # noqa: PLC0415

    warm(geo)
