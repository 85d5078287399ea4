"""Benchmark of ``/admin reload``: wall time, event-loop lag and memory, at 1k, 10k and 100k records.

    python -m bench.bench_reload            # about 1,000, 10,000 and 16,000 records (100,000 places)
    python -m bench.bench_reload --quick    # 1k and 10k only

For each size the data is written as real YAML (:func:`bench.synthetic.write_dataset`) and a
fresh process, as the bot runs (a :class:`~bot.core.reloading.DataStore` of the
:class:`~bot.core.engine.QueryEngine`, memory settled as at start-up), reloads it while a timer
task on the event loop measures how late it wakes up (every millisecond). Two reloads are timed,
in turn, ``--runs`` times each (once at 100k places, to keep ``make bench`` within its time):

* *edited*: one record's title changed on disk (the file must be parsed again);
* *unchanged*: the same files again (the very files in use: their dataset and engine are kept);
* *reverted*: the edit undone (its items read before: kept by the reload's cache, or the files'
  validated snapshot, as the bot keeps them in its state folder; the engine built again).

The wall time is until the reload's report (what a moderator waits for); the loop's lag is
measured until the reload has also done what it does after its report (the old data freed, the
new data's snapshot saved), where the code has that step.

Side by side, in the same process and on the same files, it times PyYAML's own C loader
(``yaml.load(text, Loader=yaml.CSafeLoader)``, with the cyclic collector off: its best case),
which the issue's goal is measured against (a reload at most 0.3x of it). Memory is the
process's resident set before the first reload and after the last one.

``--code DIR`` runs the same measurement against another checkout's ``bot`` package (for a
before/after comparison in one run: ``git worktree add /tmp/before <commit>``); the data is
written in the current format, which an older loader may refuse.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261130
# (label, places, one place in N has records): 1k, 10k and 16k records
SIZES = (("1k", 630, 1), ("10k", 6292, 1), ("100k places", 100_000, 10))
TICK = 0.001
# The reloads timed, in this order each run, with their names in the summary table.
KINDS = {"edited": "edited file", "unchanged": "unchanged files", "reverted": "edit undone"}


# ---------------------------------------------------------------------------- one size, in a child


def rss_mb() -> float:
    """The resident set of this process in MB (Linux), else nan."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return math.nan


