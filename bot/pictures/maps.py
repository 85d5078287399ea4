"""The /map picture: countries, shaded where a national act was adopted, and one marker per place.

Maps are plate carrée (longitude and latitude as x and y) with the x scale shrunk by the cosine
of the middle latitude on regional maps, so shapes look right where people look. The layout is
worked out in pixels first (:func:`layout`); the drawing places its axes there, and
:meth:`MapLayout.pixel` tells where a coordinate lands in the PNG (the tests check markers with it).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from bot.core.figures import WORLD, MapData, MapPlace, Mark, Region
from bot.core.geo import Outline
from bot.core.i18n import _, ngettext
from bot.pictures import style

MARGIN = 20
ARTSAKH = (39.815, 46.752)  # Stepanakert, for orientation
TITLE_PX = 112  # the three title lines
LEGEND_PX = 180  # under a regional map
MAX_MAP_PX = 720  # a tall region is narrowed to this height
INSET_PX = 390  # the world map's Europe panel height


@dataclass(frozen=True, slots=True)
class Rect:
    """A box in image pixels, from the top-left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class MapLayout:
    """Where each part of the map picture goes, in pixels of a ``width`` x ``height`` image."""

    width: int
    height: int
    main: Rect
    inset: Rect | None
    legend: Rect

    def pixel(self, region: Region, lat: float, lon: float, *, inset: bool = False) -> tuple[float, float]:
        """The image pixel (x, y from the top-left) of a coordinate on the main map or the inset."""
        box = self.inset if inset and self.inset is not None else self.main
        x = box.x + (lon - region.west) / (region.east - region.west) * box.w
        y = box.y + (region.north - lat) / (region.north - region.south) * box.h
        return x, y


def stretch(region: Region) -> float:
    """How much taller a degree of latitude is drawn than a degree of longitude."""
    if region == WORLD:
        return 1.0
    return 1.0 / math.cos(math.radians((region.north + region.south) / 2))


def aspect(region: Region) -> float:
    """Width over height of the region as drawn."""
    return (region.east - region.west) / ((region.north - region.south) * stretch(region))


def layout(data: MapData) -> MapLayout:
    """The layout: world map with a Europe panel beside the legend, or one region over its legend."""
    inner = style.WIDTH_PX - 2 * MARGIN
    if data.inset is not None:
        main = Rect(MARGIN, TITLE_PX, inner, round(inner / aspect(data.region)))
        top = main.y + main.h + MARGIN
        inset = Rect(MARGIN, top, round(INSET_PX * aspect(data.inset)), INSET_PX)
        legend_x = inset.x + inset.w + MARGIN
        legend = Rect(legend_x, top, style.WIDTH_PX - MARGIN - legend_x, INSET_PX)
        return MapLayout(style.WIDTH_PX, int(top + INSET_PX + MARGIN), main, inset, legend)
    height = inner / aspect(data.region)
    width: float = inner
    if height > MAX_MAP_PX:
        height, width = MAX_MAP_PX, MAX_MAP_PX * aspect(data.region)
    main = Rect(round((style.WIDTH_PX - width) / 2), TITLE_PX, round(width), round(height))
    legend = Rect(MARGIN, main.y + main.h + 10, inner, LEGEND_PX)
    return MapLayout(style.WIDTH_PX, int(legend.y + legend.h), main, None, legend)


def _axes(fig: Figure, plan: MapLayout, box: Rect, region: Region) -> Axes:
    ax = fig.add_axes(
        (box.x / plan.width, 1 - (box.y + box.h) / plan.height, box.w / plan.width, box.h / plan.height)
    )
    ax.set_xlim(region.west, region.east)
    ax.set_ylim(region.south, region.north)
    ax.set_aspect("auto")
    ax.set_facecolor(style.OCEAN)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(style.MUTED)
        spine.set_linewidth(1.0)
    return ax


