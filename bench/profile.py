"""PROFILE the slowest model queries on a benchmark store and keep their plans.

    python bench/scale.py --scale county            # builds bench/work/scale-store-county
    python bench/profile.py --scale county [--models SHELL_HOUSEHOLD,UNDERAGE_ELDERLY] [--notes FILE]

Without ``--models`` the three slowest models of the store's last scan are profiled.
Writes ``bench/results/profile_<scale>.md``: per model its wall time and LadybugDB's
physical plan with the tuples and time of every operator (``PROFILE``), after the
notes of ``--notes`` (what the plans show and what was done about it).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import publish  # noqa: E402  (bench/report.py, beside this script)

from graph.ladybug_store import LadybugStore  # noqa: E402
from queries import load_query  # noqa: E402
from scan.models import BY_CODE  # noqa: E402
from scan.runner import default_params, load_scan_meta  # noqa: E402

_OP = re.compile(r"([A-Z][A-Z_]+)\[(\d+)\]")
_NUM = re.compile(r"(NumOutputTuples|ExecutionTime):\s*([\d.]+)")


def operators(plan: str) -> list[tuple[str, int, float]]:
    """(operator, output tuples, ms) of every box of LadybugDB's PROFILE drawing.

    The drawing puts boxes of one width side by side, one space apart: a box is the
    column slice of its lines; its name line starts it, the numbers below belong to it.
    """
    lines = plan.splitlines()
    top = next((ln for ln in lines if "┌" in ln and "┐" in ln), "")
    width = top.index("┐") - top.index("┌") + 1 if top else 0
    if not width:
        return []
    boxes: dict[int, list[dict]] = {}
    for ln in lines:
        for col in range(0, len(ln), width + 1):
            seg = ln[col : col + width]
            if m := _OP.search(seg):
                boxes.setdefault(col, []).append({"op": f"{m[1]}[{m[2]}]", "NumOutputTuples": 0, "ExecutionTime": 0.0})
            elif boxes.get(col) and (n := _NUM.search(seg)):
                boxes[col][-1][n[1]] = float(n[2])
    ops = [b for col in boxes.values() for b in col]
    return [(b["op"], int(b["NumOutputTuples"]), b["ExecutionTime"]) for b in ops]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["demo", "county", "city"])
    ap.add_argument("--models", help="comma-separated model codes (default: the 3 slowest of the last scan)")
    ap.add_argument("--notes", type=Path, help="a Markdown file of notes put above the plans")
    args = ap.parse_args()
    store_dir = ROOT / "bench" / "work" / f"scale-store-{args.scale}"
    store = LadybugStore(store_dir, read_only=True)
    if args.models:
        codes = args.models.split(",")
    else:
        runs = load_scan_meta(store.state_dir).get("runs", [])
        runs.sort(key=lambda r: -(r["query_seconds"]))
        codes = [r["code"] for r in runs[:3]]
    values = default_params()
    lines = [f"# Query plans of the slowest models — scale `{args.scale}`", ""]
    if args.notes:
        lines += [args.notes.read_text(encoding="utf-8").rstrip(), ""]
    for code in codes:
        m = BY_CODE[code]
        params = {k: values[k] for k in m.defaults}
        names = [m.query] if m.candidates is None else [m.candidates, m.query]
        for name in names:
            q = load_query(name)
            p = {k: v for k, v in {**params, "since": 0}.items() if k in q.params}
            if "candidates" in q.params:
                found = store.query(m.candidates, **{k: v for k, v in p.items() if k in load_query(m.candidates).params})
                p["candidates"] = sorted({str(v) for v in found.iloc[:, 0].dropna()})
            t = time.perf_counter()
            plan = store._conn.execute("PROFILE " + q.text, p).get_as_df().iloc[0, 0]
            wall = time.perf_counter() - t
            ops = sorted(operators(str(plan)), key=lambda o: -o[2])[:8]
            lines += [f"## {code} — `{name}` ({wall:.2f} s with profiling)", ""]
            lines += ["| operator | output tuples | ms |", "|---|---:|---:|"]
            lines += [f"| {op} | {n:,} | {ms:,.1f} |" for op, n, ms in ops]
            plan_text = "\n".join(ln.rstrip() for ln in str(plan).splitlines())
            lines += ["", "<details><summary>plan</summary>", "", "```", plan_text, "```", "", "</details>", ""]
    store.close()
    publish(lines, f"profile_{args.scale}")


if __name__ == "__main__":
    main()
