"""The /stats chart (acts per year, stacked by strongest kind) and the /timeline picture."""

from __future__ import annotations

import datetime as dt

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.core.figures import TimelineData, YearCounts
from bot.core.i18n import _, ngettext
from bot.pictures import style

CHART_HEIGHT_PX = 640
ROW_PX = 40
TIMELINE_CHROME_PX = 190  # title, legend and the year axis
SPAN_COLOUR = style.MARK_COLOURS[next(iter(style.MARK_COLOURS))]
DAY_COLOUR = "#0072B2"
VAGUE_COLOUR = "#9AB8CF"
AXES_PX = 960  # the timeline's width in pixels
LABEL_GAP_PX = 14  # between a mark and its label
CHAR_PX = 9.3  # the mean width of a label character at the label size


EPOCH = dt.date(1970, 1, 1)  # matplotlib's date epoch: a date is drawn at its days since then


def date2num(day: dt.date) -> float:
    """The x of a day on a date axis."""
    return float((day - EPOCH).days)


def _heading(fig: Figure, title: str, subtitle: str, height: int) -> None:
    x = 20 / style.WIDTH_PX
    fig.text(x, 1 - 14 / height, title, fontsize=style.TITLE_PT, fontweight="bold", va="top")
    fig.text(x, 1 - 52 / height, subtitle, fontsize=style.TEXT_PT, color=style.MUTED, va="top")


def draw_year_counts(fig: Figure, data: YearCounts) -> None:
    """Stacked bars: one per year, one colour per strongest kind, the total on top."""
    height = CHART_HEIGHT_PX
    fig.set_size_inches(style.WIDTH_PX / style.DPI, height / style.DPI)
    acts = ngettext(
        "{count} act, each counted once under its strongest kind · dataset {version}",
        "{count} acts, each counted once under its strongest kind · dataset {version}",
        data.total,
    )
    _heading(fig, _(data.title), acts.format(count=data.total, version=data.version), height)
    ax = fig.add_axes((75 / style.WIDTH_PX, 70 / height, 900 / style.WIDTH_PX, 1 - 210 / height))
    years = list(data.years)
    bottoms = [0] * len(years)
    for mark, counts in data.counts:
        ax.bar(years, counts, bottom=bottoms, width=0.8, color=style.MARK_COLOURS[mark], label=_(mark.label),
               edgecolor=style.BACKGROUND, linewidth=0.6)
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    for year, total in zip(years, bottoms, strict=True):
        if total:
            ax.text(year, total, str(total), ha="center", va="bottom", fontsize=style.SMALL_PT)
    ax.set_xlim(min(years, default=0) - 0.7, max(years, default=0) + 0.7)
    ax.set_ylim(0, max(bottoms, default=1) * 1.12 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.grid(axis="y", color=style.GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=style.TEXT_PT)
    ax.set_ylabel(_("Acts"), fontsize=style.TEXT_PT)
    fig.legend(
        handles=[Patch(facecolor=style.MARK_COLOURS[m], label=_(m.label)) for m, _counts in data.counts],
        loc="upper left",
        bbox_to_anchor=(20 / style.WIDTH_PX, 1 - 86 / height),
        ncol=2,
        fontsize=style.TEXT_PT,
        columnspacing=1.4,
        handlelength=1.2,
        borderaxespad=0.0,
    )


def timeline_height(rows: int) -> int:
    """The picture's height for ``rows`` events."""
    return TIMELINE_CHROME_PX + ROW_PX * max(rows, 1)


def draw_timeline(fig: Figure, data: TimelineData) -> None:
    """One row per event, oldest first: a bar for a span, a tick for a day, a pale bar for a vague date."""
    spans = data.spans
    height = timeline_height(len(spans))
    fig.set_size_inches(style.WIDTH_PX / style.DPI, height / style.DPI)
    first = min(s.start for s in spans)
    last = max(s.end for s in spans)
    pad = max((last - first).days * 0.03, 120)
    low, high = date2num(first - dt.timedelta(days=pad)), date2num(last + dt.timedelta(days=pad))
    events = ngettext(
        "{count} event, oldest first · dataset {version}",
        "{count} events, oldest first · dataset {version}",
        len(spans),
    )
    _heading(fig, _(data.title), events.format(count=len(spans), version=data.version), height)
    ax = fig.add_axes((20 / style.WIDTH_PX, 60 / height, AXES_PX / style.WIDTH_PX, 1 - 190 / height))
    ax.set_xlim(low, high)
    ax.set_ylim(len(spans) - 0.4, -0.6)
    minimum = (high - low) * 0.006  # a span is never thinner than about 6 pixels
    for row, span in enumerate(spans):
        start, end = date2num(span.start), date2num(span.end + dt.timedelta(days=1))
        if span.form == "day":
            ax.plot([start, start], [row - 0.32, row + 0.32], color=DAY_COLOUR, linewidth=3.2,
                    solid_capstyle="butt")
            ax.plot([start], [row], marker="D", markersize=7, color=DAY_COLOUR)
        else:
            colour = SPAN_COLOUR if span.form == "span" else VAGUE_COLOUR
            ax.barh(row, max(end - start, minimum), left=start, height=0.5, color=colour,
                    hatch="//" if span.form == "vague" else None, edgecolor="white" if span.form == "vague"
                    else colour, linewidth=0)
        text = f"{span.title} · {span.label}"
        left_px = (start - low) / (high - low) * AXES_PX - LABEL_GAP_PX
        right_px = AXES_PX - (max(end, start + minimum) - low) / (high - low) * AXES_PX - LABEL_GAP_PX
        right_side = right_px >= len(text) * CHAR_PX or right_px >= left_px
        room = int((right_px if right_side else left_px) / CHAR_PX)
        title = span.title
        if len(text) > room:  # too long for either side: cut the title, keep the date
            title = span.title[: max(room - len(span.label) - 4, 8)].rstrip()
            text = f"{title}… · {span.label}"
        anchor = max(end, start + minimum) if right_side else start
        while True:  # the estimate above suits Latin letters; wider ones are cut until they fit
            label = ax.annotate(text, (anchor, row), xytext=(9 if right_side else -9, 0),
                                textcoords="offset points", va="center", ha="left" if right_side else "right",
                                fontsize=style.SMALL_PT + 1, color=style.INK)
            if len(title) <= 8 or style.fits(fig, label):
                break
            label.remove()
            title = title[: max(len(title) - 4, 8)].rstrip()
            text = f"{title}… · {span.label}"
    ax.xaxis_date()
    ax.tick_params(axis="x", labelsize=style.TEXT_PT)
    ax.set_yticks([])
    ax.grid(axis="x", color=style.GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.legend(
        handles=[
            Patch(facecolor=SPAN_COLOUR, label=_("Span")),
            Line2D([], [], color=DAY_COLOUR, marker="D", linewidth=3, markersize=7, label=_("Day")),
            Patch(
                facecolor=VAGUE_COLOUR,
                hatch="//",
                edgecolor="white",
                label=_("Known only to the month or year"),
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(20 / style.WIDTH_PX, 1 - 86 / height),
        ncol=3,
        fontsize=style.TEXT_PT,
        handlelength=1.6,
        borderaxespad=0.0,
    )
