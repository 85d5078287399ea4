"""Pictures for the bot: rendered in a separate process, cached per dataset, one render per question.

Rendering takes a few hundred milliseconds of CPU; done on the event loop it would stall every
other command, and even in a thread it would hold the GIL. So it runs in a process pool (one
worker by default: a picture is a cache miss at most once per dataset and question). The pool
starts its workers with ``forkserver`` (never ``fork`` from a process with threads). Only the
worker loads matplotlib (the bot's process never imports it); :meth:`PictureService.warm_up`
at start-up loads it there with the fonts and outlines, so the first picture is not the slow one.

The cache keeps the PNGs of the current dataset, keyed by its version and the question; when the
engine changes (a reload) the cache is emptied. Two people asking the same uncached picture at
once share one render.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import multiprocessing
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from bot.core.figures import PictureData, file_name
from bot.core.geo import COUNTRIES_FILE, geo_file
from bot.pictures import worker

log = logging.getLogger(__name__)

CACHE_SIZE = 64  # pictures of the current dataset (each well under 1 MB)
RENDER_TIMEOUT = 20.0  # seconds; past this the answer goes out without its picture


@dataclass(frozen=True, slots=True)
class Picture:
    """A rendered picture: its attachment name and PNG bytes."""

    filename: str
    data: bytes
    seconds: float = 0.0  # how long the render took (0 for a cached picture)


def geo_folder(*folders: Path) -> Path:
    """The outlines' folder: the first of ``folders`` that has them, else the configured or bundled one."""
    return geo_file(COUNTRIES_FILE, *folders).parent


_POOL: ProcessPoolExecutor | None = None


def shared_pool() -> ProcessPoolExecutor:
    """The process's rendering pool (one worker), started on first use."""
    global _POOL  # noqa: PLW0603 - one pool per process, shared by every bot in it (tests run many)
    if _POOL is None:
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        context = multiprocessing.get_context(method)
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=context)
    return _POOL


@atexit.register
def _shut_down_pool() -> None:
    """At exit, stop the pool in use then.

    One hook for every pool: a hook per pool would keep each replaced pool (a worker that died),
    its queues and its thread alive until exit.
    """
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)


def _reset_pool(broken: Executor) -> None:
    global _POOL  # noqa: PLW0603
    if _POOL is broken:
        _POOL = None
    broken.shutdown(wait=False, cancel_futures=True)


class PictureService:
    """Renders pictures off the event loop and keeps them per dataset."""

    def __init__(
        self,
        geo: Path,
        *,
        executor: Callable[[], Executor] = shared_pool,
        cache_size: int = CACHE_SIZE,
        timeout: float = RENDER_TIMEOUT,
    ) -> None:
        self.geo = geo
        self._executor = executor
        self.cache_size = cache_size
        self.timeout = timeout
        self._owner: object | None = None
        self._cache: OrderedDict[Hashable, Picture] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[Picture]] = {}
        self.hits = 0
        self.renders = 0

    def _key(self, engine: object, version: str, key: Hashable) -> tuple[str, Hashable]:
        if engine is not self._owner:  # a reload: the old pictures are of the old data
            self.clear()
            self._owner = engine
        return version, key

    def clear(self) -> None:
        """Forget every picture (a reload calls this through the engine change)."""
        self._cache.clear()
        self._running.clear()

    def cached(self, engine: object, version: str, key: Hashable) -> Picture | None:
        """The picture for ``key`` of this engine's dataset, if already rendered."""
        full = self._key(engine, version, key)
        picture = self._cache.get(full)
        if picture is not None:
            self.hits += 1
            self._cache.move_to_end(full)
        return picture

    async def picture(self, engine: object, version: str, key: Hashable, data: PictureData) -> Picture:
        """The picture for ``key``, rendered from ``data`` unless cached; raises when rendering fails."""
        full = self._key(engine, version, key)
        picture = self._cache.get(full)
        if picture is not None:
            self.hits += 1
            return picture
        running = self._running.get(full)
        if running is None:
            running = asyncio.ensure_future(self._render(full, data))
            self._running[full] = running
            running.add_done_callback(lambda _: self._running.pop(full, None))
        return await asyncio.shield(running)

    async def _render(self, full: Hashable, data: PictureData) -> Picture:
        loop = asyncio.get_running_loop()
        pool = self._executor()
        started = time.perf_counter()
        try:
            png = await asyncio.wait_for(
                loop.run_in_executor(pool, worker.render, data, str(self.geo)), self.timeout
            )
        except BrokenProcessPool:
            log.warning("The rendering process died; starting a new one for the next picture")
            _reset_pool(pool)
            del pool  # the error's traceback keeps this frame: it must not keep the dead pool too
            raise
        picture = Picture(file_name(data), png, time.perf_counter() - started)
        self.renders += 1
        log.debug("Rendered %s in %.2f s (%d bytes)", picture.filename, picture.seconds, len(png))
        self._cache[full] = picture
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return picture

    async def warm_up(self) -> None:
        """Start the rendering process and load fonts and outlines there (call once at start)."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor(), worker.warm_up, str(self.geo))
        except (OSError, BrokenProcessPool, concurrent.futures.CancelledError) as exc:
            log.warning("Could not start the rendering process: %s", exc)