def _outer_rings(outlines: Iterable[Outline], region: Region) -> list[Sequence[tuple[float, float]]]:
    rings: list[Sequence[tuple[float, float]]] = []
    for outline in outlines:
        west, south, east, north = outline.bbox
        if east < region.west or west > region.east or north < region.south or south > region.north:
            continue
        for polygon in outline.polygons:
            ring = polygon[0]
            rings.append(ring)
            xs = [x for x, _ in ring]
            for shift, beyond in ((360.0, min(xs) < -180.0), (-360.0, max(xs) > 180.0)):
                if beyond:  # the part across the antimeridian, on the other side of the map
                    rings.append([(x + shift, y) for x, y in ring])
    return rings


def _draw_land(
    ax: Axes,
    region: Region,
    countries: Mapping[str, Outline],
    shaded: Sequence[str],
    states: Mapping[str, Outline],
) -> None:
    # Larger countries first, so an enclosed one (Lesotho, San Marino) is drawn over its neighbour.
    def area(o: Outline) -> float:
        return (o.bbox[2] - o.bbox[0]) * (o.bbox[3] - o.bbox[1])

    ordered = sorted(countries.values(), key=area, reverse=True)
    plain = [o for o in ordered if o.id not in shaded]
    marked = [o for o in ordered if o.id in shaded]
    width = 0.5 if region == WORLD else 0.7
    ax.add_collection(
        PolyCollection(
            _outer_rings(plain, region), facecolors=style.LAND, edgecolors=style.BORDER, linewidths=width
        )
    )
    if marked:
        ax.add_collection(
            PolyCollection(
                _outer_rings(marked, region),
                facecolors=style.SHADED,
                edgecolors=style.SHADED_EDGE,
                linewidths=width + 0.3,
            )
        )
    if states and region != WORLD:
        ax.add_collection(
            PolyCollection(
                _outer_rings(states.values(), region),
                facecolors="none",
                edgecolors=style.STATE_LINE,
                linewidths=0.5,
            )
        )


def marker_diameter(count: int) -> float:
    """A marker's diameter in pixels: its area grows with the number of acts."""
    return 15.0 + 7.0 * math.sqrt(max(count, 1) - 1)


def _draw_markers(ax: Axes, places: Sequence[MapPlace], region: Region) -> None:
    shown = [p for p in places if region.holds(p.lat, p.lon)]
    if not shown:
        return
    # points² from pixels at the figure's dpi; biggest first so small markers stay visible on top
    sizes = [(marker_diameter(p.count) * 72 / style.DPI) ** 2 for p in shown]
    ax.scatter(
        [p.lon for p in shown],
        [p.lat for p in shown],
        s=sizes,
        c=[style.MARK_COLOURS[p.mark] for p in shown],
        edgecolors="white",
        linewidths=1.4,
        zorder=3,
    )


def _draw_artsakh(ax: Axes, region: Region) -> None:
    """A reference point: Stepanakert, with the name, where the region shows it."""
    lat, lon = ARTSAKH
    if not region.holds(lat, lon):
        return
    ax.scatter([lon], [lat], marker="*", s=170, c=style.INK, edgecolors="white", linewidths=0.8, zorder=4)
    left = lon > region.east - (region.east - region.west) * 0.15  # near the right edge: name on the left
    ax.annotate(_("Artsakh"), (lon, lat), xytext=(-7 if left else 7, -3), textcoords="offset points",
                fontsize=style.SMALL_PT, fontweight="bold", color=style.INK, va="top",
                ha="right" if left else "left", zorder=4)


