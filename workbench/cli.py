"""``workbench``: load department files, scan for warnings, inspect the graph, generate demo data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

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


def _cli_audit(action: str, params: dict, count: int | None = None) -> None:
    """Audit a command-line action as the operating-system user."""
    import getpass

    from workbench.audit import append

    append(getpass.getuser(), "命令行", action, params, count)


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


class RateColumn(ProgressColumn):
    """Rows per second of the current step (empty until rich has measured a speed)."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} 行/秒" if speed else "")


def _bar() -> Progress:
    """The load and scan progress bar: step, bar, done/total, rows/s, elapsed, time left."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"), RateColumn(),
        TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(), console=console, transient=True,
        disable=not sys.stderr.isatty(),
    )  # fmt: skip


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="一个县的部门数据文件夹（CSV/XLSX，可含 dataset.yaml）")],
    store: StoreOpt = None,
    reset: Annotated[bool, typer.Option("--reset", help="先清空图存储再导入")] = False,
    append: Annotated[
        bool,
        typer.Option("--append", help="追加导入：只读取文件夹中的发放明细（如新一个月），已导入过的发放记录计为重复并跳过"),
    ] = False,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", help="发放明细每块读取的行数（内存随块大小而定，与文件大小无关）", min=1)
    ] = 200_000,
    resolve: Annotated[
        bool, typer.Option("--resolve/--no-resolve", help="身份解析：把身份证号无效的发放记录和无号申报亲属关联到人员")
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="并行读取文件、分块生成发放记录表的进程数（默认每个 CPU 核一个；数据量小时在本进程处理）", min=1
        ),
    ] = None,
) -> None:
    """导入一个数据文件夹到图存储，打印导入报告（每个文件: 读取 = 导入 + 隔离 + 重复）。

    重复导入同一文件夹得到同一张图。有问题的行写入存储旁的 quarantine.csv（文件、行号、原始值、原因）。
    发放明细分块读取（--chunk-rows），再大的文件内存也有上限；进度条显示每秒行数和剩余时间。
    数据量大时由多个进程并行读取文件、分块生成发放记录表（--workers，默认每核一个），结果与单进程相同；
    大于 128 MB 的 CSV 发放明细按字节分段由各进程同时读取，跨段重复的行仍计为重复。
    每次导入记为一个批次（workbench batches 列出）；--append 只追加新的发放明细（如新一个月），
    之后 workbench scan --since 批次号 只重算新批次能改变的内容。
    身份解析（默认开启）把身份证号无效的发放记录和无号申报亲属按分块比对、打分后关联到人员；
    得分接近或偏低的进入复核清单（workbench resolve review），复核结论在下次导入时生效。
    """
    from loaders.build import ResolveOptions
    from loaders.load import load_dataset
    from loaders.read import FileError
    from resolve.review import load_decisions

    graph = _open(store)
    with _bar() as bar:
        tasks: dict[str, object] = {}

        def progress(what: str, i: int, n: int) -> None:
            # one bar per step, so that rows/s and the time left are the step's own
            if what not in tasks:
                # finished steps go; files read side by side (--workers) keep a bar each
                for t in bar.tasks:
                    if t.finished or not t.description.startswith("读取"):
                        bar.update(t.id, visible=False)
                tasks[what] = bar.add_task(what, total=n)
            bar.update(tasks[what], completed=i, total=n)

        try:
            options = ResolveOptions(enabled=resolve, decisions=load_decisions() if resolve else [])
            report = load_dataset(
                folder,
                graph,
                reset=reset,
                progress=progress,
                resolution=options,
                chunk_rows=chunk_rows,
                append=append,
                workers=workers,
            )
        except (FileError, ValueError) as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from None
    print_report(report)
    print_counts(report.counts)
    added = report.inserted.get("Payment", 0)
    console.print(f"导入批次: {report.batch}（{'追加' if append else '导入'}）；新增发放记录 {added:,} 条")
    graph.close()
    _cli_audit(
        "load",
        {"folder": str(folder), "store": graph.uri, "reset": reset, "append": append, "resolve": resolve, "batch": report.batch},
        sum(report.counts.values()),
    )
    if any(f.error for f in report.files):
        raise typer.Exit(1)


@app.command("export-neo4j-import")
def export_neo4j_import(
    out: Annotated[Path, typer.Argument(help="输出文件夹（每类节点和关系一个表头文件和一个数据文件）")],
    store: StoreOpt = None,
    database: Annotated[str, typer.Option(help="Neo4j 数据库名")] = "neo4j",
) -> None:
    """把嵌入式图存储导出为 neo4j-admin database import 的 CSV 文件，打印导入命令（也写入 OUT/import.sh）。

    城市级首次导入（数千万节点和关系）用 neo4j-admin 离线导入，比经驱动分批写入快得多；
    之后每月的追加导入用 workbench load --append --store neo4j://…。
    """
    from graph.ladybug_store import LadybugStore
    from graph.neo4j_export import export_import_files

    graph = _open(store)
    if not isinstance(graph, LadybugStore):
        console.print("[red]只能从嵌入式存储（ladybug:路径）导出[/red]")
        raise typer.Exit(2)
    command, seconds = export_import_files(graph, out, database)
    counts = graph.counts()
    graph.close()
    table = Table(title=f"neo4j-admin 导入文件 {out}")
    for col in ("类型", "行数", "用时(秒)"):
        table.add_column(col, justify="left" if col == "类型" else "right")
    for name, secs in seconds.items():
        table.add_row(name, f"{counts.get(name, 0):,}", f"{secs:.2f}")
    console.print(table)
    console.print("停止 Neo4j 后运行（空库；workbench 连接时建立约束和索引）:")
    console.print(command, soft_wrap=True, markup=False)
    _cli_audit("export-neo4j-import", {"store": graph.uri, "out": str(out)}, sum(counts.values()))


@app.command()
def batches(store: StoreOpt = None) -> None:
    """列出导入批次：批次号、方式、时间、文件、读取/导入/隔离/重复行数、新增发放记录（最新在前）。"""
    graph = _open(store)
    df = graph.query("load/batches")
    graph.close()
    table = Table(title=f"导入批次（{graph.uri}）")
    left = ("方式", "开始时间", "文件")
    for col in ("批次", "方式", "开始时间", "用时(秒)", "读取", "导入", "隔离", "重复", "新增发放", "文件"):
        table.add_column(col, justify="left" if col in left else "right")
    for r in df.itertuples(index=False):
        table.add_row(
            str(r.bid), r.mode, r.started, f"{r.seconds:.1f}", f"{r.rows_read:,}", f"{r.rows_loaded:,}",
            f"{r.rows_quarantined:,}", f"{r.duplicates:,}", f"{r.payments_added:,}", r.files,
        )  # fmt: skip
    console.print(table)


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
    since: Annotated[
        int | None,
        typer.Option(
            "--since",
            help="增量扫描：逐笔判断的8个模型只查询该批次及以后追加导入的发放记录，与上次扫描保留的证据合并后重新分级；"
            "一卡多人、重复领取、互斥项目只重查新批次涉及的账户或人员，分户模型全量运行；"
            "各模型按CPU核数并行运行；"
            "该批次起有非追加的导入时全部全量运行（批次号见 workbench batches）",
            min=1,
        ),
    ] = None,
) -> None:
    """运行12个检测模型，生成分级预警（红/橙/黄），保存供工作台读取，打印汇总表。

    预警编号由模型代码和对象确定：重新导入同样的数据再扫描，编号不变。
    只扫描部分模型时，只替换这些模型的预警。--since 批次号：追加一个月后的增量扫描，结果与全量扫描相同。
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
            result = run_scan(graph, codes, _params(param or []), progress=progress, since=since)
        except ValueError as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(2) from None
    stored, _ = save_scan(result, graph.state_dir)
    graph.close()
    from workbench.cases import sync_warnings
    from workbench.db import engine

    synced = sync_warnings(engine(), stored)
    _cli_audit("scan", {"store": graph.uri, "models": result.models, "since": since, "cases": synced}, len(stored))
    timing = Table(title=f"模型运行（{graph.uri}）")
    for col in ("模型", "名称", "证据行", "预警", "查询(秒)", "分级(秒)"):
        timing.add_column(col, justify="left" if col in ("模型", "名称") else "right")
    for r in result.runs:
        timing.add_row(r.code, r.title, f"{r.rows:,}", f"{r.warnings:,}", f"{r.query_seconds:.2f}", f"{r.grade_seconds:.2f}")
    console.print(timing)
    print_summary(stored[stored["model"].isin(result.models)])
    console.print(f"参数: {result.params}；用时 {result.seconds:.1f} 秒；预警已保存到 {graph.state_dir / 'warnings'}")
    if since:
        which = "、".join(result.incremental) or "无（上次扫描的证据不可续用，或该批次起有非追加的导入，已全量运行）"
        console.print(f"增量扫描（自批次 {since}）: 只查询新批次的模型 {which}")
    console.print(
        f"案件记录: 新建 {synced['new']} 条，标记已消失 {synced['gone']} 条，恢复 {synced['back']} 条（已有案件的状态与意见保留）"
    )
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
    noise: Annotated[
        float, typer.Option(help="噪声比例：按此比例损坏身份证号与姓名（真值写入 truth/noise.csv，供身份解析评测）")
    ] = 0.0,
) -> None:
    """生成一个虚构县的部门数据（含植入的12类问题线索、不应预警的近似情形和脏数据）。

    植入线索清单写在 OUT/truth/planted.csv，供扫描结果核对。--noise 0.02 损坏 2% 的（人员, 项目）发放记录的身份证号
    （错一位、相邻颠倒、少一位、Excel 丢位）及部分姓名（同音字、形近字、异体字、繁体、空格），真值见 truth/noise.csv。
    """
    from synth.generator import SCALES, generate

    if scale not in SCALES:
        console.print(f"[red]未知规模 {scale}，可选: {', '.join(SCALES)}[/red]")
        raise typer.Exit(2)
    summary = generate(out, scale=scale, seed=seed, noise=noise)
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


