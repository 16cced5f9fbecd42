"""Run the models against a store, keep the warnings where the workbench reads them.

Warnings are stored beside the store (``<state_dir>/warnings/``) as two Parquet tables
— the warnings and their evidence rows — plus ``scan.json`` (when, which models, the
parameters used, time per model). Scanning a subset of models replaces only those
models' warnings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from graph.schema import APPEND_MODE
from graph.store import GraphStore
from loaders.stream import default_workers
from scan.models import EVIDENCE_LINKS, MODELS, Kept, Model, select
from scan.warnings import EXPORT_COLUMNS, GRADES, Warning, evidence_frame, sort_warnings, warnings_frame

WARNINGS_DIR = "warnings"


@dataclass
class ModelRun:
    """What one model did in a scan."""

    code: str
    title: str
    rows: int
    warnings: int
    query_seconds: float
    grade_seconds: float


@dataclass
class ScanResult:
    """The warnings of one scan and how it went."""

    warnings: list[Warning]
    runs: list[ModelRun]
    params: dict[str, int]
    started: str
    seconds: float
    models: list[str] = field(default_factory=list)
    #: The evidence rows (and summaries) of the incremental models, kept for the next
    #: ``--since`` scan.
    rows: dict[str, Kept] = field(default_factory=dict)
    #: The newest load batch the scan saw, and the batch it started from (0: a full scan).
    batch: int = 0
    since: int = 0
    #: Models whose rows came from the new batches only (the rest ran in full).
    incremental: list[str] = field(default_factory=list)


def default_params() -> dict[str, int]:
    """Every model parameter with its models.md default."""
    out: dict[str, int] = {}
    for m in MODELS:
        out.update(m.defaults)
    return out


def run_scan(
    store: GraphStore,
    codes: list[str] | None = None,
    params: dict[str, int] | None = None,
    progress: Callable[[Model, int, int], None] | None = None,
    since: int | None = None,
    workers: int | None = None,
) -> ScanResult:
    """Run the chosen models (all by default) and grade their rows into warnings.

    ``since`` (a batch number): the models whose rule looks at one payment at a time
    query only the payments of batch ``since`` and later, and add their rows to the rows
    the last scan kept (beside the store); SHARED_ACCOUNT, which pairs one account's
    payments, queries again only the accounts those batches paid and replaces their rows;
    DUPLICATE_RECEIPT and EXCLUSIVE_PROGRAMS merge those batches' groups into the summary
    the last scan kept and query again only the people whose groups now hold two values.
    The warnings are graded again from all rows, so they equal a full scan's.
    HOUSEHOLD_SPLIT runs in full.
    ``workers``: models run side by side (default: one per core in an incremental scan,
    one at a time in a full scan).
    A model the last scan did not run with the same parameters, or a last scan older
    than batch ``since`` - 1, runs in full too.
    """
    models = select(codes)
    given = dict(params or {})
    unknown = set(given) - set(default_params())
    if unknown:
        raise ValueError("未知的模型参数: " + ", ".join(sorted(unknown)))
    values = {**default_params(), **given}
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    batch = store.highest("load/last_batch")
    kept = _kept_rows(store.state_dir, since, values) if since and _appends_only(store, since) else {}

    def one(m: Model) -> tuple[Kept, list[Warning], ModelRun]:
        mp = {k: values[k] for k in m.defaults}
        t = time.perf_counter()
        # kept holds incremental models only
        state = m.scan(store, mp, since or 0, kept[m.code]) if m.code in kept else m.scan(store, mp)
        tq = time.perf_counter() - t
        found = m.grade(m, state.rows, mp)
        return state, found, ModelRun(m.code, m.title, len(state.rows), len(found), tq, time.perf_counter() - t - tq)

    # An incremental scan's queries read the new batches' payments, each on about one core:
    # two side by side, a city month's rescan took 6.4–7.0 s instead of 8.9–9.5 s. A full
    # scan stays one model at a time: its joins over every payment take gigabytes each.
    n = workers if workers is not None else (default_workers() if kept else 1)
    done = _each(models, one, n, progress, _longest_first(models, store.state_dir) if n > 1 else None)
    warnings = [w for _, found, _ in done for w in found]
    runs = [run for *_, run in done]
    kept_rows = {m.code: state for m, (state, _, _) in zip(models, done, strict=True) if m.incremental}
    incremental = [m.code for m in models if m.code in kept]
    _add_links(store, warnings)
    used = {k: v for k, v in values.items() if any(k in m.defaults for m in models)}
    return ScanResult(
        warnings, runs, used, started, time.perf_counter() - t0, [m.code for m in models], kept_rows, batch, since or 0,
        incremental,
    )  # fmt: skip


def _longest_first(models: list[Model], state_dir: Path) -> list[int]:
    """The models' positions, those the last scan spent longest on first: side by side, a
    long model started last would finish alone (a city month's rescan: SHELL_HOUSEHOLD
    and SHARED_ACCOUNT, 3–4 s each, are the eighth and ninth model). Models the last scan
    did not run come first, in their order."""
    spent = {r["code"]: r["query_seconds"] + r["grade_seconds"] for r in load_scan_meta(state_dir).get("runs", [])}
    return sorted(range(len(models)), key=lambda i: -spent.get(models[i].code, float("inf")))


def _each(
    models: list[Model],
    fn: Callable[[Model], tuple[Kept, list[Warning], ModelRun]],
    workers: int,
    progress: Callable[[Model, int, int], None] | None,
    order: list[int] | None = None,
) -> list[tuple[Kept, list[Warning], ModelRun]]:
    """``fn`` of every model, returned in the models' order, on ``workers`` threads (the
    store gives each thread its own connection), started in ``order`` (positions; default
    the models' order). ``progress`` is called from this thread only (a Streamlit page's
    widgets cannot be updated from another): one at a time, as each model starts (the one
    running, counting those done); side by side, as each finishes."""
    if workers <= 1 or len(models) <= 1:
        out = []
        for i, m in enumerate(models):
            if progress:
                progress(m, i, len(models))
            out.append(fn(m))
        return out
    results: dict[int, tuple[Kept, list[Warning], ModelRun]] = {}
    with ThreadPoolExecutor(min(workers, len(models))) as pool:
        futures = {pool.submit(fn, models[i]): i for i in (order or range(len(models)))}
        for f in as_completed(futures):
            i = futures[f]
            results[i] = f.result()
            if progress:
                progress(models[i], len(results), len(models))
    return [results[i] for i in range(len(models))]


ROWS_DIR = "rows"
#: A model's summary beside its kept rows (Arrow IPC: a city's 2.7M groups in 0.1 s).
SUMMARY_SUFFIX = ".summary.arrow"


def _kept_files(state_dir: Path, code: str) -> tuple[Path, Path]:
    """Where a scan keeps a model's rows and its summary for the next ``--since`` scan."""
    rows = warnings_dir(state_dir) / ROWS_DIR / f"{code}.pkl"
    return rows, rows.with_suffix(SUMMARY_SUFFIX)


