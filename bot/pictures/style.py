"""Colours, sizes and fonts shared by every picture.

Pictures are opaque light cards, so they read the same in Discord's dark and light themes. They
are 1,000 pixels wide with large type: a phone shows them about 400 points wide, where 15-point
text at this width is still about 8 points. Kind colours are the Okabe–Ito palette, told apart by
people with the common colour-vision deficiencies.
"""

from __future__ import annotations

from typing import Any, Final

from matplotlib.artist import Artist
from matplotlib.figure import Figure

from bot.core.figures import Mark

DPI: Final = 100
WIDTH_PX: Final = 1000

#: Okabe & Ito (2008), "Color Universal Design": vermillion, blue, bluish green, reddish purple.
MARK_COLOURS: Final[dict[Mark, str]] = {
    Mark.RECOGNITION: "#D55E00",
    Mark.CALL: "#0072B2",
    Mark.SELF_DETERMINATION: "#009E73",
    Mark.OTHER: "#CC79A7",
}

BACKGROUND: Final = "#FAFAF7"
INK: Final = "#1A1A1A"
MUTED: Final = "#555555"
OCEAN: Final = "#D6E6F0"
LAND: Final = "#F1F0EA"
BORDER: Final = "#A3A3A3"
SHADED: Final = "#D3C6AA"  # a country with a national act
SHADED_EDGE: Final = "#8C7B5A"
STATE_LINE: Final = "#C2C2C2"
GRID: Final = "#D9D9D9"

TITLE_PT: Final = 22
SUBTITLE_PT: Final = 16
TEXT_PT: Final = 14
SMALL_PT: Final = 12

RC: Final[dict[Any, Any]] = {  # matplotlib's rc keys are a Literal type; these are all valid
    "font.family": "DejaVu Sans",
    "font.size": TEXT_PT,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": INK,
    "ytick.color": INK,
    "figure.facecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "axes.facecolor": BACKGROUND,
    "legend.frameon": False,
    "path.simplify": True,
}


def fits(fig: Figure, artist: Artist) -> bool:
    """True when ``artist``, as drawn, lies within the picture (measured, not guessed: any script)."""
    box = artist.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    edge = fig.bbox
    inside_x = box.x0 >= edge.x0 - 1 and box.x1 <= edge.x1 + 1
    return bool(inside_x and box.y0 >= edge.y0 - 1 and box.y1 <= edge.y1 + 1)
