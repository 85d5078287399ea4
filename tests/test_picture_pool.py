"""The rendering pool: a worker that dies is replaced, and the pool it leaves behind is freed.

The pictures are drawn in a process pool (:mod:`bot.pictures.service`). When its worker dies
(killed, out of memory, a crash in a native library) the pool is broken: the next picture fails
with its text answer still sent, and a new pool starts. The broken pool must go away with its
queues, pipes and thread; one kept per death adds up over a long-running bot.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot.core.figures import YearCounts
from bot.pictures import service

DEATHS = 3


async def kill_worker(pool: ProcessPoolExecutor) -> None:
    """Start the pool's worker, then kill it as the kernel's OOM killer would."""
    pid = await asyncio.get_running_loop().run_in_executor(pool, os.getpid)
    os.kill(pid, signal.SIGKILL)


async def test_a_pool_whose_worker_died_is_freed_once_replaced(tmp_path: Path) -> None:
    pictures = service.PictureService(tmp_path)
    data = YearCounts("Acts per year", "v1", (2020,), (), 0)
    engine = object()
    replaced: list[weakref.ref[ProcessPoolExecutor]] = []
    managers: list[threading.Thread] = []
    for death in range(DEATHS + 1):  # the first pool may be older than this test (others use it)
        pool = service.shared_pool()
        if death:
            replaced.append(weakref.ref(pool))
        await kill_worker(pool)
        with pytest.raises(BrokenProcessPool):
            await pictures.picture(engine, "v1", ("stats", death), data)
        assert service.shared_pool() is not pool  # the next picture gets a new pool
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:
            managers.append(manager)
        del pool
    # A broken pool's manager thread holds it while it winds down (more slowly on a loaded
    # machine): wait for those threads to end, then nothing else may keep a broken pool alive.
    for manager in managers:
        await asyncio.to_thread(manager.join, 30)
    gc.collect()
    assert [ref() for ref in replaced] == [None] * DEATHS  # no broken pool is kept alive