def _appends_only(store: GraphStore, since: int) -> bool:
    """Whether every load from batch ``since`` on was an append (payments only): a load of
    reference files may change any payment's rows, so the scan after it runs in full."""
    batches = store.query("load/batches")
    later = batches[batches["bid"] >= since]
    return len(later) > 0 and bool((later["mode"] == APPEND_MODE).all())


def _kept_rows(state_dir: Path, since: int, values: dict[str, int]) -> dict[str, Kept]:
    """The incremental models' rows (and summaries) the last scan kept, if they can be
    extended from batch ``since`` on: the last scan saw batch ``since`` - 1 and ran them
    with these parameters."""
    meta = load_scan_meta(state_dir)
    out = {}
    for code, seen in meta.get("model_batch", {}).items():
        path, summary = _kept_files(state_dir, code)
        model = next(m for m in MODELS if m.code == code)
        same = all(meta.get("params", {}).get(k) == values[k] for k in model.defaults)
        has_summary = model.summary is None or summary.is_file()
        if model.incremental and same and int(seen) >= since - 1 and path.is_file() and has_summary:
            kept = Kept(pd.read_pickle(path))
            if model.summary is not None:
                kept.summary = pd.read_feather(summary)
            out[code] = kept
    return out


def _add_links(store: GraphStore, warnings: list[Warning]) -> None:
    """Give each evidence payment counted through identity resolution its link: the row's own
    ID value, the score and the reasons (they land in the evidence's ``detail``)."""
    ids = sorted({str(p) for w in warnings for p in w.evidence["pay_id"]})
    if not ids:
        return
    links = store.query(EVIDENCE_LINKS, pay_ids=ids)
    if links.empty:
        return
    links = links.drop_duplicates("pay_id").set_index("pay_id")
    for w in warnings:
        hit = w.evidence["pay_id"].isin(links.index)
        if not hit.any():
            continue
        for col in links.columns:
            if col not in w.evidence:
                w.evidence[col] = w.evidence["pay_id"].map(links[col])


