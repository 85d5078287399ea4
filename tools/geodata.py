r"""Regenerate the outlines under data/geo/ from the published Natural Earth packages.

The bot never downloads anything at run time; this script is how the committed GeoJSON was
made, and how to make it again. Fetch the packages from npm, then run it:

    cd /tmp && npm pack world-atlas@2 us-atlas@3 i18n-iso-countries@7
    for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
    .venv/bin/python tools/geodata.py \
        --world /tmp/world-atlas-2.0.2/package/countries-110m.json \
        --states /tmp/us-atlas-3.0.1/package/states-10m.json \
        --codes /tmp/i18n-iso-countries-7.14.0/package/codes.json \
        --out data/geo

- ``world-atlas`` holds Natural Earth's admin-0 countries at 1:110m as TopoJSON, keyed by
  ISO 3166-1 numeric code; ``i18n-iso-countries``' table turns those into the alpha-2 codes the
  dataset's country ids use (``us``, ``fr``).
- ``us-atlas`` holds the US states (Census Bureau cartographic boundaries at 1:10m). Its arcs
  are simplified once each (Douglas-Peucker), so neighbouring states keep a common border.

Coordinates are rounded to 0.01 degree (about 1 km). Output: one compact GeoJSON
FeatureCollection per file, one feature per line, ``id`` the lower-case code.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]

# Countries Natural Earth draws without an ISO numeric code: the code people use, or a name.
UNCODED = {"Kosovo": "xk", "N. Cyprus": "x-northern-cyprus", "Somaliland": "x-somaliland"}
# ISO 3166-2:US codes of the states by FIPS code (us-atlas keys states by FIPS).
US_STATES = {
    "01": "al", "02": "ak", "04": "az", "05": "ar", "06": "ca", "08": "co", "09": "ct", "10": "de",
    "11": "dc", "12": "fl", "13": "ga", "15": "hi", "16": "id", "17": "il", "18": "in", "19": "ia",
    "20": "ks", "21": "ky", "22": "la", "23": "me", "24": "md", "25": "ma", "26": "mi", "27": "mn",
    "28": "ms", "29": "mo", "30": "mt", "31": "ne", "32": "nv", "33": "nh", "34": "nj", "35": "nm",
    "36": "ny", "37": "nc", "38": "nd", "39": "oh", "40": "ok", "41": "or", "42": "pa", "44": "ri",
    "45": "sc", "46": "sd", "47": "tn", "48": "tx", "49": "ut", "50": "vt", "51": "va", "53": "wa",
    "54": "wv", "55": "wi", "56": "wy", "60": "as", "66": "gu", "69": "mp", "72": "pr", "78": "vi",
}
DIGITS = 2  # 0.01 degree


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs in degrees (undoing the quantization and the delta encoding)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points: list[Point] = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: the fewest points within ``tolerance`` degrees; the ends are kept."""
    if tolerance <= 0 or len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(arcs: list[list[Point]], indexes: Sequence[int]) -> list[list[float]]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    out: list[list[float]] = []
    for x, y in points:
        rounded = [round(x, DIGITS), round(y, DIGITS)]
        if not out or out[-1] != rounded:
            out.append(rounded)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def _polygon(arcs: list[list[Point]], rings: Sequence[Sequence[int]]) -> list[list[list[float]]]:
    out = [_ring(arcs, ring) for ring in rings]
    return [ring for ring in out if len(ring) >= 4]  # a closed ring has at least 3 distinct points


def features(
    topology: dict[str, Any], name: str, ids: dict[str, str], tolerance: float
) -> list[dict[str, Any]]:
    """The named object's geometries as GeoJSON features, ids mapped through ``ids``."""
    arcs = [simplify(arc, tolerance) for arc in decode_arcs(topology)]
    out: list[dict[str, Any]] = []
    for geometry in topology["objects"][name]["geometries"]:
        label = geometry.get("properties", {}).get("name", "")
        code = ids.get(str(geometry.get("id")), UNCODED.get(label))
        if code is None:
            raise SystemExit(f"no code for {label!r} (id {geometry.get('id')!r})")
        if geometry["type"] == "Polygon":
            polygons = [_polygon(arcs, geometry["arcs"])]
        elif geometry["type"] == "MultiPolygon":
            polygons = [_polygon(arcs, polygon) for polygon in geometry["arcs"]]
        else:
            continue
        polygons = [p for p in polygons if p]
        if not polygons:
            continue
        shape = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        out.append({"type": "Feature", "id": code, "properties": {"name": label}, "geometry": shape})
    out.sort(key=lambda f: f["id"])
    return out


def write(path: Path, items: list[dict[str, Any]], note: str) -> None:
    """A FeatureCollection, one feature per line (small diffs when the source changes)."""
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in items]
    head = json.dumps({"type": "FeatureCollection", "note": note}, separators=(",", ":"))[:-1]
    path.write_text(head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"{path}: {len(items)} features, {path.stat().st_size // 1024} KiB")  # noqa: T201


def main(argv: list[str]) -> int:
    """Read the packages' files and write the GeoJSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--world", type=Path, required=True, help="world-atlas countries-110m.json")
    parser.add_argument("--states", type=Path, required=True, help="us-atlas states-10m.json")
    parser.add_argument("--codes", type=Path, required=True, help="i18n-iso-countries codes.json")
    parser.add_argument("--out", type=Path, default=Path("data/geo"))
    parser.add_argument("--tolerance", type=float, default=0.02, help="states: degrees (default 0.02)")
    args = parser.parse_args(argv)
    codes = {numeric: alpha2.lower() for alpha2, _, numeric, *_ in json.loads(args.codes.read_text())}
    args.out.mkdir(parents=True, exist_ok=True)
    world = json.loads(args.world.read_text())
    note = "Natural Earth admin-0 countries 1:110m (public domain), via world-atlas 2; see README.md"
    write(args.out / "countries-110m.geojson", features(world, "countries", codes, 0.0), note)
    states = json.loads(args.states.read_text())
    note = "US states, US Census Bureau cartographic boundaries 1:10m, via us-atlas 3; see README.md"
    write(args.out / "us-states.geojson", features(states, "states", US_STATES, args.tolerance), note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