# -- accounts, audit, case statistics ----------------------------------------------------------
user_app = typer.Typer(help="本地账户：新建、列出、停用/启用、重设密码。", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志：校验哈希链、按用户和日期查看。", no_args_is_help=True)
resolve_app = typer.Typer(help="身份解析：查看待复核的关联，确认或否定。", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(resolve_app, name="resolve")


def _password(given: str | None) -> str:
    if given:
        return given
    first = typer.prompt("密码", hide_input=True)
    if typer.prompt("再输入一次", hide_input=True) != first:
        console.print("[red]两次输入的密码不一致[/red]")
        raise typer.Exit(2)
    return first


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="角色，逗号分隔：investigator 调查员、case_officer 办案人员、supervisor 监督审核、admin 管理员",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="姓名（显示名）")] = "",
    where: Annotated[str, typer.Option("--jurisdiction", help="辖区：空或“全县”、乡镇名、或 乡镇/村")] = "",
    password: Annotated[str | None, typer.Option("--password", help="密码（不给则提示输入）")] = None,
    sso: Annotated[bool, typer.Option("--sso", help="单点登录账户（无本地密码）")] = False,
) -> None:
    """新建账户。"""
    from workbench.access import Jurisdiction, parse_roles
    from workbench.accounts import AccountError, add_user
    from workbench.db import engine

    try:
        roles, place = parse_roles(role), Jurisdiction.parse(where)
        account = add_user(engine(), username, name or username, roles, place, None if sso else _password(password))
    except (AccountError, ValueError) as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    _cli_audit("user_admin", {"op": "add", "username": username, "roles": sorted(roles), "jurisdiction": place.label()})
    console.print(f"已新建 {account.username}（{account.user().role_label()}，辖区 {place.label()}）")


