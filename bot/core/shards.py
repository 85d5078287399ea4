"""Discord's shards: which shard carries a server, and which servers one process serves.

Past 2,500 servers Discord requires a bot to split its gateway connections into shards. Discord
puts each server (guild) on shard ``(guild_id >> 22) % shard_count``; every event and interaction of
that server arrives only on that shard. Several processes (on one machine or several) each run
some of the shards; each process then owns exactly the servers of its shards, and does the work
nobody asks it for (the daily posts) only for those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that carries ``guild_id`` among ``shard_count`` shards, as Discord computes it."""
    if shard_count < 1:
        raise ValueError("shard_count must be at least 1")
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """Shard ids written as ``"0,1"``, ``"0-3"`` or ``"0-3, 6"``: sorted, each once.

    ValueError with a short reason for anything else (empty, a word, a backward range, a repeat).
    """
    ids: list[int] = []
    for part in text.split(","):
        piece = part.strip()
        first, dash, last = piece.partition("-")
        first, last = first.strip(), last.strip()
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{piece!r} is not a shard number or a range such as 0-3")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"the range {piece!r} runs backwards")
        ids.extend(range(low, high + 1))
    return unique_ids(ids)


def unique_ids(ids: Iterable[int]) -> tuple[int, ...]:
    """``ids`` sorted; ValueError naming a shard that is listed twice."""
    seen: set[int] = set()
    for shard in ids:
        if shard in seen:
            raise ValueError(f"shard {shard} is listed twice")
        seen.add(shard)
    return tuple(sorted(seen))


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards one process runs: ``ids`` among ``count``."""

    count: int
    ids: frozenset[int]

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("shard count must be at least 1")
        outside = sorted(i for i in self.ids if not 0 <= i < self.count)
        if outside:
            raise ValueError(f"shard {outside[0]} is outside 0-{self.count - 1}")

    @classmethod
    def every(cls, count: int) -> Shards:
        """All ``count`` shards (one process serving every server)."""
        return cls(count, frozenset(range(count)))

    def owns(self, guild_id: int) -> bool:
        """True when this process's shards carry ``guild_id``."""
        return shard_of(guild_id, self.count) in self.ids

    @property
    def label(self) -> str:
        """``shards 0-1 of 4`` / ``shard 2 of 4`` for logs."""
        if not self.ids:
            return f"no shard of {self.count}"
        word = "shard" if len(self.ids) == 1 else "shards"
        return f"{word} {ids_text(self.ids)} of {self.count}"


def ids_text(ids: Iterable[int]) -> str:
    """Shard ids as people write them: ``2``, ``0-3`` (a run), ``0, 2, 5``; empty for none."""
    shown = sorted(ids)
    if len(shown) > 1 and shown == list(range(shown[0], shown[-1] + 1)):
        return f"{shown[0]}-{shown[-1]}"
    return ", ".join(map(str, shown))
