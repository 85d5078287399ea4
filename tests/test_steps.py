"""Sorting in short steps gives what one sort gives (the name and text indexes are built with it)."""

from __future__ import annotations

import random
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.steps import STEP, SWITCH_INTERVAL, order_in_steps, sort_in_steps, switching_often

ROWS = st.tuples(st.text(alphabet="abcé ", max_size=4), st.integers(-3, 3), st.integers(0, 5))


@given(st.lists(ROWS, max_size=200))
def test_short_lists_sort_as_sorted_does(rows: list[tuple[str, int, int]]) -> None:
    assert sort_in_steps(list(rows)) == sorted(rows)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 3 * STEP + 7), st.randoms(use_true_random=False))
def test_lists_of_several_steps_sort_as_sorted_does(size: int, rng: random.Random) -> None:
    rows = [(rng.choice(["", "a", "ab", "b", "ba", "é"]), rng.randint(-2, 2), i % 7) for i in range(size)]
    assert sort_in_steps(list(rows)) == sorted(rows)
    words = [f"{rng.randrange(10 ** 6):06d}" for _ in range(size)]
    assert sort_in_steps(words) == sorted(words)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 3 * STEP + 7), st.randoms(use_true_random=False))
def test_positions_sort_by_their_keys_as_a_stable_sort_does(size: int, rng: random.Random) -> None:
    keys = [rng.choice(["", "a", "ab", "b", "é"]) for _ in range(size)]
    assert order_in_steps(keys) == sorted(range(size), key=keys.__getitem__)
    order = list(range(size))
    rng.shuffle(order)
    assert order_in_steps(keys, order) == sorted(order, key=keys.__getitem__)  # ties keep their order


def test_switching_often_lasts_while_any_worker_runs_and_then_puts_the_interval_back() -> None:
    before = sys.getswitchinterval()
    with switching_often():
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL)
        with switching_often():
            pass
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL)  # the outer one still runs
    assert sys.getswitchinterval() == before
