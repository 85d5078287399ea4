"""Bringing a newer shipped dataset into the data folder at start (upgrades with a data volume).

A Docker image ships its dataset at one path (``data.image_path``, ``/app/dataset-image``) and
the bot reads the data folder (``data.path``, the ``/app/data`` volume), where moderators'
uploads and the reload history live. A new image's data would never reach an existing volume,
so at start :func:`bring_in_image_dataset` compares the two:

- an empty data folder gets the image's files;
- when the image's dataset version is newer, the image's files replace the folder's ones,
  each replaced file going into the reload history, as an upload's does;
- except when a moderator uploaded a file since the image's data was installed: then nothing
  is replaced, and a warning (log and ``/about``) says that newer data was not brought in.

What the image last installed is recorded in :data:`MANIFEST` (a SHA-256 per file) inside the
data folder; a file that no longer matches it was changed there, by an upload. A folder from
before this record counts a file as changed when the history holds an earlier version of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.clock import Clock
from bot.core.datafiles import FILE_NAMES, FileKind, LoadResult, data_files
from bot.core.files import atomic_write
from bot.core.loader import load_dataset
from bot.core.model import Dataset
from bot.core.reloading import history_files, replace_keeping_history

log = logging.getLogger(__name__)

MANIFEST = ".image-dataset.json"
_NUMBERS = re.compile(r"\d+")


def version_key(version: str) -> tuple[int, ...]:
    """The numbers in a dataset version, in order: ``"2026.11.30"`` → ``(2026, 11, 30)``."""
    return tuple(int(n) for n in _NUMBERS.findall(version))


def is_newer(version: str, than: str) -> bool:
    """True when ``version`` is a later release than ``than`` (compared by their numbers).

    Versions are free text (docs/data-format.md); those without numbers are never newer.
    """
    mine, other = version_key(version), version_key(than)
    return bool(mine) and mine > other


@dataclass(frozen=True, slots=True)
class ImageSync:
    """What :func:`bring_in_image_dataset` did.

    ``dataset`` is the data folder's dataset when it was loaded here (the caller need not load
    it again); ``held_back`` is the image's dataset version when a moderator's upload kept it out.
    """

    dataset: Dataset | None = None
    held_back: str | None = None
    kept_files: tuple[str, ...] = ()

    def notice(self, version_in_use: str) -> str | None:
        """The warning for ``/about`` while the data in use is older than the image's, else None."""
        if self.held_back is None or not is_newer(self.held_back, version_in_use):
            return None
        files = " and ".join(self.kept_files)
        return (
            f"This installation ships dataset version {self.held_back}, newer than version "
            f"{version_in_use} in use. It was not brought in, so as not to replace {files}, "
            "uploaded by a moderator since the shipped data was installed."
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(data_dir: Path) -> dict[str, str] | None:
    try:
        raw = json.loads((data_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        log.warning("Ignoring %s: %s", data_dir / MANIFEST, err)
        return None
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return None
    return {str(k): str(v) for k, v in files.items()}


def _write_manifest(data_dir: Path, version: str, files: dict[FileKind, bytes]) -> None:
    record = {
        "about": "What the shipped (image) dataset last installed here; see the README, 'Upgrades'.",
        "version": version,
        "files": {FILE_NAMES[kind]: _sha256(data) for kind, data in files.items()},
    }
    atomic_write(data_dir / MANIFEST, (json.dumps(record, indent=2) + "\n").encode())


def bring_in_image_dataset(
    image_dir: Path,
    data_dir: Path,
    *,
    history_dir: Path,
    history_keep: int,
    clock: Clock,
    load: Callable[[Path], LoadResult] = load_dataset,
) -> ImageSync:
    """Bring the dataset shipped in ``image_dir`` into ``data_dir`` when it is newer (see the module).

    ``load`` reads a data folder (a :class:`~bot.core.snapshot.SnapshotCache`'s, to skip files
    read before).
    """
    image = load(image_dir)
    if image.dataset is None:
        log.error(
            "The shipped dataset in %s has %d problem(s) and was not brought in: %s",
            image_dir, len(image.problems), "; ".join(str(p) for p in image.problems[:3]),
        )
        return ImageSync()
    version = image.dataset.info.version
    shipped = {kind: path.read_bytes() for kind, path in data_files(image_dir).items()}
    present = {kind: (data_dir / name).read_bytes() for kind, name in FILE_NAMES.items()
               if (data_dir / name).is_file()}

    if not present:
        data_dir.mkdir(parents=True, exist_ok=True)
        for kind, data in shipped.items():
            atomic_write(data_dir / FILE_NAMES[kind], data)
        _write_manifest(data_dir, version, shipped)
        log.info("Installed the shipped dataset version %s into %s", version, data_dir)
        return ImageSync(image.dataset)
    for kind in shipped.keys() - present.keys():
        log.warning("%s was missing from %s; copied the shipped one", FILE_NAMES[kind], data_dir)
        atomic_write(data_dir / FILE_NAMES[kind], shipped[kind])
        present[kind] = shipped[kind]

    current = load(data_dir)
    in_use = current.dataset.info.version if current.dataset is not None else None
    differing = [kind for kind in shipped if present[kind] != shipped[kind]]
    manifest = _read_manifest(data_dir)
    if not differing:
        if manifest is None:
            _write_manifest(data_dir, version, shipped)
        return ImageSync(current.dataset)
    if in_use is not None and not is_newer(version, in_use):
        log.info("Keeping dataset version %s in %s (the shipped one is %s)", in_use, data_dir, version)
        return ImageSync(current.dataset)

    uploaded = [
        FILE_NAMES[kind] for kind in differing
        if (_sha256(present[kind]) != manifest.get(FILE_NAMES[kind]) if manifest is not None
            else bool(history_files(history_dir, kind)))
    ]
    if uploaded:
        log.warning(
            "The shipped dataset version %s is newer than version %s in %s, but was NOT brought in: "
            "a moderator uploaded %s since the shipped data was installed. To use the shipped data, "
            "upload its files with /admin reload, or move the uploaded ones out of %s and restart.",
            version, in_use or "(unreadable)", data_dir, " and ".join(uploaded), data_dir,
        )
        return ImageSync(current.dataset, held_back=version, kept_files=tuple(uploaded))

    backups = [
        replace_keeping_history(
            data_dir / FILE_NAMES[kind], shipped[kind], kind,
            history_dir=history_dir, keep=history_keep, clock=clock,
        )
        for kind in differing
    ]
    _write_manifest(data_dir, version, shipped)
    log.info(
        "Brought the shipped dataset version %s into %s (was %s); the replaced files are in %s: %s",
        version, data_dir, in_use or "unreadable", history_dir,
        ", ".join(b.name for b in backups if b is not None),
    )
    return ImageSync(image.dataset)
