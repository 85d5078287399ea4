"""Turn the core's picture data into PNG bytes with matplotlib's Agg canvas (no GUI, no pyplot state).

:func:`render_png` is what a rendering process runs: it takes only plain data (picklable) and
the folder of the outlines, and returns the PNG.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.core.figures import MapData, PictureData, YearCounts
from bot.core.geo import COUNTRIES_FILE, US_STATES_FILE, Outline, load_outlines
from bot.core.i18n import using
from bot.pictures import style
from bot.pictures.charts import draw_timeline, draw_year_counts
from bot.pictures.maps import draw_map

PNG_META = {"Software": None}  # no "matplotlib version x.y" in every file


@functools.lru_cache(maxsize=4)
def _outlines(geo: Path) -> tuple[dict[str, Outline], dict[str, Outline]]:
    countries = load_outlines(geo / "countries-110m.geojson" if geo.name != COUNTRIES_FILE else geo)
    states_file = geo / US_STATES_FILE
    states = load_outlines(states_file) if states_file.is_file() else {}
    return countries, states


def render_png(data: PictureData, geo: str) -> bytes:
    """The picture as PNG bytes; ``geo`` is the folder with the outlines (for maps).

    Its words are in ``data.language`` (the catalogs, as the answer's), whatever process draws it.
    """
    with rc_context(style.RC), using(data.language):
        fig = Figure(dpi=style.DPI)
        FigureCanvasAgg(fig)
        if isinstance(data, MapData):
            countries, states = _outlines(Path(geo))
            draw_map(fig, data, countries, states)
        elif isinstance(data, YearCounts):
            draw_year_counts(fig, data)
        else:
            draw_timeline(fig, data)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=style.DPI, metadata=PNG_META)
        return out.getvalue()


def warm_up(geo: str) -> None:
    """Load matplotlib's fonts and the outlines once, so the first picture is not the slow one."""
    _outlines(Path(geo))
    with rc_context(style.RC):
        fig = Figure(dpi=style.DPI)
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, "warm", fontweight="bold")
        fig.savefig(io.BytesIO(), format="png", dpi=10)
