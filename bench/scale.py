"""Scale benchmark: full load, full scan, one month appended and rescanned, ego-graph latency.

    python bench/scale.py --scale county      # or --scale city (generates ~13M payment rows once)

Each phase runs in its own process, so that its peak memory is its own:

1. **load** — the generated dataset (``bench/work/<scale>-<seed>``) into a fresh
   LadybugDB store, payment files streamed in chunks: seconds, rows/s, peak memory.
2. **scan** — all 12 models: seconds per model.
3. **append** — one more month (``payments_2024-01.csv``: the December 2023 rows paid
   again a month later under new 流水号, so that it is a real month's worth of rows)
   with ``--append``, then **rescan** ``--since`` that batch.
4. **ego** — the relationship map of a cadre (depth 2, the map page's default) for 100
   cadres: median and p95 latency.

Prints a table and writes ``bench/results/scale_<scale>.md``. Targets on a 2-core
machine: city load ≤ 5 min, full scan ≤ 2 min, one-month append + incremental rescan
≤ 30 s, ego graph p95 ≤ 300 ms (county) and ≤ 1 s (city).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import ensure_dataset, publish  # noqa: E402  (bench/report.py, beside this script)

TARGETS = {
    "load": {"city": 300.0},
    "scan": {"county": 120.0, "city": 120.0},
    "append_rescan": {"county": 30.0, "city": 30.0},
    "ego_p95": {"county": 0.3, "city": 1.0},
}


def _children() -> list[str]:
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that just ended
            pids += (task / "children").read_text().split()
    return pids


def tree_pss_mb(children: list[str] | None = None) -> int:
    """Memory now of this process and its children (the load's worker processes).

    With children, the sum of their proportional set sizes (PSS), not of their resident
    sizes: a worker forked from the main process shares its pages until either writes
    to them, and each process's RSS counts those shared pages in full (two workers forked
    from a 3.5 GB process would count 7 GB that is not there). PSS divides each shared
    page among the processes sharing it. Without children, this process's RSS (then
    its PSS): reading PSS walks a process's page tables, which for a load of several GB
    took long enough to slow the load it measured."""
    children = _children() if children is None else children
    if not children:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    total_kb = 0
    for pid in [str(os.getpid()), *children]:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # a worker that just ended
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
    return total_kb // 1024


#: Seconds between two readings of the load's memory (:class:`TreePeak`): without worker
#: processes, and with them. With them a reading is the PSS of three processes, a walk of
#: their page tables: once a second, a city load's ~140 such readings cost 12.5-13.2
#: core-seconds of its ~290 s (the sampler's thread, counted in the load's time). Those
#: phases (the two passes) reach 3.9 GB; the load's peak, 7.5 GB, is in the build and the
#: COPYs, without workers, where a reading is one process's RSS and cheap.
SAMPLE_SECONDS = 0.2
SAMPLE_SECONDS_WITH_WORKERS = 2.0


class TreePeak:
    """The highest memory of this process and its children together (:func:`tree_pss_mb`),
    sampled in a thread every :data:`SAMPLE_SECONDS`, every :data:`SAMPLE_SECONDS_WITH_WORKERS`
    while there are worker processes (getrusage gives each process's own peak, not their sum)."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self.last = 0  # the latest sample
        #: seconds from the start to the highest sample, and the load step then running
        self.peak_at = 0.0
        self.step = ""
        self.peak_step = ""
        self._started = time.perf_counter()
        #: readings taken, and the core-seconds taking them cost
        self.samples = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cpu = time.thread_time()
        while not self._stop.is_set():
            children = _children()
            now = self.last = tree_pss_mb(children)
            self.samples += 1
            if now > self.peak:
                self.peak, self.peak_at, self.peak_step = now, time.perf_counter() - self._started, self.step
            # the sampling's own cost (in this process: its reads of /proc walk page tables)
            self.cpu_seconds = time.thread_time() - cpu
            # PSS (with worker processes) costs a walk of their page tables: less often
            self._stop.wait(SAMPLE_SECONDS_WITH_WORKERS if children else SAMPLE_SECONDS)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def cpu_seconds() -> float:
    """Core-seconds the machine has been busy since boot (``/proc/stat``: all but idle and
    I/O wait, over every core). Between two step lines, its growth over the seconds
    between them is how many cores the load kept busy then (the machine is otherwise idle
    while the benchmark runs)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def peak_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def month_file(data: Path, out: Path) -> Path:
    """``payments_2024-01.csv``: December 2023's rows paid a month later. The files have
    no 流水号, so the loader derives one from the file name and the cells: all new rows."""
    from loaders.normalize import parse_date
    from loaders.read import sniff_csv

    out.mkdir(parents=True, exist_ok=True)
    target = out / "payments_2024-01.csv"
    if target.exists():
        return target
    source = data / "payments_2023.csv"
    encoding, _ = sniff_csv(source)
    with source.open(encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        i_date, i_period = header.index("发放日期"), header.index("所属期")
        for row in reader:
            try:
                day = parse_date(row[i_date])
            except ValueError:
                continue
            if (day.year, day.month) == (2023, 12):
                row[i_date] = f"2024-01-{day.day:02d}"
                row[i_period] = "2024-01" if row[i_period].strip() else ""
                writer.writerow(row)
    return target


def reference_seconds() -> float:
    """Seconds a fixed single-core workload takes, made of what a load does most (a sort
    of 64-bit hashes, hashing and factorising text, a Python loop, new pages touched)."""
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    rng = np.random.default_rng(7)
    np.sort(rng.integers(0, 2**63, 4_000_000, dtype=np.uint64))
    texts = np.array([f"{i * 7919 % 10**9:018d}张" for i in range(600_000)], dtype=object)
    pd.util.hash_array(texts, categorize=False)
    pd.factorize(texts)
    total = 0
    for i in range(1_500_000):
        total += i * i % 7
    np.ones(300 << 20, np.uint8).sum()
    return time.perf_counter() - t


def machine_speed() -> float:
    """The machine's speed now, as :func:`reference_seconds` (median of three after one
    to warm up; lower is faster). This virtual machine's speed has been seen to change by
    a quarter within an hour, every phase of a load with it: taken before and after each
    load, it tells a slower load from a slower machine."""
    reference_seconds()
    return statistics.median(reference_seconds() for _ in range(3))


def phase(name: str, store_dir: Path, data: Path, month: Path) -> dict:
    """Run one phase in this process and return its measurements."""
    from graph.ladybug_store import LadybugStore

    out: dict = {"phase": name}
    if name == "load":
        # The previous run's store is removed before the clock starts: a first load finds
        # no store to remove (a city's took 1.5 s, which the results up to a294cef count as load).
        t = time.perf_counter()
        shutil.rmtree(store_dir, ignore_errors=True)
        out["removed_seconds"] = time.perf_counter() - t
        out["machine"] = [machine_speed()]
    t = time.perf_counter()
    if name == "load":
        from loaders.load import load_dataset
        from loaders.stream import default_workers

        store = LadybugStore(store_dir)
        started = time.perf_counter()

        def progress(what: str, done: int, total: int) -> None:
            # each step's start, so that a load the machine cannot finish still tells how far it got
            if what != getattr(progress, "last", None):
                progress.last = what  # type: ignore[attr-defined]
                # the sampler's last reading: PSS read at each of a city's 114 chunk steps slowed the load
                print(f"STEP {time.perf_counter() - started:.1f} {sampler.last} {cpu_seconds() - cpu0:.1f} {what}", flush=True)
                sampler.step = what

        sampler = TreePeak()
        cpu0 = cpu_seconds()
        report = load_dataset(data, store, reset=True, progress=progress)
        # the end of the last step: seconds and busy core-seconds, as on the step lines
        out["end"] = [round(time.perf_counter() - started, 1), round(cpu_seconds() - cpu0, 1)]
        # the sampler looks every SAMPLE_SECONDS (or less often) and may miss a short peak the kernel counted
        out["tree_peak_mb"] = max(sampler.stop(), peak_mb())
        # where the highest sample fell: the step last started then (after the last
        # write step, the closing work of the load)
        out["peak_at"] = [round(sampler.peak_at, 1), sampler.peak, sampler.peak_step]
        out["sampler"] = [sampler.samples, round(sampler.cpu_seconds, 2)]
        out["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out["workers"] = default_workers()
        out["rows"] = sum(f.rows_read for f in report.files)
        out["payment_rows"] = sum(f.rows_read for f in report.files if f.kind == "payments")
        out["timings"] = {k: v for k, v in report.timings.items() if not k.startswith(("write:", "checkpoint:"))}
        out["timings"]["checkpoints"] = sum(v for k, v in report.timings.items() if k.startswith("checkpoint:"))
        writes = sorted(
            ((k.removeprefix("write:"), v) for k, v in report.timings.items() if k.startswith("write:")), key=lambda kv: -kv[1]
        )
        out["writes"] = writes[:6]
        out["counts"] = report.counts
        out["machine"].append(machine_speed())
    elif name == "scan":
        from scan.runner import run_scan, save_scan

        store = LadybugStore(store_dir)
        result = run_scan(store)
        save_scan(result, store.state_dir)
        out["models"] = [(r.code, r.rows, r.warnings, r.query_seconds + r.grade_seconds) for r in result.runs]
        out["warnings"] = len(result.warnings)
    elif name == "append":
        from loaders.load import load_dataset

        store = LadybugStore(store_dir)
        report = load_dataset(month, store, append=True)
        out["rows"] = sum(f.rows_read for f in report.files)
        out["added"] = report.inserted.get("Payment", 0)
        out["batch"] = report.batch
        out["load_seconds"] = time.perf_counter() - t
        out["timings"] = dict(report.timings)
        from scan.runner import run_scan, save_scan

        t2 = time.perf_counter()
        result = run_scan(store, since=report.batch)
        save_scan(result, store.state_dir)
        out["rescan_seconds"] = time.perf_counter() - t2
        out["incremental"] = result.incremental
        out["models"] = [(r.code, r.rows, r.warnings, r.query_seconds + r.grade_seconds) for r in result.runs]
    elif name == "ego":
        from workbench.access import Jurisdiction, ScopedStore
        from workbench.egonet import ego_map

        store = LadybugStore(store_dir, read_only=True)
        cadres = store.run("MATCH (c:Person)-[:HOLDS_OFFICE]->(:Village) RETURN DISTINCT c.pid AS pid ORDER BY pid")["pid"]
        view = ScopedStore(store, Jurisdiction())
        picks = cadres.iloc[:: max(1, len(cadres) // 100)].head(100).tolist()
        lat, sizes = [], []
        for pid in picks:
            t1 = time.perf_counter()
            m = ego_map(view, pid, depth=2)
            lat.append(time.perf_counter() - t1)
            sizes.append(len(m.nodes))
        lat.sort()
        out["lookups"] = len(lat)
        out["median"] = statistics.median(lat)
        out["p95"] = lat[int(0.95 * (len(lat) - 1))]
        out["nodes_median"] = statistics.median(sizes)
    out["pool_mb"] = store.pool_mb
    store.close()
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = peak_mb()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["demo", "county", "city"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--phases", default="load,scan,append,ego", help="comma-separated phases to run")
    args = ap.parse_args()
    work = ROOT / "bench" / "work"
    data = work / f"{args.scale}-{args.seed}"
    store_dir = work / f"scale-store-{args.scale}"
    month_dir = work / f"{args.scale}-{args.seed}-month"
    if args.phase:
        print("RESULT " + json.dumps(phase(args.phase, store_dir, data, month_dir)))
        return
    ensure_dataset(data, args.scale, args.seed)
    month_file(data, month_dir)
    # Each phase's result is kept as soon as it is known, so that a later phase that fails
    # (or a rerun of some phases, e.g. with another buffer pool) does not lose the others.
    saved = work / f"scale-{args.scale}-results.json"
    results: dict[str, dict] = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else {}
    if "load" in args.phases.split(","):
        results = {}  # a new store: the earlier phases' results are of another one
    for name in args.phases.split(","):
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, "--scale", args.scale, "--seed", str(args.seed), "--phase", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        steps = [x.split(" ", 4)[1:] for x in proc.stdout.splitlines() if x.startswith("STEP ")]
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            # e.g. killed by the kernel when memory ran out: what it reached, and its peak
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
            error = next((x for x in reversed(proc.stderr.splitlines()) if x.strip()), "")
            results[name] = {
                "failed": how, "error": error[:300], "seconds": time.perf_counter() - t, "peak_mb": peak, "steps": steps,
            }  # fmt: skip
            print(f"{name}: {how} after {results[name]['seconds']:.1f} s; stderr: {proc.stderr[-2000:]}", flush=True)
        else:
            results[name] = json.loads(line.removeprefix("RESULT "))
            results[name]["steps"] = steps
            print(f"{name}: {results[name]['seconds']:.1f} s, peak {results[name]['peak_mb']:,.0f} MB", flush=True)
        results[name]["at"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        saved.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        if "failed" in results[name] and name == "load":
            break  # no store to scan
    publish(table(args.scale, results), f"scale_{args.scale}")


def verdict(value: float, key: str, scale: str, unit: float = 1.0) -> str:
    """``≤ target: met`` or ``not met`` (``unit``: shown multiplied, e.g. 1000 for ms)."""
    target = TARGETS[key].get(scale)
    if target is None:
        return "—"
    return f"≤ {target * unit:g}: {'met' if value <= target else '**not met**'}"


def table(scale: str, r: dict[str, dict]) -> list[str]:
    """The result as Markdown lines."""
    runs = ", ".join(f"{k} {v['at']} (buffer pool {v.get('pool_mb', 0):,} MB)" for k, v in r.items() if "at" in v)
    lines = [
        f"# Scale benchmark — `{scale}`",
        "",
        f"{platform.machine()} · {len(os.sched_getaffinity(0))} cores · Python {platform.python_version()} · "
        "LadybugDB store · files read in chunks of 200,000 rows",
        "",
        f"Phases run: {runs}",
        "",
        "| phase | measure | value | target |",
        "|---|---|---:|---|",
    ]
    for name, ph in r.items():
        if "failed" in ph:
            lines += [
                f"| {name} | **did not finish**: {ph['failed']} ({ph.get('error', '')}) | after {ph['seconds']:.1f} s | "
                f"{verdict(ph['seconds'], 'load', scale) if name == 'load' else ''} |",
                f"| {name} | peak memory MB (largest phase process so far) | {ph['peak_mb']:,.0f} | |",
            ]
    r = {k: v for k, v in r.items() if "failed" not in v}
    if "load" in r:
        ld = r["load"]
        lines += [
            f"| load | rows read (all files) | {ld['rows']:,} | |",
            f"| load | of which payment rows | {ld['payment_rows']:,} | |",
            f"| load | seconds | {ld['seconds']:.1f} | {verdict(ld['seconds'], 'load', scale)} |",
            f"| load | rows/s | {ld['rows'] / ld['seconds']:,.0f} | |",
        ]
        if "removed_seconds" in ld:
            lines.append(f"| load | not counted: removing the previous run's store first, s | {ld['removed_seconds']:.1f} | |")
        if "machine" in ld:
            lines.append(
                "| load | not counted: the machine's speed, a fixed single-core workload's seconds before and after "
                f"the load (lower: faster; `reference_seconds`) | {', '.join(f'{x:.3f}' for x in ld['machine'])} | |"
            )
        at_s, at_mb, at_step = ld.get("peak_at", [0.0, 0, "(not recorded)"])
        if "tree_peak_mb" in ld:
            met = "met" if ld["tree_peak_mb"] <= 8192 else "**not met**"
            lines += [
                "| load | peak memory MB, all its processes together (their PSS, sampled; at least the main process's own RSS) | "
                f"{ld['tree_peak_mb']:,.0f} | ≤ 8,192: {met} |",
                f"| load | of which main process peak MB | {ld['peak_mb']:,.0f} | |",
                f"| load | highest sample: second, MB, step last started | {at_s:.1f} s, {at_mb:,} MB, {at_step} | |",
            ]
            if "sampler" in ld:
                # counted in the load's seconds: the sampler runs beside it, on the same cores
                lines.append(
                    "| load | the memory sampler's own cost, inside the load's seconds: readings, core-seconds | "
                    f"{ld['sampler'][0]:,}, {ld['sampler'][1]:.1f} | |"
                )
            lines += [
                f"| load | largest worker process peak RSS MB, pages shared with the main process included "
                f"({ld['workers']} workers read the files and make the payment tables) | "
                f"{ld['worker_peak_mb']:,.0f} | |",
            ]
        else:
            lines.append(f"| load | peak memory MB | {ld['peak_mb']:,.0f} | ≤ 8,192 |")
        for k in ("parse", "build", "resolve", "write", "checkpoints", "flush"):
            if k in ld["timings"]:
                lines.append(f"| load | of which {k} s | {ld['timings'][k]:.1f} | |")
        for table_name, secs in ld.get("writes", []):
            lines.append(f"| load | writing {table_name} s | {secs:.1f} | |")
    if "scan" in r:
        sc = r["scan"]
        total = sum(m[3] for m in sc["models"])
        lines.append(f"| scan | 12 models, seconds | {total:.1f} | {verdict(total, 'scan', scale)} |")
        lines.append(f"| scan | warnings | {sc['warnings']:,} | |")
        lines.append(f"| scan | peak memory MB | {sc['peak_mb']:,.0f} | |")
    if "append" in r:
        ap = r["append"]
        both = ap["load_seconds"] + ap["rescan_seconds"]
        lines += [
            f"| append | one month: rows read / payments added | {ap['rows']:,} / {ap['added']:,} | |",
            f"| append | load seconds (batch {ap['batch']}) | {ap['load_seconds']:.1f} | |",
        ]
        tm = ap.get("timings", {})  # results recorded before the append's timings were kept have none
        for what, secs in (
            ("reading the month", tm.get("parse")),
            ("COPY into the store", sum(v for k, v in tm.items() if k.startswith("write:")) if tm else None),
            ("checkpoints", sum(v for k, v in tm.items() if k.startswith("checkpoint:")) + tm.get("flush", 0.0) if tm else None),
        ):
            if secs is not None:
                lines.append(f"| append | of which {what} s | {secs:.1f} | |")
        lines += [
            f"| append | incremental rescan seconds (`--since {ap['batch']}`) | {ap['rescan_seconds']:.1f} | |",
            f"| append | load + rescan seconds | {both:.1f} | {verdict(both, 'append_rescan', scale)} |",
            f"| append | peak memory MB | {ap['peak_mb']:,.0f} | |",
        ]
    if "ego" in r:
        eg = r["ego"]
        lines += [
            f"| ego graph | lookups (cadres, depth 2) | {eg['lookups']} | |",
            f"| ego graph | median ms | {eg['median'] * 1000:.0f} | |",
            f"| ego graph | p95 ms | {eg['p95'] * 1000:.0f} | {verdict(eg['p95'], 'ego_p95', scale, 1000)} |",
            f"| ego graph | nodes on the map (median) | {eg['nodes_median']:.0f} | |",
        ]
    for key, title in (("scan", "Full scan"), ("append", "Incremental rescan after the appended month")):
        if key not in r:
            continue
        inc = set(r[key].get("incremental", []))
        lines += ["", f"**{title}**", "", "| model | evidence rows | warnings | seconds | mode |", "|---|---:|---:|---:|---|"]
        for code, rows, warns, secs in r[key]["models"]:
            mode = "new batch only" if code in inc else "full"
            lines.append(f"| {code} | {rows:,} | {warns:,} | {secs:.2f} | {mode} |")
    if "load" in r and "counts" in r["load"]:
        lines += ["", "Graph: " + ", ".join(f"{k} {v:,}" for k, v in r["load"]["counts"].items())]
    if "load" in r and r["load"].get("steps"):
        steps, end = r["load"]["steps"], r["load"].get("end")
        if end is not None and all(len(st) == 4 for st in steps):
            lines += [
                "",
                "Where the load's time went (phases from the step lines below; cores busy: the machine's busy "
                f"core-seconds over the phase's seconds, of {os.cpu_count()} cores):",
                "",
                "| phase | from s | seconds | cores busy |",
                "|---|---:|---:|---:|",
            ]
            for name, start, secs, cores in load_phases(steps, end):
                lines.append(f"| {name} | {start:.1f} | {secs:.1f} | {cores:.2f} |")
            marks = [(float(st[0]), float(st[2])) for st in steps] + [(float(end[0]), float(end[1]))]
            columns, head = "cores busy until the next line, step", "| s | MB | cores | step |\n|---:|---:|---:|---|"
            rows = [
                f"| {sec} | {mb} | {_cores(t1 - t0, c1 - c0)} | {what} |"
                for (sec, mb, _, what), (t0, c0), (t1, c1) in zip(steps, marks, marks[1:], strict=False)
            ]
        else:  # results recorded before the step lines held core-seconds
            columns, head = "step", "| s | MB | step |\n|---:|---:|---|"
            rows = [f"| {sec} | {mb} | {what} |" for sec, mb, what in steps]
        lines += ["", f"Load steps as they started (seconds, resident MB of the load and its workers, {columns}):", ""]
        lines += [*head.split("\n"), *rows]
    return lines


def _cores(seconds: float, busy: float) -> str:
    return f"{busy / seconds:.2f}" if seconds >= 1.0 else ""


def _phase_of(step: str, second_pass_seen: bool) -> str:
    """The phase of the load a step line belongs to (the loader's step names)."""
    if step.startswith("读取"):
        return "first pass: reading and normalising the files"
    if step == "构建关系图":
        return "build of the reference graph (identity resolution included)"
    if step in ("核对关系两端", "准备发放记录的上下文"):
        return "relationship ends checked; the payments' context"
    if step == "写入发放记录":
        return "second pass: the payment tables"
    if second_pass_seen:
        return "staged payment COPYs and their checkpoints"
    return "reference graph COPYs"


def load_phases(steps: list[list[str]], end: list[float]) -> list[tuple[str, float, float, float]]:
    """(phase, start s, seconds, cores busy) of a load, from its step lines (s, MB, busy
    core-seconds, step) and its end (s, busy core-seconds)."""
    out: list[list] = []
    seen = False
    for sec, _, cpu, what in steps:
        seen = seen or what == "写入发放记录"
        name = _phase_of(what, seen)
        if not out or out[-1][0] != name:
            out.append([name, float(sec), float(cpu)])
    bounds = [(float(start), float(cpu)) for _, start, cpu in out] + [(float(end[0]), float(end[1]))]
    return [
        (name, t0, t1 - t0, (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0)
        for (name, _, _), (t0, c0), (t1, c1) in zip(out, bounds, bounds[1:], strict=False)
    ]


if __name__ == "__main__":
    main()
