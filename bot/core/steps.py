"""Long work in short steps, so that a build in a worker thread leaves the event loop running.

The interpreter lets another thread run only between bytecodes: a single call into C holds the
lock until it returns. Sorting the hundreds of thousands of strings of a name index is one
such call (measured at 10,000 records: 0.15 s in one go, the event loop stalled behind a
reload's worker thread). :func:`sort_in_steps` sorts the same items in calls of bounded size.

Between bytecodes, a thread that wants the lock waits for the running one to give it up, which
it does every "switch interval" (5 ms by default): the event loop waits that long each time it
wakes beside a busy worker. :func:`switching_often` shortens the interval while a worker runs.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T", bound=Any)

STEP = 4096  # items sorted in one call into C (about a millisecond each)
SWITCH_INTERVAL = 0.0005  # seconds, while a worker runs beside the event loop (Python's default: 0.005)

_switching = threading.Lock()
_workers = 0
_restore = 0.0


@contextlib.contextmanager
def switching_often() -> Iterator[None]:
    """The interpreter's switch interval at ``SWITCH_INTERVAL`` meanwhile.

    Nested or overlapping uses: the first one in sets it, the last one out puts it back.
    """
    global _workers, _restore  # noqa: PLW0603 - one interpreter-wide setting, counted
    with _switching:
        if _workers == 0:
            _restore = sys.getswitchinterval()
            sys.setswitchinterval(min(_restore, SWITCH_INTERVAL))
        _workers += 1
    try:
        yield
    finally:
        with _switching:
            _workers -= 1
            if _workers == 0:
                sys.setswitchinterval(_restore)


def sort_in_steps(items: list[_T]) -> list[_T]:
    """``sorted(items)`` (items compared as they are), made in calls into C of bounded size.

    Runs of ``STEP`` items are sorted, then merged two by two: sorting two sorted runs laid end
    to end is one linear merge in C. Only the last merges are longer than a step, and they are
    linear. Items that compare equal are equal, so which of them comes first makes no difference.
    """
    if len(items) <= STEP:
        return sorted(items)
    runs = [sorted(items[i : i + STEP]) for i in range(0, len(items), STEP)]
    while len(runs) > 1:
        merged = [runs[i] + runs[i + 1] for i in range(0, len(runs) - 1, 2)]
        for run in merged:
            run.sort()  # two sorted runs: one linear merge
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    return runs[0]


def order_in_steps(keys: Sequence[Any], order: list[int] | None = None) -> list[int]:
    """The positions ``order`` (default: every position of ``keys``) sorted stably by ``keys[p]``.

    ``sorted(order, key=keys.__getitem__)``, made in calls into C of bounded size as
    :func:`sort_in_steps` makes them: the keys are looked up in C, no tuple is made per item,
    and positions with equal keys keep their order (so sorting by the least significant key
    first, then by the next, sorts by all of them).
    """
    if order is None:
        order = list(range(len(keys)))
    key = keys.__getitem__
    if len(order) <= STEP:
        return sorted(order, key=key)
    runs = [sorted(order[i : i + STEP], key=key) for i in range(0, len(order), STEP)]
    while len(runs) > 1:
        merged = [runs[i] + runs[i + 1] for i in range(0, len(runs) - 1, 2)]
        for run in merged:
            run.sort(key=key)  # two sorted runs: one linear, stable merge
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    return runs[0]