def warnings_dir(state_dir: Path) -> Path:
    return Path(state_dir) / WARNINGS_DIR


def save_scan(result: ScanResult, state_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Store the scan's warnings (replacing those of the models it ran) and return all stored ones."""
    folder = warnings_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    new_w, new_e = warnings_frame(result.warnings), evidence_frame(result.warnings)
    old_w, old_e = load_warnings(state_dir)
    keep_w = old_w[~old_w["model"].isin(result.models)]
    keep_e = old_e[~old_e["model"].isin(result.models)]
    all_w = sort_warnings(pd.concat([keep_w, new_w], ignore_index=True) if len(keep_w) else new_w)
    all_e = pd.concat([keep_e, new_e], ignore_index=True) if len(keep_e) else new_e
    all_w.to_parquet(folder / "warnings.parquet", index=False)
    all_e.to_parquet(folder / "evidence.parquet", index=False)
    (folder / ROWS_DIR).mkdir(exist_ok=True)
    for code, kept in result.rows.items():
        path, summary = _kept_files(state_dir, code)
        kept.rows.to_pickle(path)
        if kept.summary is not None:
            kept.summary.reset_index(drop=True).to_feather(summary, compression="uncompressed")
        else:
            summary.unlink(missing_ok=True)
    old_meta = load_scan_meta(state_dir)
    # a partial scan keeps the other models' parameters and rows as the last full one left them
    models = sorted(set(result.models) | set(old_meta.get("models", [])), key=[m.code for m in MODELS].index)
    meta = {
        "started": result.started,
        "seconds": round(result.seconds, 3),
        "models": models,
        "params": {**old_meta.get("params", {}), **result.params},
        "batch": result.batch,
        # the newest batch each model has seen (a --since scan may extend its rows)
        "model_batch": {**old_meta.get("model_batch", {}), **dict.fromkeys(result.models, result.batch)},
        "since": result.since,
        "incremental": result.incremental,
        "runs": [r.__dict__ for r in result.runs],
    }
    (folder / "scan.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return all_w, all_e


def load_warnings(state_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored warnings and evidence (empty tables before the first scan)."""
    folder = warnings_dir(state_dir)
    if not (folder / "warnings.parquet").is_file():
        return pd.DataFrame(columns=EXPORT_COLUMNS), evidence_frame([])
    return pd.read_parquet(folder / "warnings.parquet"), pd.read_parquet(folder / "evidence.parquet")


def load_scan_meta(state_dir: Path) -> dict:
    """``scan.json`` of the last scan, or ``{}``."""
    path = warnings_dir(state_dir) / "scan.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def summary(warnings: pd.DataFrame) -> pd.DataFrame:
    """Count and amount per model and grade, in model and grade order, with a total row."""
    order = {m.code: m.number for m in MODELS}
    titles = {m.code: m.title for m in MODELS}
    if warnings.empty:
        return pd.DataFrame(columns=["model", "title", "grade", "count", "amount"])
    g = warnings.groupby(["model", "grade"], sort=False).agg(count=("warning_id", "size"), amount=("amount", "sum"))
    g = g.reset_index()
    g["title"] = g["model"].map(titles)
    g["_m"] = g["model"].map(order)
    g["_g"] = g["grade"].map({k: i for i, k in enumerate(GRADES)})
    g = g.sort_values(["_m", "_g"]).drop(columns=["_m", "_g"])
    return g[["model", "title", "grade", "count", "amount"]].reset_index(drop=True)