@user_app.command("list")
def user_list() -> None:
    """列出全部账户（不显示密码哈希）。"""
    from workbench.accounts import list_accounts
    from workbench.db import engine

    table = Table(title="账户")
    for col in ("用户名", "姓名", "角色", "辖区", "状态", "登录方式", "连续失败"):
        table.add_column(col)
    for a in list_accounts(engine()):
        u = a.user()
        table.add_row(
            a.username, a.display_name, u.role_label(), a.jurisdiction.label(),
            "已停用" if a.disabled else "正常", "单点登录" if a.sso else "密码", str(a.failed_logins),
        )  # fmt: skip
    console.print(table)


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="用户名")],
    enable: Annotated[bool, typer.Option("--enable", help="重新启用")] = False,
) -> None:
    """停用账户（--enable 重新启用）。"""
    from workbench.accounts import AccountError, set_disabled
    from workbench.db import engine

    try:
        set_disabled(engine(), username, not enable)
    except AccountError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    _cli_audit("user_admin", {"op": "enable" if enable else "disable", "username": username})
    console.print(f"{username} 已{'启用' if enable else '停用'}")


@user_app.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument(help="用户名")],
    password: Annotated[str | None, typer.Option("--password", help="新密码（不给则提示输入）")] = None,
) -> None:
    """重设密码（同时解除登录锁定）。"""
    from workbench.accounts import AccountError, set_password
    from workbench.db import engine

    try:
        set_password(engine(), username, _password(password))
    except AccountError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    _cli_audit("user_admin", {"op": "passwd", "username": username})
    console.print(f"已重设 {username} 的密码")


