"""The ``workbench`` command line: load, info, demo-data, help."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in ("load", "info", "scan", "serve", "demo-data"):
        assert cmd in result.output


def test_load_prints_the_report_and_counts_then_info_agrees(tiny_dir: Path, tmp_path: Path) -> None:
    store = f"ladybug:{tmp_path / 'g'}"
    result = runner.invoke(app, ["load", str(tiny_dir), "--store", store, "--reset"])
    assert result.exit_code == 0, result.output
    assert "导入报告" in result.output
    total = next(line for line in result.output.splitlines() if "合计" in line)
    assert [c.strip() for c in total.split("│")[4:8]] == ["44", "37", "5", "2"]
    assert "隔离行报告" in result.output
    info = runner.invoke(app, ["info", "--store", store])
    assert info.exit_code == 0
    person = next(line for line in info.output.splitlines() if "Person" in line)
    assert person.split("│")[4].strip() == "15"

    out = tmp_path / "w.csv"
    scan = runner.invoke(app, ["scan", "--store", store, "--out", str(out), "--models", "INVALID_ID,DECEASED_RECIPIENT"])
    assert scan.exit_code == 0, scan.output
    assert "预警汇总" in scan.output
    total = next(line for line in scan.output.splitlines() if "合计" in line)
    assert [c.strip() for c in total.split("│")[4:6]] == ["2", "600.00"]  # 钱七 500 + 赵六 100
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "g" / "warnings" / "warnings.parquet").is_file()  # beside the store
    bad = runner.invoke(app, ["scan", "--store", store, "--models", "NOPE"])
    assert bad.exit_code == 2 and "未知的模型代码" in bad.output


def test_a_file_error_is_reported_and_exits_1(tiny_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(tiny_dir, folder)
    (folder / "deaths.csv").write_text("姓名,身份证号\n赵六,370123194002200914\n", encoding="utf-8")
    result = runner.invoke(app, ["load", str(folder), "--store", f"ladybug:{tmp_path / 'g'}"])
    assert result.exit_code == 1
    assert "deaths.csv: 缺少必填列 「死亡日期」" in result.output.replace("\n", "")


def test_unknown_store_exits_2(tiny_dir: Path) -> None:
    result = runner.invoke(app, ["info", "--store", "mysql://x"])
    assert result.exit_code == 2
    assert "无法识别的图存储地址" in result.output


def test_unknown_scale_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo-data", str(tmp_path), "--scale", "planet"])
    assert result.exit_code == 2
