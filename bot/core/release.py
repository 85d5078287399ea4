"""Freeing a large structure (an old dataset and its indexes) a little at a time.

Dropping the last reference to an engine frees millions of objects in one cascade of C
calls that holds the GIL throughout: run in a worker thread, it still stalls the event loop
for as long (measured: 0.3 s at 10,000 records). :func:`release` takes the structure apart
instead, one container at a time from a Python loop, so the interpreter can switch back to
the loop thread between pieces. Only what nobody else holds is taken apart: anything another
reference still reaches (a record shown in an open view, an engine a command is using) is
merely let go and lives on untouched.
"""

from __future__ import annotations

import ctypes
import sys
from enum import Enum
from typing import Any

from bot.core.collector import collector_paused

_SCALARS = (str, bytes, int, float, bool, type(None))
_CONTAINERS = (list, dict, tuple, set, frozenset)
_LARGE = 64
# Reference counts of an object that only ``release`` holds: the local variable and
# getrefcount's own argument (the slot it was taken from is already cleared).
_OURS = 2


def _only_scalars(items: list[Any] | tuple[Any, ...]) -> bool:
    """Whether a container holds plain values (containers are homogeneous: a few are checked)."""
    if not items:
        return True
    return all(isinstance(items[i], _SCALARS) for i in {0, len(items) // 2, len(items) - 1})


def _large(value: object) -> bool:
    """A large container, or one of the project's objects with a ``__dict__`` (an engine, an index)."""
    if isinstance(value, _CONTAINERS):
        return len(value) >= _LARGE
    if isinstance(value, Enum) or not type(value).__module__.startswith("bot."):
        return False
    return hasattr(value, "__dict__")


def _parts(obj: object) -> list[Any] | None:
    """Detach and return what ``obj`` refers to, or None when it is dropped whole.

    A container of plain values is dropped whole (freeing it is one short loop in C); other
    containers and the project's own objects give up their contents to the caller's list.
    """
    if isinstance(obj, _SCALARS):
        return None
    if isinstance(obj, list):
        if _only_scalars(obj):
            return None
        items = obj[:]
        obj.clear()
        return items
    if isinstance(obj, dict):
        values = list(obj.values())
        if _only_scalars(values):
            return None
        obj.clear()
        return values
    if isinstance(obj, (tuple, set, frozenset)):
        items = list(obj)
        return None if _only_scalars(items) else items  # immutable: its items are copied out
    if not type(obj).__module__.startswith("bot."):
        return None  # only the project's own objects are taken apart
    state = getattr(obj, "__dict__", None)
    if isinstance(state, dict):
        items = list(state.values())
        state.clear()
        return items
    # A slotted value object (a record, a hit) is dropped whole unless it holds something large:
    # a large container, or an object of the project's with state of its own (the snapshot a reload
    # retires holds the whole engine; dropped whole, it would be freed in one cascade).
    names = [n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ()) if n != "__weakref__"]
    values = [object.__getattribute__(obj, n) for n in names if hasattr(obj, n)]
    if not any(_large(v) for v in values):
        return None
    for name in names:
        if hasattr(obj, name):
            object.__delattr__(obj, name)
    return values


def _c_library() -> Any:  # noqa: ANN401 - a ctypes library, or None
    try:
        return ctypes.CDLL(None)
    except OSError:  # pragma: no cover - no C library to load
        return None


_LIBC = _c_library()


def give_back_memory() -> bool:
    """Return the C allocator's free memory to the system (glibc's ``malloc_trim``); False elsewhere.

    After a large structure is freed, the allocator keeps the pages for later use, so the
    process's resident memory stays at its peak (measured at 100,000 places: 30 MB given back
    after the build). ctypes lets go of the interpreter lock meanwhile.
    """
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


#: glibc's M_MMAP_THRESHOLD (mallopt), and the threshold kept: its own starting value.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def map_large_blocks() -> bool:
    """Keep every allocation of 128 KiB or more in pages of its own (glibc); False elsewhere.

    glibc starts so, but raises the threshold (up to 32 MB) each time such a block is freed: after
    the first large temporary of a build, lists, tables and arrays of megabytes come from the
    heap, and their holes stay resident beside long-lived blocks (measured at 100,000 places,
    once ready: 100 MB free in the heap, of it 30 MB resident that malloc_trim could not give
    back). Fixed, a large block goes back to the system when it is freed. Call once, at start.
    """
    mallopt = getattr(_LIBC, "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release(holder: list[Any]) -> int:
    """Empty ``holder`` and take apart whatever only it held; returns the objects taken apart.

    Meant for a worker thread: each step frees a bounded amount, so other threads run in
    between. The caller must keep no other reference to what it puts in ``holder``.

    The cyclic collector is paused meanwhile: the lists of parts made here are young objects,
    and each collection of the youngest generation would walk every item of every one of them
    (measured at 10,000 records: 0.1 s in one step, with the interpreter lock held).
    """
    with collector_paused():
        return _release(holder)


def _release(holder: list[Any]) -> int:
    pending: list[Any] = []
    while holder:
        pending.append(holder.pop())
    taken = 0
    while pending:
        obj = pending.pop()
        if sys.getrefcount(obj) > _OURS:
            continue  # someone else holds it: just let go of ours
        parts = _parts(obj)
        if parts is None:
            continue
        taken += 1
        del obj
        pending.extend(parts)
        del parts  # the pending list alone holds them now
    return taken
