"""The data folder's files and what a load returns: light enough to import without the loader.

Reading a validated snapshot (:mod:`bot.core.snapshot`) needs these and not the YAML loader
(:mod:`bot.core.loader`), which imports PyYAML: ``python -m bot ask`` answers from a snapshot
without either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.core.model import Dataset

FileKind = Literal["resolutions", "events", "non_acts"]

RESOLUTIONS_FILE = "resolutions.yaml"
EVENTS_FILE = "events.yaml"
NON_ACTS_FILE = "non_acts.yaml"  # optional: a data folder without it has no non-acts
FILE_NAMES: dict[FileKind, str] = {
    "resolutions": RESOLUTIONS_FILE, "events": EVENTS_FILE, "non_acts": NON_ACTS_FILE,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a data file; ``line`` is 1-based, 0 for the file as a whole."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A validated dataset, or None together with every problem found."""

    dataset: Dataset | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the dataset loaded without any problem."""
        return self.dataset is not None and not self.problems


def data_files(path: Path) -> dict[FileKind, Path]:
    """The data folder's files: always resolutions and events; non-acts when the file exists."""
    files: dict[FileKind, Path] = {"resolutions": path / RESOLUTIONS_FILE, "events": path / EVENTS_FILE}
    if (path / NON_ACTS_FILE).exists():
        files["non_acts"] = path / NON_ACTS_FILE
    return files
