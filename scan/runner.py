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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from graph.store import GraphStore
from scan.models import EVIDENCE_LINKS, MODELS, Model, select
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
) -> ScanResult:
    """Run the chosen models (all by default) and grade their rows into warnings."""
    models = select(codes)
    given = dict(params or {})
    unknown = set(given) - set(default_params())
    if unknown:
        raise ValueError("未知的模型参数: " + ", ".join(sorted(unknown)))
    values = {**default_params(), **given}
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    warnings: list[Warning] = []
    runs: list[ModelRun] = []
    for i, m in enumerate(models):
        if progress:
            progress(m, i, len(models))
        mp = {k: values[k] for k in m.defaults}
        t = time.perf_counter()
        rows = m.rows(store, mp)
        tq = time.perf_counter() - t
        found = m.grade(m, rows, mp)
        runs.append(ModelRun(m.code, m.title, len(rows), len(found), tq, time.perf_counter() - t - tq))
        warnings.extend(found)
    _add_links(store, warnings)
    used = {k: v for k, v in values.items() if any(k in m.defaults for m in models)}
    return ScanResult(warnings, runs, used, started, time.perf_counter() - t0, [m.code for m in models])


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
    meta = {
        "started": result.started,
        "seconds": round(result.seconds, 3),
        "models": result.models,
        "params": result.params,
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
