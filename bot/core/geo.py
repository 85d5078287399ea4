"""Outlines of countries and states, and the geometry the maps and the location check need.

The outlines are the committed GeoJSON under ``data/geo/`` (see its README): longitude and
latitude in degrees, plate carrée. The geometry here is plain Python (even-odd point in
polygon, distance to the nearest edge), enough at 1:110m and fast enough for a few hundred
points; no GEOS or shapely.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Point = tuple[float, float]  # (longitude, latitude), GeoJSON's order
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # the outer ring, then any holes

#: The outlines committed with the code (a data folder may carry its own ``geo/``).
BUNDLED_GEO = Path(__file__).resolve().parents[2] / "data" / "geo"
COUNTRIES_FILE = "countries-110m.geojson"
US_STATES_FILE = "us-states.geojson"
#: A location may lie this far outside its country's 1:110m outline (coarse coasts, small islands;
#: the shipped places are all within 6 km).
LOCATION_TOLERANCE_KM = 20.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Outline:
    """One feature: a country or a state, as one or more polygons."""

    id: str
    name: str
    polygons: tuple[Polygon, ...]
    bbox: tuple[float, float, float, float]  # west, south, east, north

    def rings(self) -> Iterator[Ring]:
        """Every ring of every polygon."""
        for polygon in self.polygons:
            yield from polygon

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies inside (even-odd rule: holes are outside)."""
        west, south, east, north = self.bbox
        for x in (lon, lon - 360.0, lon + 360.0):  # a ring past ±180 holds points on the far side
            if west <= x <= east and south <= lat <= north and any(
                sum(_crossings(ring, x, lat) for ring in polygon) % 2 == 1 for polygon in self.polygons
            ):
                return True
        return False

    def distance_km(self, lat: float, lon: float) -> float:
        """0 inside; else the distance to the nearest edge (flat-earth near the point: fine under 500 km)."""
        if self.contains(lat, lon):
            return 0.0
        scale = math.cos(math.radians(lat))
        best = math.inf
        for x in (lon, lon - 360.0, lon + 360.0):
            for ring in self.rings():
                for (ax, ay), (bx, by) in itertools.pairwise(ring):
                    best = min(best, _segment_km(x, lat, ax, ay, bx, by, scale))
        return best


def _crossings(ring: Ring, x: float, y: float) -> int:
    """How many edges of ``ring`` a ray from (x, y) to the east crosses."""
    count = 0
    for (ax, ay), (bx, by) in itertools.pairwise(ring):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            count += 1
    return count


def _segment_km(  # noqa: PLR0917 - one point and one segment
    px: float, py: float, ax: float, ay: float, bx: float, by: float, scale: float
) -> float:
    """Distance from p to the segment a-b, in km, with longitudes shrunk by ``scale``."""
    ax, bx = (ax - px) * scale, (bx - px) * scale
    ay, by = ay - py, by - py
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy) * math.pi / 180 * EARTH_RADIUS_KM


def _ring(coordinates: Iterable[Any]) -> Ring:
    """A ring with its longitudes made continuous: one crossing the antimeridian goes past ±180."""
    out: list[Point] = []
    shift = 0.0
    previous: float | None = None
    for x, y, *_ in coordinates:
        lon = float(x)
        if previous is not None and abs(lon - previous) > 180:
            shift += 360.0 if lon < previous else -360.0
        previous = lon
        out.append((lon + shift, float(y)))
    return tuple(out)


def _polygons(geometry: Mapping[str, Any]) -> tuple[Polygon, ...]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return (tuple(_ring(r) for r in coordinates),)
    if kind == "MultiPolygon":
        return tuple(tuple(_ring(r) for r in polygon) for polygon in coordinates)
    return ()


def read_outlines(text: str) -> dict[str, Outline]:
    """The features of a GeoJSON FeatureCollection by id (ValueError when it is not one)."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    out: dict[str, Outline] = {}
    for feature in data.get("features") or []:
        polygons = _polygons(feature.get("geometry") or {})
        points = [p for polygon in polygons for ring in polygon for p in ring]
        if not points:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        fid = str(feature.get("id"))
        name = str((feature.get("properties") or {}).get("name", fid))
        out[fid] = Outline(fid, name, polygons, (min(xs), min(ys), max(xs), max(ys)))
    return out


@functools.lru_cache(maxsize=8)
def _load(path: Path, stamp: float) -> dict[str, Outline]:
    return read_outlines(path.read_text(encoding="utf-8"))


def load_outlines(path: Path) -> dict[str, Outline]:
    """The outlines in a GeoJSON file, read once per version of the file (by its mtime)."""
    return _load(path, path.stat().st_mtime)


_FOLDERS: list[Path] = []  # searched before the bundled folder (see use_geo_folders)


def use_geo_folders(*folders: Path) -> None:
    """Look for the outlines in these folders first (the Docker image's shipped ``data/geo``).

    An installed package has no ``data/`` beside it; the adapters call this once at start with
    the folders the configuration names.
    """
    _FOLDERS[:0] = [f for f in folders if f not in _FOLDERS]


def geo_file(name: str, *folders: Path) -> Path:
    """``name`` in the first of ``folders``, the configured folders or the bundled one that has it."""
    for folder in (*folders, *_FOLDERS):
        if (folder / name).is_file():
            return folder / name
    return BUNDLED_GEO / name


def country_outlines(*folders: Path) -> dict[str, Outline]:
    """The countries by dataset country id (``us``, ``fr``); empty when no outlines are found."""
    try:
        return load_outlines(geo_file(COUNTRIES_FILE, *folders))
    except (OSError, ValueError):
        return {}


def location_problem(
    lat: float, lon: float, outline: Outline, tolerance_km: float = LOCATION_TOLERANCE_KM
) -> str | None:
    """Why (lat, lon) cannot be in ``outline``, or None when it is (within the tolerance)."""
    distance = outline.distance_km(lat, lon)
    if distance <= tolerance_km:
        return None
    swapped = outline.distance_km(lon, lat) <= tolerance_km if -90 <= lon <= 90 else False
    hint = " (latitude and longitude swapped?)" if swapped else ""
    far = f"about {distance:,.0f} km" if distance < 500 else "more than 500 km"
    return f"[{lat:g}, {lon:g}] is {far} outside {outline.name}{hint}"