class LagProbe:
    """A timer task: how late the event loop wakes it, every ``TICK`` seconds."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(TICK)
            self.lags.append(max(0.0, clock() - before - TICK))

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def yaml_load_s(folder: Path) -> float:
    import yaml

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))]
    gc.disable()
    try:
        start = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)
        return time.perf_counter() - start
    finally:
        gc.enable()


def edit(folder: Path, run: int) -> None:
    """Change one record's title (the first one), as a moderator's fix would."""
    path = folder / "resolutions.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    title: "
    at = text.index(marker, text.index("resolutions:"))
    end = text.index("\n", at)
    path.write_text(f'{text[:at]}{marker}"Edited title {run}"{text[end:]}', encoding="utf-8")


def resolution_times(engine: Any, runs: int) -> dict[str, Any]:
    """/resolution over words most records have and a varied mix: single-pass p50/p99 per run.

    Each query is timed to its first page (the entries shown): later pages are ranked when asked for.
    """
    import random
    from collections import Counter

    from bot.core.normalize import normalize

    records = engine.dataset.records
    counts: Counter[str] = Counter()
    for r in records:
        counts.update(set(normalize(f"{r.title} {r.summary} {r.body}").split()))
    common = [w for w, n in counts.most_common(40) if n >= len(records) / 2 and len(w) > 2][:8]
    rng = random.Random(SEED)
    vocabulary = [w for w in counts if len(w) > 3]
    queries = [*common, *(f"{a} {b}" for a in common for b in common if a < b)]
    queries += [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 3))) for _ in range(200)]
    from bot.core.pages import page

    clock = time.perf_counter_ns
    p50s, p99s = [], []
    for _ in range(runs):
        took = []
        for q in queries:
            start = clock()
            page(engine.resolution(q), 0)  # the answer and its first page, as the bot shows it
            took.append((clock() - start) / 1e6)
        p50s.append(percentile(took, 0.5))
        p99s.append(percentile(took, 0.99))
    return {"queries": len(queries), "common": common, "p50": p50s, "p99": p99s}


async def measure_one(folder: Path, runs: int) -> dict[str, Any]:
    import inspect

    from bot.core.clock import SystemClock
    from bot.core.engine import QueryEngine
    from bot.core.reloading import DataStore

    # As the bot runs: validated snapshots kept beside the state (where the code has them).
    kwargs: dict[str, Any] = {}
    if "snapshot_dir" in inspect.signature(DataStore).parameters:
        kwargs["snapshot_dir"] = folder.parent / f"{folder.name}-snapshots"
    if "successor" in inspect.signature(DataStore).parameters:  # and its engine keeps what it can
        kwargs["successor"] = QueryEngine.successor
    started = time.perf_counter()
    store = DataStore(folder, QueryEngine, clock=SystemClock(), **kwargs)
    start_s = time.perf_counter() - started
    builds = []
    for _ in range(2):  # the engine alone, from the loaded dataset: wall and this process's CPU
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        QueryEngine(store.current.dataset)
        builds.append((time.perf_counter() - wall, time.process_time() - cpu))
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)  # as the bot does once its data is loaded
    rss_before = rss_mb()
    out: dict[str, Any] = {"start_s": start_s, "rss_before": rss_before, "yaml": [],
                           "build": min(builds), **{kind: [] for kind in KINDS}}
    # As the bot does at start (its lookup commands): numpy, which ranks every match, loaded
    # (not in an older checkout, measured with --code).
    with contextlib.suppress(ImportError):
        import bot.core.matching.ranking  # noqa: F401
    out["resolution"] = resolution_times(store.current.built, max(3, runs))
    resolutions = folder / "resolutions.yaml"
    for run in range(runs):
        out["yaml"].append(yaml_load_s(folder))
        before = resolutions.read_bytes()
        for kind in KINDS:
            if kind == "edited":
                edit(folder, run)
            elif kind == "reverted":
                resolutions.write_bytes(before)
            with LagProbe() as probe:
                await asyncio.sleep(0.05)
                t0 = time.perf_counter()
                report = await store.reload_from_disk()
                wall = time.perf_counter() - t0
                if hasattr(store, "settled"):  # the old data freed and a snapshot saved after the report
                    await store.settled()
                settled = time.perf_counter() - t0
                await asyncio.sleep(0.05)
            if not report.ok:
                raise SystemExit(f"reload failed: {report.problems[:3]}")
            out[kind].append({"wall": wall, "settled": settled, "lag_max": max(probe.lags, default=0.0),
                              "lag_p99": percentile(probe.lags, 0.99), "load": os.getloadavg()[0]})
    out["rss_after"] = rss_mb()
    out["records"] = len(store.current.dataset.records)
    out["places"] = len(store.current.dataset.jurisdictions)
    return out


# ---------------------------------------------------------------------------- orchestration


def run_child(folder: Path, runs: int, code: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    paths = [str(code)] if code else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "bench.bench_reload", "--one", str(folder), "--runs", str(runs)]
    # the child's working folder comes first on its path: the measured checkout's bot package
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=code or ROOT)
    if done.returncode:
        raise SystemExit(f"reload benchmark child failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(result: dict[str, Any], kind: str) -> dict[str, float]:
    rows = result[kind]
    walls = [r["wall"] for r in rows]
    yaml_s = statistics.median(result["yaml"])
    return {
        "wall_min": min(walls),
        "wall_median": statistics.median(walls),
        "ratio": statistics.median(walls) / yaml_s,
        "lag_max": max(r["lag_max"] for r in rows),
        "lag_p99": statistics.median(r["lag_p99"] for r in rows),
        "yaml": yaml_s,
    }


def measure(sizes: list[tuple[str, int, int]], runs: int, code: Path | None) -> list[dict[str, Any]]:
    from bench.synthetic import synthetic_names, write_dataset

    results = []
    for label, places, every in sizes:
        print(f"reload benchmark: {label} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-reload-") as tmp:
            folder = Path(tmp)
            write_dataset(folder, synthetic_names(places, SEED), records_every=every, seed=SEED)
            result = run_child(folder, 1 if places >= 100_000 else runs, code)  # 100k: one of each
        result["label"] = label
        results.append(result)
    return results


def report(results: list[dict[str, Any]]) -> None:
    print("Reload (DataStore.reload_from_disk with the QueryEngine), a fresh process per size; wall in s,")
    print("loop lag in ms (a 1 ms timer task on the loop), RSS in MB; min and median of the runs;")
    print("PyYAML = yaml.load with the C loader alone on the same files (collector off), median")
    print("(the machine's load average during each reload is in the last column: other work here")
    print("delays the loop too, and stretches every wall time)")
    print(f"{'size':<13}{'records':>8}{'reload':>11}{'wall min':>10}{'median':>8}{'PyYAML':>8}"
          f"{'ratio':>7}{'lag max':>9}{'lag p99':>9}{'RSS before':>11}{'after':>7}{'load':>6}")
    for r in results:
        for kind in (k for k in KINDS if r.get(k)):  # an older checkout (--code) times fewer
            s = summary(r, kind)
            print(f"{r['label']:<13}{r['records']:>8,}{kind:>11}{s['wall_min']:>10.2f}"
                  f"{s['wall_median']:>8.2f}{s['yaml']:>8.2f}{s['ratio']:>6.2f}x"
                  f"{s['lag_max'] * 1000:>9.1f}{s['lag_p99'] * 1000:>9.1f}"
                  f"{r['rss_before']:>11.0f}{r['rss_after']:>7.0f}"
                  f"{statistics.median(x['load'] for x in r[kind]):>6.1f}")


def report_more(results: list[dict[str, Any]]) -> None:
    from bench.summary import record

    print()
    print("Engine build alone (QueryEngine of the loaded dataset; best of 2): wall and CPU seconds")
    print(f"{'size':<13}{'places':>8}{'records':>9}{'wall s':>8}{'CPU s':>8}{'CPU µs/place+record':>21}")
    for r in results:
        wall, cpu = r["build"]
        per = 1e6 * cpu / (r["places"] + r["records"])
        print(f"{r['label']:<13}{r['places']:>8,}{r['records']:>9,}{wall:>8.2f}{cpu:>8.2f}{per:>21.0f}")
    print()
    print("/resolution at each size: words most records have, their pairs and 200 varied queries;")
    print("single pass per run, ms: p50 and p99 of each run, min and median over the runs")
    print(f"{'size':<13}{'queries':>8}{'p50 min':>9}{'p50 med':>9}{'p99 min':>9}{'p99 med':>9}  common words")
    for r in results:
        res = r["resolution"]
        p50, p99 = res["p50"], res["p99"]
        print(f"{r['label']:<13}{res['queries']:>8}{min(p50):>9.2f}{statistics.median(p50):>9.2f}"
              f"{min(p99):>9.2f}{statistics.median(p99):>9.2f}  {', '.join(res['common'])}")
    by_label = {r["label"]: r for r in results}
    ten = by_label.get("10k")
    if ten is not None:
        kinds = [(name, summary(ten, kind)) for kind, name in KINDS.items() if ten.get(kind)]
        for name, s in kinds:
            record("reload_wall", f"{name}: {s['wall_median']:.2f} s median ({s['ratio']:.2f}x PyYAML's "
                   f"{s['yaml']:.2f} s)", s["wall_median"] < 1.0 and s["ratio"] <= 0.3)
        for name, s in kinds:
            lag = f"{name}: max {s['lag_max'] * 1000:.0f} ms, p99 {s['lag_p99'] * 1000:.0f} ms"
            record("reload_lag", lag, s["lag_max"] < 0.05 and s["lag_p99"] < 0.02)
        p99 = statistics.median(ten["resolution"]["p99"])
        record("resolution", f"p99 {p99:.2f} ms (median of runs; {ten['resolution']['queries']} queries)",
               p99 < 1.0)
    big = by_label.get("100k places")
    if big is not None:
        wall, cpu = big["build"]
        small = by_label.get("10k") or results[0]
        per_big = cpu / (big["places"] + big["records"])
        ratio = per_big / (small["build"][1] / (small["places"] + small["records"]))
        record("build", f"{wall:.1f} s wall, {cpu:.1f} s CPU; CPU per item {ratio:.1f}x "
               f"that at {small['label']}", cpu < 3.0 and ratio < 1.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1k and 10k records only, two runs")
    parser.add_argument("--runs", type=int, default=None, help="reloads of each kind per size (default 2)")
    parser.add_argument("--code", type=Path, default=None, help="measure this checkout's bot package")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--one", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    runs = args.runs or 2
    if args.one is not None:
        print(json.dumps(asyncio.run(measure_one(args.one, runs))))
        return 0
    sizes = list(SIZES[:2] if args.quick else SIZES)
    results = measure(sizes, runs, args.code)
    report(results)
    report_more(results)
    if args.json:
        args.json.write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
