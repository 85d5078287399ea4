"""Validated snapshots of the dataset: unchanged files are not parsed and checked again.

Reading the YAML is the slow part of a load (PyYAML's C loader alone takes seconds at 10,000
records; walking its nodes with line numbers about as long again). Once a set of files has
loaded without a single problem, the resulting :class:`~bot.core.model.Dataset` is written to a
snapshot file named by a hash of the files' bytes and of the core's code (the loader, the model
and every module they use). The next load of the very same files (a restart, a reload with
nothing changed, an upload of the file already there) reads the snapshot instead. Any change to
a file, or to that code, makes a different key: there is no stale snapshot to invalidate, and
the loader (with its ``file:line`` problems) reads anything new. File names are not part of the
key: they only ever appear in problems, and a snapshot has none.

Snapshots are pickles read by an unpickler that builds nothing but the model's own classes,
each through its constructor (so its checks run), in chunks small enough that the event loop
keeps running beside a reload's worker thread. A damaged or unreadable snapshot is ignored
(and removed); writes are atomic. Only the newest few are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import logging
import marshal
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from bot.core import model
from bot.core.collector import collector_paused
from bot.core.datafiles import FILE_NAMES, FileKind, LoadResult, Problem, data_files
from bot.core.model import Dataset

# The loader (and PyYAML with it) is imported only when files have to be read: a snapshot is
# read without it (``python -m bot ask`` answers from one).

log = logging.getLogger(__name__)

KEEP = 3  # snapshots kept in the folder (the newest)
CHUNK = 2_000  # items of a large tuple pickled together
CHILD_MIN_BYTES = 1024 * 1024  # files this large are read in a child process (smaller: here, faster)
CHILD_TIMEOUT = 600.0
_PREFIX = "dataset-"
_SUFFIX = ".snapshot"
_FORMAT = b"artsakh-bot dataset snapshot 1\n"


def _model_classes() -> dict[type, tuple[str, ...]]:
    """The model's dataclasses, each with the fields its constructor is given (in order)."""
    out: dict[type, tuple[str, ...]] = {}
    for value in vars(model).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__:
            fields = [f for f in dataclasses.fields(value) if f.init]
            kept = [f.name for f in fields if f.compare]
            if kept == [f.name for f in fields[: len(kept)]]:  # derived fields come last, if any
                out[value] = tuple(kept)
    return out


_FIELDS = _model_classes()


def _add(digest: hashlib._Hash, *parts: bytes) -> None:
    """Feed ``parts`` to ``digest``, each after its length (so no two sequences of parts feed alike)."""
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