def _legend(fig: Figure, plan: MapLayout, data: MapData) -> None:
    box = plan.legend
    marks = {p.mark: 0 for p in data.places}
    for p in data.places:
        marks[p.mark] += 1
    handles: list[Line2D | Patch] = []
    for mark in Mark:
        count = marks.get(mark, 0)
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="none", markersize=13, markerfacecolor=style.MARK_COLOURS[mark],
                markeredgecolor="white", label=f"{_(mark.label)} ({count})",
            )
        )
    handles.append(
        Patch(facecolor=style.SHADED, edgecolor=style.SHADED_EDGE, label=_("Country with a national act"))
    )
    biggest = max((p.count for p in data.places), default=1)
    for count in sorted({1, biggest}):
        diameter = marker_diameter(count) * 72 / style.DPI
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="none", markersize=diameter, markerfacecolor="#9A9A9A",
                markeredgecolor="white",
                label=ngettext("{count} act at one place", "{count} acts at one place", count).format(
                    count=count
                ),
            )
        )
    columns = 1 if plan.inset is not None else 2
    anchor = (box.x / plan.width, 1 - box.y / plan.height)
    # Longer words (Armenian, Russian) get a smaller size until the legend fits the picture.
    for size in range(style.TEXT_PT, style.SMALL_PT - 3, -1):
        legend = fig.legend(
            handles=handles,
            title=_("Places, by strongest kind"),
            title_fontproperties={"size": size, "weight": "bold"},
            alignment="left",
            loc="upper left",
            bbox_to_anchor=anchor,
            ncol=columns,
            fontsize=size,
            handletextpad=0.6,
            labelspacing=0.9 if plan.inset is not None else 0.6,
            columnspacing=1.5,
            borderaxespad=0.0,
        )
        if style.fits(fig, legend):
            break
        legend.remove()
    if data.unplaced:
        names = ", ".join(data.unplaced[:6])
        more = len(data.unplaced) - 6
        note = (
            _("Not on the map (no location): {names} and {count} more").format(names=names, count=more)
            if more > 0
            else _("Not on the map (no location): {names}").format(names=names)
        )
        width = round(box.w / (style.SMALL_PT * 0.8))  # characters per line at this size
        fig.text(anchor[0], 1 - (box.y + box.h - 6) / plan.height, textwrap.fill(note, width),
                 fontsize=style.SMALL_PT, color=style.MUTED, va="bottom")


def _title(fig: Figure, plan: MapLayout, data: MapData) -> None:
    x = MARGIN / plan.width
    places = len(data.places) + len(data.unplaced)
    countries = data.countries
    counts = _("{acts} · {places} · {countries} · dataset {version}").format(
        acts=ngettext("{count} act", "{count} acts", data.records).format(count=data.records),
        places=ngettext("{count} place", "{count} places", places).format(count=places),
        countries=ngettext("{count} country", "{count} countries", countries).format(count=countries),
        version=data.version,
    )
    title = _(data.title)
    lines = ((title, style.TITLE_PT, "bold", style.INK, 14), (data.filters, style.SUBTITLE_PT, "normal",
             style.INK, 50), (counts, style.TEXT_PT, "normal", style.MUTED, 80))
    for text, size, weight, colour, top in lines:
        fig.text(x, 1 - top / plan.height, text, fontsize=size, fontweight=weight, color=colour, va="top")


def draw_map(
    fig: Figure, data: MapData, countries: Mapping[str, Outline], states: Mapping[str, Outline]
) -> MapLayout:
    """Draw ``data`` on an empty figure (sized here); returns the layout used."""
    plan = layout(data)
    fig.set_size_inches(plan.width / style.DPI, plan.height / style.DPI)
    main = _axes(fig, plan, plan.main, data.region)
    _draw_land(main, data.region, countries, data.shaded, states)
    _draw_markers(main, data.places, data.region)
    _draw_artsakh(main, data.region)
    if data.inset is not None and plan.inset is not None:
        inset = _axes(fig, plan, plan.inset, data.inset)
        _draw_land(inset, data.inset, countries, data.shaded, states)
        _draw_markers(inset, data.places, data.inset)
        _draw_artsakh(inset, data.inset)
        inset.text(
            0.015, 0.985, _(data.inset.label), transform=inset.transAxes, fontsize=style.SUBTITLE_PT,
            fontweight="bold", va="top", ha="left", color=style.INK,
        )
        region = data.inset
        main.add_patch(
            Rectangle(
                (region.west, region.south), region.east - region.west, region.north - region.south,
                fill=False, edgecolor=style.INK, linewidth=1.2, linestyle="--", zorder=4,
            )
        )
    _title(fig, plan, data)
    _legend(fig, plan, data)
    return plan
