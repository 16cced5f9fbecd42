"""Scan benchmark: run the 12 models on the county store built by ``bench/load.py``.

Prints a table (evidence rows, warnings, query and grading seconds per model, total,
peak memory) and writes it to ``bench/results/scan_<scale>.md``. Target at county
scale: all 12 models ≤ 10 s on a 2-core machine.

    python bench/load.py --scale county     # once: builds bench/work/store-county
    python bench/scan.py --scale county [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import publish  # noqa: E402  (bench/report.py, beside this script)

from graph.ladybug_store import LadybugStore  # noqa: E402
from scan.runner import run_scan  # noqa: E402

TARGET_SECONDS = 10.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["demo", "county", "city"])
    ap.add_argument("--store", type=Path, help="store folder (default bench/work/store-<scale>)")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the table shows the last (warm) one")
    ap.add_argument("--models", help="comma-separated model codes (default all 12)")
    ap.add_argument("--note", default="", help="a line added under the table (e.g. models left out and why)")
    args = ap.parse_args()
    store_dir = args.store or ROOT / "bench" / "work" / f"store-{args.scale}"
    if not (store_dir / "graph.lbug").exists():
        sys.exit(f"{store_dir} has no store: run `python bench/load.py --scale {args.scale}` first")
    store = LadybugStore(store_dir, read_only=True)
    counts = {k: store.counts()[k] for k in ("Person", "Household", "Payment", "RELATIVE_OF")}
    for _ in range(args.repeat):
        result = run_scan(store, args.models.split(",") if args.models else None)
    store.close()
    total = sum(r.query_seconds + r.grade_seconds for r in result.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"# Scan benchmark — scale `{args.scale}`",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · "
        f"{len(os.sched_getaffinity(0))} cores · Python {platform.python_version()} · LadybugDB store · "
        + " · ".join(f"{k} {v:,}" for k, v in counts.items()),
        "",
        "| # | model | evidence rows | warnings | query s | grading s | total s |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(result.runs, 1):
        lines.append(
            f"| {i} | {r.code} | {r.rows:,} | {r.warnings:,} | {r.query_seconds:.2f} | {r.grade_seconds:.2f} "
            f"| {r.query_seconds + r.grade_seconds:.2f} |"
        )
    verdict = "met" if total <= TARGET_SECONDS and len(result.runs) == 12 else "NOT met"
    lines += [
        f"| | **{len(result.runs)} models** | {sum(r.rows for r in result.runs):,} | {len(result.warnings):,} "
        f"| {sum(r.query_seconds for r in result.runs):.2f} | {sum(r.grade_seconds for r in result.runs):.2f} "
        f"| **{total:.2f}** |",
        "",
        f"Target ≤ {TARGET_SECONDS:.0f} s for all 12: **{verdict}**. Peak memory {peak:,.0f} MB. Runs: {args.repeat}.",
    ]
    if args.note:
        lines += ["", args.note]
    publish(lines, f"scan_{args.scale}")


if __name__ == "__main__":
    main()
