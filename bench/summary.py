"""The issue's table, goal beside measured: each benchmark records its rows, ``python -m bench`` prints them.

A benchmark run alone prints its own tables; under ``python -m bench`` (``make bench``) each also
appends its summary rows to the file named by ``$BENCH_SUMMARY``, and the runner prints them
all at the end as one table, in the order below.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "BENCH_SUMMARY"

# key: (what is measured, what the issue measured before, the goal)
ROWS: dict[str, tuple[str, str, str]] = {
    "reload_wall": (
        "/admin reload of 10k records, wall",
        "7.4-9.4 s; 1.7x PyYAML's load",
        "< 1 s and <= 0.3x PyYAML's own load",
    ),
    "reload_lag": ("event-loop lag during that reload", "max 0.78-1.64 s", "max < 50 ms, p99 < 20 ms"),
    "rss": ("bot RSS after ready, 100k places / 16k records", "899 MB", "< 300 MB"),
    "build": ("index build, 100k places", "5-8 s, superlinear", "< 3 s, linear"),
    "resolution": (
        "/resolution, word in every record, 10k records",
        "walks every posting",
        "p99 < 1 ms for any query",
    ),
    "saturation": ("saturation in one process (p99 < 1 s)", "200-400/s", ">= 400/s"),
    "cli": ("python -m bot ask jurisdiction calfornia", "0.41 s, 11x bare", "< 0.25 s and <= 8x bare"),
    # issue #17 (scale-out): 3 processes, 6 shards, 3,000 subscriptions due at once (bench_scaleout)
    "scaleout_rate": ("daily posts/s, 3 processes (50/s for the bot)", "one process only", ">= 90% of 50/s"),
    "scaleout_once": ("each posted once across a SIGKILL + restart", "one process only", "3,000 x 1"),
    "scaleout_recovery": ("SIGKILL -> victim's in-flight posts done", "one process only", "(no goal set)"),
    "scaleout_reload": (
        "reload via one process -> served by all 3",
        "one process only",
        "<= 2 s, no failed query",
    ),
}


def record(key: str, measured: str, met: bool | None) -> None:
    """Add one row's measurement (``met`` None: not judged) to the run's summary, if one is kept."""
    path = os.environ.get(ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"key": key, "measured": measured, "met": met}) + "\n")


def table(path: Path) -> str:
    """The summary table of the rows recorded in ``path`` (a row not measured says so)."""
    found: dict[str, list[dict[str, object]]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found.setdefault(str(row["key"]), []).append(row)
    width = (48, 30, 36)
    lines = [f"{'measure':<{width[0]}} {'issue (before)':<{width[1]}} {'goal':<{width[2]}} measured"]
    for key, (what, before, goal) in ROWS.items():
        rows = found.get(key) or [{"measured": "not measured in this run", "met": None}]
        for n, row in enumerate(rows):
            verdict = {True: "MET", False: "MISSED", None: ""}[row["met"]]  # type: ignore[index]
            head = (what, before, goal) if n == 0 else ("", "", "")
            lines.append(f"{head[0]:<{width[0]}} {head[1]:<{width[1]}} {head[2]:<{width[2]}} "
                         f"{row['measured']}{'  ' + verdict if verdict else ''}")
    return "\n".join(lines)
