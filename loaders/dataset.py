"""Finding the files of a dataset folder and their kinds (file stem or ``dataset.yaml``).

``dataset.yaml`` (optional) names files, kinds, sheets and extra header aliases::

    files:
      低保发放2021.xlsx: {kind: payments, sheet: 发放明细}
      民政死亡名单.csv: deaths
    aliases:
      payments:
        姓名: [收款人]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from loaders.contract import KINDS, kind_of_filename
from loaders.read import FileError

SUFFIXES = {".csv", ".xlsx", ".xlsm"}


@dataclass
class FileEntry:
    """One file to load."""

    path: Path
    kind: str
    sheet: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Dataset:
    """The files of a folder, in load order, and the files passed over."""

    folder: Path
    files: list[FileEntry]
    skipped: list[str]
    errors: list[str]


def discover(folder: Path) -> Dataset:
    """List the loadable files of ``folder`` with their kinds, in the contract's kind order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileError(f"{folder}: 不是一个文件夹")
    config: dict = {}
    cfg_path = folder / "dataset.yaml"
    if cfg_path.is_file():
        try:
            config = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise FileError(f"dataset.yaml: 格式错误（{e}）") from None
    declared: dict[str, dict] = {}
    errors: list[str] = []
    for name, spec in (config.get("files") or {}).items():
        spec = {"kind": spec} if isinstance(spec, str) else dict(spec or {})
        if spec.get("kind") not in KINDS:
            errors.append(f"dataset.yaml: 文件 {name} 的数据类别 {spec.get('kind')!r} 不存在（可选: {', '.join(KINDS)}）")
            continue
        if not (folder / name).is_file():
            errors.append(f"{name}: dataset.yaml 中列出的文件不存在")
            continue
        declared[name] = spec
    aliases = {k: {h: list(v) for h, v in (a or {}).items()} for k, a in (config.get("aliases") or {}).items()}
    files: list[FileEntry] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        spec = declared.get(path.name)
        kind = spec["kind"] if spec else kind_of_filename(path.stem)
        if kind is None:
            skipped.append(f"{path.name}: 无法从文件名判断数据类别，已跳过（可在 dataset.yaml 中指定）")
            continue
        files.append(FileEntry(path, kind, (spec or {}).get("sheet"), aliases.get(kind, {})))
    order = {k: i for i, k in enumerate(KINDS)}
    files.sort(key=lambda e: (order[e.kind], e.path.name))
    return Dataset(folder, files, skipped, errors)
