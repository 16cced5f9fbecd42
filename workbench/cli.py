"""``workbench``: load department files, scan for warnings, inspect the graph, generate demo data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="惠民惠农资金监督 图分析工作台 — 导入部门数据、运行检测模型生成分级预警、查看图谱统计、启动工作台、生成演示数据。",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(width=None if sys.stdout.isatty() else 160)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="图存储: ladybug:路径（默认 ladybug:data/graph，嵌入式）或 neo4j://主机:7687"
        "（账号取自环境变量 NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE）。也可用环境变量 WORKBENCH_STORE。",
    ),
]


def _open(store: str | None):
    from graph.store import open_store

    try:
        return open_store(store)
    except Exception as e:
        console.print(f"[red]无法打开图存储: {e}[/red]")
        raise typer.Exit(2) from None


def print_counts(counts: dict[str, int], title: str = "图谱统计") -> None:
    """Counts per node label and relationship type, with their Chinese labels."""
    from graph.schema import load_schema
    from workbench.overview import count_rows

    table = Table(title=title)
    table.add_column("类型")
    table.add_column("名称")
    table.add_column("中文")
    table.add_column("数量", justify="right")
    for kind, name, label, n in count_rows(load_schema(), counts):
        table.add_row(kind, name, label, f"{n:,}")
    console.print(table)


def print_report(report) -> None:
    """The load report: per file rows read = loaded + quarantined + duplicates."""
    table = Table(title=f"导入报告 {report.folder} → {report.store}")
    for col in ("文件", "类别", "编码", "读取", "导入", "隔离", "重复", "核对", "说明"):
        table.add_column(col, justify="right" if col in {"读取", "导入", "隔离", "重复"} else "left")
    for f in report.files:
        check = "✗ 文件错误" if f.error else ("✓" if f.balanced else "✗ 不平")
        note = f.error or "；".join(f.notes)
        table.add_row(
            f.file, f.kind, f.encoding, f"{f.rows_read:,}", f"{f.rows_loaded:,}",
            f"{f.rows_quarantined:,}", f"{f.duplicates:,}", check, note,
        )  # fmt: skip
    tot = [sum(getattr(f, a) for f in report.files) for a in ("rows_read", "rows_loaded", "rows_quarantined", "duplicates")]
    table.add_row("合计", "", "", *(f"{n:,}" for n in tot), "✓" if report.ok else "✗", "")
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]提示:[/yellow] {note}")
    phases = {"parse": "读取", "build": "建图", "write": "写入"}
    spent = "，".join(f"{label} {report.timings[k]:.1f}" for k, label in phases.items() if k in report.timings)
    console.print(f"隔离行报告: {report.quarantine_path}；用时 {report.seconds:.1f} 秒（{spent}）")


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="一个县的部门数据文件夹（CSV/XLSX，可含 dataset.yaml）")],
    store: StoreOpt = None,
    reset: Annotated[bool, typer.Option("--reset", help="先清空图存储再导入")] = False,
) -> None:
    """导入一个数据文件夹到图存储，打印导入报告（每个文件: 读取 = 导入 + 隔离 + 重复）。

    重复导入同一文件夹得到同一张图。有问题的行写入存储旁的 quarantine.csv（文件、行号、原始值、原因）。
    """
    from loaders.load import load_dataset
    from loaders.read import FileError

    graph = _open(store)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=True, disable=not sys.stderr.isatty(),
    ) as bar:  # fmt: skip
        task = bar.add_task("读取文件", total=None)

        def progress(what: str, i: int, n: int) -> None:
            bar.update(task, description=what, completed=i, total=n)

        try:
            report = load_dataset(folder, graph, reset=reset, progress=progress)
        except FileError as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from None
    print_report(report)
    print_counts(report.counts)
    graph.close()
    if any(f.error for f in report.files):
        raise typer.Exit(1)


@app.command()
def info(store: StoreOpt = None) -> None:
    """打印图存储中每种节点和关系的数量。"""
    graph = _open(store)
    console.print(f"图存储: {graph.uri}")
    print_counts(graph.counts())
    graph.close()


def print_summary(warnings, title: str = "预警汇总") -> None:
    """Count and amount per model and grade, with a total row."""
    from scan.runner import summary
    from scan.warnings import GRADE_LABELS

    table = Table(title=title)
    for col, right in (("模型", False), ("名称", False), ("等级", False), ("预警数", True), ("涉及金额(元)", True)):
        table.add_column(col, justify="right" if right else "left")
    rows = summary(warnings)
    for r in rows.itertuples(index=False):
        table.add_row(r.model, r.title, GRADE_LABELS[r.grade], f"{r.count:,}", f"{r.amount:,.2f}")
    table.add_row("合计", "", "", f"{len(warnings):,}", f"{float(warnings['amount'].sum()) if len(warnings) else 0:,.2f}")
    console.print(table)


def _params(values: list[str]) -> dict[str, int]:
    out = {}
    for v in values:
        name, sep, num = v.partition("=")
        if not sep or not num.strip().lstrip("-").isdigit():
            console.print(f"[red]参数应写作 名称=整数，例如 death_grace_days=30: {v}[/red]")
            raise typer.Exit(2)
        out[name.strip()] = int(num)
    return out


@app.command()
def scan(
    store: StoreOpt = None,
    models: Annotated[
        str | None,
        typer.Option("--models", help="只运行这些模型（代码以逗号分隔，如 RELATIVE_BENEFIT,SHARED_ACCOUNT）；默认全部12个"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="预警导出 CSV（UTF-8 带 BOM，列按 models.md），如 warnings.csv")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="模型参数 名称=整数，可多次给出: death_grace_days（默认30）、shared_account_min_persons（默认3）、"
            "split_window_days（默认365）",
        ),
    ] = None,
) -> None:
    """运行12个检测模型，生成分级预警（红/橙/黄），保存供工作台读取，打印汇总表。

    预警编号由模型代码和对象确定：重新导入同样的数据再扫描，编号不变。
    只扫描部分模型时，只替换这些模型的预警。
    """
    from scan.runner import run_scan, save_scan
    from scan.warnings import write_export

    graph = _open(store)
    codes = [c.strip().upper() for c in models.split(",") if c.strip()] if models else None
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=True, disable=not sys.stderr.isatty(),
    ) as bar:  # fmt: skip
        task = bar.add_task("扫描", total=None)

        def progress(model, i: int, n: int) -> None:
            bar.update(task, description=f"模型 {model.number} {model.title}", completed=i, total=n)

        try:
            result = run_scan(graph, codes, _params(param or []), progress=progress)
        except ValueError as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from None
    stored, _ = save_scan(result, graph.state_dir)
    graph.close()
    timing = Table(title=f"模型运行（{graph.uri}）")
    for col in ("模型", "名称", "证据行", "预警", "查询(秒)", "分级(秒)"):
        timing.add_column(col, justify="left" if col in ("模型", "名称") else "right")
    for r in result.runs:
        timing.add_row(r.code, r.title, f"{r.rows:,}", f"{r.warnings:,}", f"{r.query_seconds:.2f}", f"{r.grade_seconds:.2f}")
    console.print(timing)
    print_summary(stored[stored["model"].isin(result.models)])
    console.print(f"参数: {result.params}；用时 {result.seconds:.1f} 秒；预警已保存到 {graph.state_dir / 'warnings'}")
    if out:
        write_export(stored[stored["model"].isin(result.models)], out)
        console.print(f"预警导出: {out}")


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Argument(help="输出文件夹")],
    scale: Annotated[
        str, typer.Option(help="规模: demo（约5千人/3万笔）、county（约60万人/107万笔）、city（1600万笔）")
    ] = "demo",
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成同样的数据")] = 7,
) -> None:
    """生成一个虚构县的部门数据（含植入的12类问题线索、不应预警的近似情形和脏数据）。

    植入线索清单写在 OUT/truth/planted.csv，供扫描结果核对。
    """
    from synth.generator import SCALES, generate

    if scale not in SCALES:
        console.print(f"[red]未知规模 {scale}，可选: {', '.join(SCALES)}[/red]")
        raise typer.Exit(2)
    summary = generate(out, scale=scale, seed=seed)
    table = Table(title=f"演示数据 {out}（规模 {scale}，种子 {seed}）")
    table.add_column("文件")
    table.add_column("行数", justify="right")
    for name, n in summary.files.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    console.print(f"植入线索 {summary.planted} 条 → {out / 'truth' / 'planted.csv'}")


def serve_command(store: str, port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line that serves the workbench (headless, no usage statistics)."""
    app_py = Path(__file__).resolve().parent.parent / "app.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(app_py),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",  # air-gapped: nothing is sent anywhere
        "--client.toolbarMode", "minimal",  # no "Deploy" (to Streamlit's cloud) on an intranet
    ]  # fmt: skip


@app.command()
def serve(
    store: StoreOpt = None,
    port: Annotated[int, typer.Option(help="端口")] = 8501,
    address: Annotated[str, typer.Option(help="监听地址（内网服务器可用 0.0.0.0）")] = "127.0.0.1",
) -> None:
    """启动工作台（Streamlit）：预警总览、关系图谱、资金统计、证据包、图谱概况。"""
    import os
    import subprocess

    uri = store or os.environ.get("WORKBENCH_STORE") or "ladybug:data/graph"
    console.print(f"工作台: http://{address}:{port}  （图存储 {uri}；Ctrl+C 退出）")
    env = {**os.environ, "WORKBENCH_STORE": uri}
    raise typer.Exit(subprocess.call(serve_command(uri, port, address), env=env))


if __name__ == "__main__":
    app()
