"""Shards: which shard carries a server, the shard keys of the configuration (file and environment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config import error
from test_config import load as load_config_file

from bot.core.shards import Shards, parse_shard_ids, shard_of
from bot.discordbot.identify import IdentifyGate

GUILD = 81384788765712384  # the Discord API server: id >> 22 = 19403645698


def test_shard_of_is_discords_formula() -> None:
    assert [shard_of(GUILD, n) for n in (1, 2, 3, 4)] == [0, 0, 1, 2]
    assert shard_of(0, 5) == 0
    with pytest.raises(ValueError, match="at least 1"):
        shard_of(GUILD, 0)


def test_a_process_owns_the_guilds_of_its_shards() -> None:
    zero, one = Shards(2, frozenset({0})), Shards(2, frozenset({1}))
    guilds = [GUILD + (n << 22) for n in range(10)]
    assert [g for g in guilds if zero.owns(g)] == guilds[::2]
    assert [g for g in guilds if one.owns(g)] == guilds[1::2]
    assert all(Shards.every(3).owns(g) for g in guilds)
    assert Shards(4, frozenset({0, 1})).label == "shards 0-1 of 4"
    assert Shards(4, frozenset({2})).label == "shard 2 of 4"
    assert Shards(8, frozenset({1, 5})).label == "shards 1, 5 of 8"
    with pytest.raises(ValueError, match="outside 0-1"):
        Shards(2, frozenset({2}))


@pytest.mark.parametrize(
    ("text", "ids"),
    [("0", (0,)), ("0,1", (0, 1)), ("0-3", (0, 1, 2, 3)), (" 4 , 0-1 ", (0, 1, 4)), ("2-2", (2,))],
)
def test_shard_ids_as_people_write_them(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text) == ids


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "'' is not a shard number"),
        ("one", "'one' is not a shard number"),
        ("3-1", "the range '3-1' runs backwards"),
        ("0,1,1", "shard 1 is listed twice"),
        ("0-2,2", "shard 2 is listed twice"),
        ("-1", "'-1' is not a shard number"),
        ("0-", "'0-' is not a shard number"),
    ],
)
def test_shard_ids_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_shard_ids(text)


# ---------------------------------------------------------------------------------------------- configuration


def load(tmp_path: Path, toml: str | None = None, env: dict[str, str] | None = None) -> tuple[object, object]:
    """(shard_count, shard_ids) as read from ``toml`` and ``env``."""
    discord = load_config_file(tmp_path, toml, env).discord
    return discord.shard_count, discord.shard_ids


def test_neither_set_means_discords_recommended_count_in_one_process(tmp_path: Path) -> None:
    assert load(tmp_path) == (None, None)
    assert load(tmp_path, "[discord]\n") == (None, None)


def test_shards_from_the_file(tmp_path: Path) -> None:
    assert load(tmp_path, "[discord]\nshard_count = 4\n") == (4, None)
    assert load(tmp_path, "[discord]\nshard_count = 4\nshard_ids = [3, 1]\n") == (4, (1, 3))
    assert load(tmp_path, '[discord]\nshard_count = 4\nshard_ids = "0-1"\n') == (4, (0, 1))


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    toml = "[discord]\nshard_count = 4\nshard_ids = [0]\n"
    assert load(tmp_path, toml, {"SHARD_IDS": "2-3"}) == (4, (2, 3))
    assert load(tmp_path, toml, {"SHARD_COUNT": "2", "SHARD_IDS": "1"}) == (2, (1,))
    assert load(tmp_path, None, {"SHARD_COUNT": " 3 ", "SHARD_IDS": "0,1"}) == (3, (0, 1))
    assert load(tmp_path, toml, {"SHARD_COUNT": "", "SHARD_IDS": ""}) == (4, (0,))  # empty = unset


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[discord]\nshard_count = 0\n", {}, "config.toml: discord.shard_count must be at least 1, not 0"),
        ('[discord]\nshard_count = "2"\n', {}, "config.toml: discord.shard_count must be a whole number"),
        ("[discord]\nshard_count = 2\nshard_ids = []\n", {}, "config.toml: discord.shard_ids must name at"),
        (
            "[discord]\nshard_count = 2\nshard_ids = [0, -1]\n",
            {},
            "config.toml: discord.shard_ids must be shard numbers such as [0, 1] or '0-3', not a list",
        ),
        (
            "[discord]\nshard_ids = [0]\n",
            {},
            "config.toml: discord.shard_ids needs discord.shard_count (SHARD_COUNT), the number of shards",
        ),
        (
            "[discord]\nshard_count = 2\nshard_ids = [0, 2]\n",
            {},
            "config.toml: discord.shard_ids names shard 2, but with discord.shard_count = 2 the shards are",
        ),
        (None, {"SHARD_COUNT": "0"}, "SHARD_COUNT: discord.shard_count must be at least 1, not 0"),
        (None, {"SHARD_COUNT": "two"}, "SHARD_COUNT: discord.shard_count must be a whole number, not 'two'"),
        (None, {"SHARD_IDS": "0"}, "config: discord.shard_ids needs discord.shard_count (SHARD_COUNT)"),
        (
            None,
            {"SHARD_COUNT": "2", "SHARD_IDS": "0-3"},
            "config: discord.shard_ids names shard 3, but with discord.shard_count = 2 the shards are 0 to 1",
        ),
        (
            None,
            {"SHARD_COUNT": "4", "SHARD_IDS": "1,1"},
            "SHARD_IDS: discord.shard_ids is wrong: shard 1 is listed twice",
        ),
        (
            "[discord]\nshard_count = 4\nshard_ids = [0]\n",
            {"SHARD_COUNT": "1", "SHARD_IDS": "x"},
            "SHARD_IDS: discord.shard_ids is wrong: 'x' is not a shard number or a range such as 0-3",
        ),
    ],
)
def test_every_shard_error_is_one_line_naming_the_key(
    tmp_path: Path, toml: str | None, env: dict[str, str], message: str
) -> None:
    assert error(tmp_path, toml, env).startswith(message)


# ------------------------------------------------------------------------------------------- IDENTIFY pacing


async def test_the_identify_gate_waits_only_for_a_busy_rate_limit_key() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = IdentifyGate(5.0, max_concurrency=2, margin=0.0, monotonic=lambda: now[0], sleep=sleep)
    assert [await gate.wait(0), await gate.wait(1)] == [0.0, 0.0]  # two keys: both at once
    assert await gate.wait(2) == 5.0  # key 0 again: the rest of its 5 s
    assert await gate.wait(3) == 0.0  # key 1 identified 5 s ago
    now[0] += 1.0
    assert await gate.wait(0) == 4.0
    assert slept == [5.0, 4.0]
    gate.max_concurrency = 0  # what an odd answer from Discord would set: treated as 1
    assert gate.max_concurrency == 1
    assert gate.key(7) == 0
    assert await IdentifyGate(0.0).wait(0) == 0.0
