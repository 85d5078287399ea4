"""What the soak benchmark looks at inside the bot's process: caches, tasks, descriptors, heap.

:func:`probe` runs on the bot's event loop between batches (the load process asks for it) and
returns plain numbers: the fill of every bounded cache, live asyncio tasks, the HTTP connector's
connections and the open descriptors by kind, so the table can tell a cache filling up to its
cap from a leak. :class:`HeapTrace` (``--trace``) takes tracemalloc snapshots at two points and
prints what grew between them, grouped by allocation site and by the cache that holds it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from collections import Counter
from functools import _lru_cache_wrapper
from pathlib import Path
from typing import Any

from bot.discordbot.cache import EngineCache


def descriptor_kinds(pid: int | None = None) -> dict[str, int]:
    """Open descriptors of ``pid`` (default: this process) by kind: socket, pipe, file, other."""
    kinds: Counter[str] = Counter()
    folder = Path(f"/proc/{pid or os.getpid()}/fd")
    for entry in folder.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:  # closed while listing
            continue
        if target.startswith(("socket:", "pipe:")):
            kinds[target.split(":", 1)[0]] += 1
        elif target.startswith("/"):
            kinds["file"] += 1
        else:
            kinds["other"] += 1
    return dict(kinds)


def caches(bot: Any) -> dict[str, tuple[int, int]]:
    """Every bounded cache the bot answers from: name -> (entries, cap)."""
    found: dict[str, tuple[int, int]] = {}
    for cog_name, cog in bot.cogs.items():
        for attr, value in vars(cog).items():
            if isinstance(value, EngineCache):
                found[f"{cog_name}.{attr}"] = (len(value), value.maxsize)
    kept = bot.kept_asks
    found["kept asks"] = (len(kept), kept.limit)
    pictures = bot.pictures
    found["pictures"] = (len(pictures._cache), pictures.cache_size)
    from bot.discordbot import choices

    for name, value in vars(choices).items():
        if isinstance(value, _lru_cache_wrapper):
            info = value.cache_info()
            found[f"choices.{name}"] = (info.currsize, info.maxsize or 0)
    return found


def connections(bot: Any) -> tuple[int, int]:
    """The HTTP connector's (idle kept-alive, in use) connections."""
    connector = getattr(bot.http, "connector", None)
    idle = sum(len(v) for v in getattr(connector, "_conns", {}).values())
    return idle, len(getattr(connector, "_acquired", ()))


def discord_stores(bot: Any) -> dict[str, int]:
    """What discord.py itself keeps: views and their messages, users (weakly), messages (none)."""
    state = bot._connection
    views = state._view_store
    return {
        "views": len(views._views),
        "synced views": len(views._synced_message_views),
        "modals": len(views._modals),
        "users": len(state._users),
        "messages": len(state._messages or ()),
    }


def probe(bot: Any) -> dict[str, Any]:
    """The numbers above, read on the bot's loop."""
    return {
        "discord": discord_stores(bot),
        "caches": caches(bot),
        "tasks": len(asyncio.all_tasks()),
        "connections": connections(bot),
        "descriptors": descriptor_kinds(),
        "gc": gc.get_count(),
    }


def _where(trace: tracemalloc.StatisticDiff, root: str) -> str:
    """The cache whose fill made an allocation, else its innermost frame in the project."""
    frames = list(trace.traceback)  # oldest first
    for frame in frames:
        if frame.filename.endswith("discordbot/cache.py"):
            return "EngineCache fills (cog answers and suggestions)"
    for frame in reversed(frames):
        if frame.filename.startswith(root) and "/.venv/" not in frame.filename:
            return f"{Path(frame.filename).relative_to(root)}:{frame.lineno}"
    frame = frames[-1]
    return f"{frame.filename.rsplit('site-packages/', 1)[-1]}:{frame.lineno}"


class HeapTrace:
    """tracemalloc snapshots in the bot's process, diffed: what grew, and who holds it."""

    def __init__(self, frames: int = 12) -> None:
        tracemalloc.start(frames)
        self.snapshots: dict[str, tracemalloc.Snapshot] = {}
        self.types: dict[str, Counter[str]] = {}

    def take(self, label: str) -> None:
        """A snapshot and an object census (objects by type, objgraph-style) under ``label``."""
        snapshot = tracemalloc.take_snapshot()
        self.snapshots[label] = snapshot.filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        self.types[label] = Counter(type(o).__name__ for o in gc.get_objects())

    def report(self, first: str, last: str, root: Path, top: int = 12) -> list[str]:
        """Lines: traced heap at each point, growth by holder, the largest sites, object counts."""
        a, b = self.snapshots[first], self.snapshots[last]
        size = {k: sum(s.size for s in v.statistics("filename")) / 2**20 for k, v in self.snapshots.items()}
        lines = ["traced Python heap: " + ", ".join(f"{k} {v:.1f} MB" for k, v in size.items())]
        diffs = b.compare_to(a, "traceback")
        holders: Counter[str] = Counter()
        for diff in diffs:
            holders[_where(diff, str(root) + "/")] += diff.size_diff
        growth = sum(holders.values())
        lines.append(f"growth {first} -> {last}: {growth / 2**20:+.2f} MB, by holder:")
        for name, grown in holders.most_common(top):
            lines.append(f"  {grown / 2**20:+8.2f} MB  {name}")
        lines.append("largest allocation sites:")
        for stat in b.compare_to(a, "lineno")[:top]:
            frame = stat.traceback[0]
            where = frame.filename.rsplit("site-packages/", 1)[-1].replace(str(root) + "/", "")
            lines.append(
                f"  {stat.size_diff / 2**20:+8.2f} MB {stat.count_diff:+8d} blocks  {where}:{frame.lineno}"
            )
        counts = self.types[last] - self.types[first]
        lines.append(
            "objects by type, growth: " + ", ".join(f"{n} {c:+,}" for n, c in counts.most_common(top))
        )
        return lines