@app.command("demo-users")
def demo_users(store: StoreOpt = None) -> None:
    """为演示建立（或重置）四个账户：每个角色一个，调查员限于第一个乡镇；打印随机生成的密码。"""
    from workbench.access import ROLE_LABELS, Jurisdiction, Role
    from workbench.accounts import upsert_demo_user
    from workbench.db import engine

    graph = _open(store)
    villages = graph.query("villages")
    graph.close()
    first_town = str(villages["town"].iloc[0]) if len(villages) else ""
    plan = [
        ("admin", "系统管理员", Role.ADMIN, Jurisdiction()),
        ("jiandu", "王监督", Role.SUPERVISOR, Jurisdiction()),
        ("banan", "李办案", Role.CASE_OFFICER, Jurisdiction()),
        ("diaocha", "赵调查", Role.INVESTIGATOR, Jurisdiction(first_town)),
    ]
    table = Table(title="演示账户（密码每次运行重新生成）")
    for col in ("用户名", "密码", "角色", "辖区"):
        table.add_column(col)
    for username, display, role, where in plan:
        password = upsert_demo_user(engine(), username, display, role, where)
        table.add_row(username, password, ROLE_LABELS[role], where.label())
        _cli_audit("user_admin", {"op": "demo", "username": username, "role": role.value})
    console.print(table)


@audit_app.command("verify")
def audit_verify(
    log: Annotated[Path | None, typer.Option("--log", help="日志文件（默认 WORKBENCH_AUDIT 或 data/audit.jsonl）")] = None,
) -> None:
    """校验审计日志的哈希链：任何一行被修改、删除或调换顺序都会被发现（退出码 1）。"""
    from workbench.audit import log_path, verify

    path = log or log_path()
    verdict = verify(path)
    if verdict.ok:
        console.print(f"[green]审计日志完好：{path}，{verdict.lines} 行，哈希链连续[/green]")
        return
    for problem in verdict.problems:
        console.print(f"[red]{problem}[/red]")
    console.print(f"[red]审计日志校验失败：{path}（{len(verdict.problems)} 处问题，共 {verdict.lines} 行）[/red]")
    raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    user: Annotated[str | None, typer.Option("--user", help="只看此用户")] = None,
    since: Annotated[str | None, typer.Option("--since", help="起始日期或时间，如 2026-11-01")] = None,
    action: Annotated[str | None, typer.Option("--action", help="只看此类操作，如 export、view_person")] = None,
    log: Annotated[Path | None, typer.Option("--log", help="日志文件")] = None,
) -> None:
    """按用户、日期、操作查看审计日志。"""
    import json

    from workbench.audit import ACTIONS, select

    rows = select(user, since, action, log)
    table = Table(title=f"审计日志（{len(rows)} 条）")
    for col in ("序号", "时间", "用户", "角色", "操作", "参数", "结果数"):
        table.add_column(col)
    for e in rows:
        params = json.dumps(e.get("params", {}), ensure_ascii=False, sort_keys=True)
        count = "" if e.get("count") is None else str(e["count"])
        act = ACTIONS.get(str(e.get("action")), str(e.get("action")))
        table.add_row(str(e.get("n")), str(e.get("time")), str(e.get("user")), str(e.get("role")), act, params, count)
    console.print(table)