def code_version(core: Path | None = None) -> str:
    """A hash of the code that decides what a file means: every module of the pure core.

    The loader and the model call on many core modules (dates, names, places, the incremental
    reader), so all of them count: an upgrade of any reads the files again once, rather than
    risk serving a snapshot that the new code would read differently. ``core``: another copy of
    the core's folder (the running code's is read once per process, :func:`_running_code`).
    """
    if core is None:
        return _running_code()
    digest = hashlib.sha256()
    for path in sorted(core.rglob("*.py")):
        _add(digest, path.relative_to(core).as_posix().encode(), path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _running_code() -> str:
    """:func:`code_version` of the code this process runs (it does not change while it runs)."""
    return code_version(Path(model.__file__).parent)


def snapshot_key(files: Iterable[tuple[str, bytes]]) -> str:
    """The key of a set of files, each ``(kind, content)``, under the current code.

    File names only ever appear in problems, and a snapshot has none: an upload with the
    same content as the file on disk has the same key.
    """
    digest = hashlib.sha256(code_version().encode())
    for kind, data in sorted(files):
        _add(digest, kind.encode(), data)
    return digest.hexdigest()[:40]


class _Pickler(pickle.Pickler):
    """Model objects go as their class and constructor arguments (fast to rebuild, and checked)."""

    def reducer_override(self, obj: Any) -> Any:  # noqa: ANN401 - pickle's own protocol
        names = _FIELDS.get(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


class _Unpickler(pickle.Unpickler):
    """Builds the model's classes (and its enums) and nothing else."""

    def find_class(self, module: str, name: str) -> Any:  # noqa: ANN401 - pickle's own protocol
        if module == model.__name__:
            value = getattr(model, name, None)
            if isinstance(value, type) and (value in _FIELDS or issubclass(value, Enum)):
                return value
        raise pickle.UnpicklingError(f"a dataset snapshot may not hold {module}.{name}")


# Small values that records share (dates, sources, votes): equal ones are made one object. The
# other model classes (places, records...) are things of their own: only their fields are shared.
_VALUES: frozenset[type] = frozenset({model.PartialDate, model.Source, model.AlternativeDate, model.Vote})


class _Sharing:
    """Makes equal values one object: the strings, tuples and small values of a dataset.

    A snapshot is read in chunks, and pickle only knows the objects of one chunk as the same: a
    body name, a date or a source that thousands of records have would be as many objects. Each
    field of each class has its own table, so values are taken for one another only where they
    are of one kind (an enum member is never taken for its string); strings have one table.
    """

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._tables: dict[object, dict[Any, Any]] = {}

    def share(self, value: Any, where: object = None) -> Any:  # noqa: ANN401 - any field's value
        kind = type(value)
        if kind is str:
            return self._strings.setdefault(value, value)
        if kind is tuple:
            if not value:
                return value
            parts = tuple(self.share(v, where) for v in value)
            if all(a is b for a, b in zip(parts, value, strict=True)):
                parts = value  # no new tuple when nothing changed
            return self._tables.setdefault(where, {}).setdefault(parts, parts)
        names = _FIELDS.get(kind)
        if names is None:
            return value  # a number, None, an enum member
        if kind in _VALUES:
            found = self._tables.setdefault(kind, {}).get(value)
            if found is not None:
                return found
        for name in names:
            part = getattr(value, name)
            shared = self.share(part, (kind, name))
            if shared is not part:  # a frozen model object: set as it is built
                object.__setattr__(value, name, shared)
        if kind in _VALUES:
            self._tables[kind][value] = value
        return value


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=5).dump(value)
    return buffer.getvalue()


def _loads(data: bytes) -> Any:  # noqa: ANN401 - checked by the caller
    return _Unpickler(io.BytesIO(data)).load()


def encode(dataset: Dataset) -> bytes:
    """The snapshot of ``dataset``: each field pickled on its own, large tuples in chunks."""
    parts: dict[str, list[bytes]] = {}
    for name in _FIELDS[Dataset]:
        value = getattr(dataset, name)
        if isinstance(value, tuple):
            parts[name] = [_dumps(value[i : i + CHUNK]) for i in range(0, len(value), CHUNK)]
        else:
            parts[name] = [_dumps(value)]
    return _FORMAT + pickle.dumps(parts, protocol=5)


def decode(data: bytes, *, share: bool = False) -> Dataset:
    """The dataset of a snapshot (ValueError if it is not one).

    ``share``: equal strings and small values are made one object (see :class:`_Sharing`), for a
    process that keeps the dataset (at 100,000 places the bot's memory once its engine is built:
    274 -> 257 MB; the decode takes 0.7 s longer). A one-off command need not.
    """
    if not data.startswith(_FORMAT):
        raise ValueError("not a dataset snapshot")
    # The collector is paused as for any build: each collection would walk the growing dataset
    # again, in steps that hold the interpreter lock (see bot.core.collector).
    with collector_paused():
        return _decode(data, share)


def _decode(data: bytes, share: bool) -> Dataset:
    try:
        parts = pickle.loads(data[len(_FORMAT) :])  # noqa: S301 - a dict of bytes, checked below
        if not isinstance(parts, dict) or set(parts) != set(_FIELDS[Dataset]):
            raise ValueError("not a dataset snapshot of this version")
        values: dict[str, object] = {}
        for name, chunks in parts.items():
            if not isinstance(chunks, list) or not all(isinstance(c, bytes) for c in chunks):
                raise ValueError("not a dataset snapshot")
            pieces = [_loads(chunk) for chunk in chunks]  # one short step each
            values[name] = tuple(x for piece in pieces for x in piece) if len(pieces) != 1 else pieces[0]
        if share:
            sharing = _Sharing()
            for value in values.values():
                for item in value if isinstance(value, tuple) else ():
                    sharing.share(item)  # a place, a record...: its fields are shared in place
            del sharing
        dataset = Dataset(**values)  # type: ignore[arg-type]
    except (pickle.UnpicklingError, EOFError, TypeError, AttributeError, IndexError, KeyError) as err:
        raise ValueError(f"damaged dataset snapshot: {err}") from None
    if not isinstance(dataset.info, model.DatasetInfo):
        raise ValueError("not a dataset snapshot")
    return dataset


class SnapshotCache:
    """Snapshots of validated datasets in one folder (e.g. beside the bot's state)."""

    def __init__(self, folder: Path, *, share: bool = False) -> None:
        """``share``: datasets are read with their equal values made one object (see :func:`decode`)."""
        self.folder = folder
        self.share = share

    def _path(self, key: str) -> Path:
        return self.folder / f"{_PREFIX}{key}{_SUFFIX}"

    def get(self, key: str) -> Dataset | None:
        """The dataset saved under ``key``, or None (a damaged snapshot is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return decode(data, share=self.share)
        except ValueError as err:
            log.warning("ignoring the dataset snapshot %s: %s", path.name, err)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, dataset: Dataset) -> None:
        """Save ``dataset`` under ``key`` (atomically) and keep only the newest few; never raises."""
        from bot.core.files import atomic_write  # noqa: PLC0415 - not for reading one

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self._path(key), encode(dataset))
            kept = sorted(self.folder.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime)
            for old in kept[:-KEEP]:
                with contextlib.suppress(OSError):
                    old.unlink()
        except OSError as err:
            log.warning("could not save a dataset snapshot in %s: %s", self.folder, err)

    def load(
        self,
        files: Iterable[tuple[str, bytes]],
        load: Callable[[], LoadResult],
        names: Mapping[str, str] | None = None,
    ) -> LoadResult:
        """The snapshot of these files if there is one, else ``load()`` (saved when it has no problem).

        With ``names`` (each file's name in problems) and files of a megabyte or more, the files
        are read and checked in a short-lived process of their own (see :func:`load_in_child`).
        """
        files = list(files)
        key = snapshot_key(files)
        dataset = self.get(key)
        if dataset is not None:
            log.debug("dataset read from its snapshot %s", key)
            return LoadResult(dataset, ())
        if names is not None and sum(len(data) for _, data in files) >= CHILD_MIN_BYTES:
            result = self.load_in_child(key, dict(files), names)
            if result is not None:
                return result
        result = load()
        if result.dataset is not None and not result.problems:
            self.put(key, result.dataset)
        return result

    def load_in_child(
        self, key: str, files: Mapping[str, bytes], names: Mapping[str, str]
    ) -> LoadResult | None:
        """Read and check the files in a child process, which saves the snapshot; None if it cannot.

        Parsing a large file peaks at several times the memory the dataset keeps, and the
        allocator holds on to that peak for the life of the process; in a child it goes when the
        child ends, and the parse runs on a core of its own, beside the bot's event loop.
        """
        import subprocess  # noqa: PLC0415 - only for a large file

        request = marshal.dumps({"folder": str(self.folder), "key": key, "files": dict(files),
                                 "names": dict(names)})
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter, this module, no shell
                [sys.executable, "-m", __name__], input=request, capture_output=True, check=False,
                timeout=CHILD_TIMEOUT,
            )
            # marshal: plain values, from the child this process started
            answer = marshal.loads(done.stdout) if done.returncode == 0 else None  # noqa: S302
        except (OSError, subprocess.SubprocessError, EOFError, ValueError, TypeError) as err:
            log.warning("could not read the data in a child process (%s); reading it here", err)
            return None
        if not isinstance(answer, dict):
            log.warning("the data reader process failed (exit %s); reading it here: %s",
                        done.returncode, done.stderr.decode(errors="replace").strip()[-300:])
            return None
        if answer.get("problems"):
            return LoadResult(None, tuple(Problem(str(f), int(n), str(m)) for f, n, m in answer["problems"]))
        dataset = self.get(key)
        return LoadResult(dataset, ()) if dataset is not None else None

    def load_files(
        self,
        files: Mapping[FileKind, Path | bytes],
        load: Callable[[], LoadResult],
        names: Mapping[FileKind, str] | None = None,
    ) -> LoadResult:
        """Like :meth:`load`, for files given as paths or uploaded bytes."""
        try:
            contents = [(kind, f if isinstance(f, bytes) else f.read_bytes()) for kind, f in files.items()]
        except OSError:
            return load()  # the loader tells what is wrong with the files
        shown: dict[str, str] | None = None if names is None else {str(k): v for k, v in names.items()}
        return self.load(contents, load, shown)

    def load_dataset(self, folder: Path, *, bare_names: bool = False) -> LoadResult:
        """:func:`bot.core.loader.load_dataset`, or the snapshot of the folder's files."""
        files = data_files(folder)
        names = {kind: FILE_NAMES[kind] if bare_names else str(path) for kind, path in files.items()}

        def load() -> LoadResult:
            from bot.core.loader import load_dataset  # noqa: PLC0415 - only when the files are new

            return load_dataset(folder, bare_names=bare_names)

        return self.load_files(files, load, names)


def _child() -> int:
    """``python -m bot.core.snapshot``: read and check the files a request names; save the snapshot."""
    from bot.core import loader  # noqa: PLC0415 - only when files must be read (ask answers from a snapshot)
    request = marshal.loads(sys.stdin.buffer.read())  # noqa: S302 - from the bot process that started it
    files: dict[str, bytes] = request["files"]
    names: dict[str, str] = request["names"]
    extra: dict[str, object] = {f"{kind}_name": names.get(kind) for kind in files}
    extra.update({kind: data for kind, data in files.items() if kind not in ("resolutions", "events")})
    result = loader.load_files(files["resolutions"], files["events"], **extra)  # type: ignore[arg-type]
    if result.dataset is None or result.problems:
        sys.stdout.buffer.write(marshal.dumps(
            {"problems": [(p.file, p.line, p.message) for p in result.problems]}
        ))
        return 0
    SnapshotCache(Path(request["folder"])).put(request["key"], result.dataset)
    sys.stdout.buffer.write(marshal.dumps({"saved": request["key"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child())
