"""Load benchmark: generate a scale (once, cached under bench/work/) and load it into a fresh LadybugDB store.

Prints a table (rows, seconds, rows/s per file, per phase and in total, peak memory)
and writes it to ``bench/results/load_<scale>.md``. Target at county scale: ≤ 30 s
end to end on a 2-core machine.

    python bench/load.py --scale county [--seed 7] [--keep-data]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import ensure_dataset, publish  # noqa: E402  (bench/report.py, beside this script)

from graph.ladybug_store import LadybugStore  # noqa: E402
from loaders.load import load_dataset  # noqa: E402


def peak_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["demo", "county", "city"])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    work = ROOT / "bench" / "work"
    data = work / f"{args.scale}-{args.seed}"
    ensure_dataset(data, args.scale, args.seed)
    store_dir = work / f"store-{args.scale}"
    shutil.rmtree(store_dir, ignore_errors=True)
    t0 = time.perf_counter()
    store = LadybugStore(store_dir)
    opened = time.perf_counter() - t0
    report = load_dataset(data, store, reset=True)
    store.close()
    total = time.perf_counter() - t0

    lines = [
        f"# Load benchmark — scale `{args.scale}`, seed {args.seed}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · "
        f"{len(os.sched_getaffinity(0))} cores · Python {platform.python_version()} · LadybugDB store",
        "",
        "| file | kind | rows read | loaded | quarantined | duplicates | parse s | rows/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in report.files:
        rate = f.rows_read / f.seconds if f.seconds else 0
        lines.append(
            f"| {f.file} | {f.kind} | {f.rows_read:,} | {f.rows_loaded:,} | {f.rows_quarantined:,} | {f.duplicates:,} "
            f"| {f.seconds:.2f} | {rate:,.0f} |"
        )
    rows = sum(f.rows_read for f in report.files)
    t = report.timings
    lines += [
        "",
        "| phase | seconds |",
        "|---|---:|",
        f"| open store | {opened:.2f} |",
        f"| read + normalise (all files) | {t['parse']:.2f} |",
        f"| build graph tables | {t['build']:.2f} |",
        f"| write (COPY into LadybugDB, incl. checkpoint) | {t['write']:.2f} |",
        f"| of which final checkpoint | {t['flush']:.2f} |",
        "",
        "| table written | rows | seconds | rows/s |",
        "|---|---:|---:|---:|",
    ]
    for key, secs in t.items():
        if key.startswith("write:"):
            name = key.removeprefix("write:")
            n = report.inserted.get(name, 0)
            lines.append(f"| {name} | {n:,} | {secs:.2f} | {n / secs if secs else 0:,.0f} |")
    lines += [
        "",
        f"**Total: {rows:,} rows in {total:.1f} s = {rows / total:,.0f} rows/s end to end; "
        f"peak memory {peak_mb():,.0f} MB.** Target ≤ 30 s at county scale: "
        f"{'met' if total <= 30 else 'not met'}.",
        "",
        "Graph: " + ", ".join(f"{k} {v:,}" for k, v in report.counts.items()),
    ]
    publish(lines, f"load_{args.scale}")


if __name__ == "__main__":
    main()