@app.command()
def stats(
    where: Annotated[str, typer.Option("--jurisdiction", help="辖区：空或“全县”、乡镇名、或 乡镇/村")] = "",
) -> None:
    """核查成效：每个模型和等级的预警数、已核查数、属实数与属实率、追缴金额（线索到案件的漏斗）。"""
    from scan.warnings import GRADE_LABELS
    from workbench.access import Jurisdiction
    from workbench.cases import funnel, precision
    from workbench.db import engine
    from workbench.warnview import MODEL_TITLES

    place = Jurisdiction.parse(where)
    df = precision(engine(), place)
    table = Table(title=f"核查成效（{place.label()}）")
    for col in ("模型", "等级", "线索", "核查中", "已核查", "属实", "属实率", "追缴金额（元）"):
        table.add_column(col, justify="left" if col in ("模型", "等级") else "right")
    for r in df.itertuples(index=False):
        share = "—" if r[6] != r[6] else f"{r[6]:.0%}"  # NaN: nothing verified yet
        table.add_row(
            MODEL_TITLES.get(r[0], r[0]), GRADE_LABELS.get(r[1], r[1]), *(f"{int(v):,}" for v in r[2:6]), share, f"{r[7]:,.2f}"
        )
    console.print(table)
    steps = funnel(df) if len(df) else {}
    console.print("漏斗: " + " → ".join(f"{k} {v:,}" for k, v in steps.items()))


@resolve_app.command("review")
def resolve_review(
    store: StoreOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出已有复核结论的记录")] = False,
    full_id: Annotated[bool, typer.Option("--full-id", help="显示完整身份证号（默认脱敏）")] = False,
) -> None:
    """列出上次导入中身份解析未能自动决定的记录及其候选人（得分、依据、复核结论）。

    用 `workbench resolve decide 记录键 候选人员标识 confirm|reject` 给出结论；结论存入工作台数据库，下次导入时生效。
    """
    from resolve.review import VERDICTS, read_review
    from workbench.resolveview import KIND_LABELS
    from workbench.search import mask_id

    graph = _open(store)
    review = read_review(graph.state_dir)
    graph.close()
    if not all_:
        decided = set(review.loc[review["verdict"] != "", "mkey"])
        review = review[~review["mkey"].isin(decided)]
    shown = (lambda v: "" if v is None else str(v)) if full_id else (lambda v: mask_id(v) if v else "")
    table = Table(title=f"身份解析复核清单（{review['mkey'].nunique()} 条记录）")
    cols = ["记录键", "类别", "姓名", "原身份证号", "乡镇/村", "来源", "候选", "候选人", "候选身份证号", "得分", "依据"]
    for col in [*cols, "结论"]:
        table.add_column(col)
    for r in review.itertuples(index=False):
        table.add_row(
            r.mkey, KIND_LABELS.get(r.kind, str(r.kind)), str(r.name), shown(r.id_value), f"{r.town or ''}/{r.village or ''}",
            f"{r.src_file}:{r.src_line}", str(r.rank), str(r.candidate_name), shown(r.pid), f"{r.score:.3f}", str(r.reasons),
            VERDICTS.get(r.verdict, ""),
        )  # fmt: skip
    console.print(table)
    _cli_audit("resolve_review", {"store": store or "", "all": all_, "full_id": full_id}, len(review))


@resolve_app.command("decide")
def resolve_decide(
    mkey: Annotated[str, typer.Argument(help="记录键（见 resolve review）")],
    pid: Annotated[str, typer.Argument(help="候选人员标识（身份证号）")],
    verdict: Annotated[str, typer.Argument(help="confirm（确认为同一人）或 reject（不是同一人）")],
    note: Annotated[str, typer.Option(help="复核说明")] = "",
    store: StoreOpt = None,
) -> None:
    """记录对一条待复核关联的结论；下次导入（workbench load）时生效。"""
    import getpass

    from resolve.review import VERDICTS, ReviewError, decide

    graph = _open(store)
    try:
        d = decide(mkey, pid, verdict, getpass.getuser(), graph.state_dir, note)
    except ReviewError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    finally:
        graph.close()
    console.print(f"已记录：{mkey} → {pid}：{VERDICTS[d.verdict]}（下次导入时生效）")
    _cli_audit("resolve_decide", {"mkey": mkey, "pid": pid, "verdict": verdict}, 1)


if __name__ == "__main__":
    app()
