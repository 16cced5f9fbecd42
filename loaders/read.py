"""Reading department files (CSV in UTF-8/BOM/GB18030, XLSX) into rows of text."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


class FileError(Exception):
    """A whole file cannot be loaded; the message names the file and the problem."""


@dataclass
class RawTable:
    """A file's cells as text, with the line (CSV) or sheet row (XLSX) of every row."""

    headers: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    sha256: str
    #: (row index, column index) of XLSX cells stored as numbers.
    numeric: set[tuple[int, int]] = field(default_factory=set)


def sniff_csv(path: Path) -> tuple[str, str]:
    """The encoding (strict UTF-8, with or without BOM, else strict GB18030) and SHA-256
    of a CSV file, read in blocks so that a file larger than memory can be checked.

    Strict decoding in that order, never replacement characters; a file that is neither
    is a file error naming the byte where GB18030 fails.
    """
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, head = True, b""
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            head = head or block[:3]
            if is_utf8:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        return ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), digest.hexdigest()
    gb = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    with path.open("rb") as fh:
        try:
            while block := fh.read(_BLOCK):
                gb.decode(block)
                offset += len(block)
            gb.decode(b"", final=True)
        except UnicodeDecodeError as e:
            raise FileError(
                f"{path.name}: 无法识别的文字编码（既不是 UTF-8 也不是 GB18030，第 {offset + e.start} 字节）"
            ) from None
    return "gb18030", digest.hexdigest()


_BLOCK = 1 << 24


def iter_csv(path: Path, chunk_rows: int | None = None) -> Iterator[RawTable]:
    """Read a CSV file in chunks of at most ``chunk_rows`` rows (``None``: one chunk).

    Every chunk carries the header, the physical line of each row, the encoding and the
    whole file's SHA-256; blank lines are skipped. At least one chunk is yielded, so a
    file with a header and no rows still has its columns checked. Memory is bounded by
    the chunk, not the file.
    """
    encoding, sha = sniff_csv(path)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    yielded = False
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            for record in reader:
                line, start = start, reader.line_num + 1
                # blank: no cell has anything but spaces. The first cell decides almost every
                # row; the joined cells decide the rest in one call (a generator over every
                # cell of 23M rows took 80 s of a city's first pass)
                if not (record and (record[0].strip() or "".join(record).strip())):
                    continue
                if headers is None:
                    headers = record
                    continue
                rows.append(record)
                lines.append(line)
                if chunk_rows and len(rows) >= chunk_rows:
                    yield RawTable(headers, rows, lines, encoding, sha)
                    yielded = True
                    rows, lines = [], []
        except csv.Error as e:
            raise FileError(f"{path.name}: 第 {start} 行 CSV 格式错误（{e}）") from None
    if headers is None:
        raise FileError(f"{path.name}: 文件为空（没有表头）")
    if rows or not yielded:
        yield RawTable(headers, rows, lines, encoding, sha)


def read_csv(path: Path) -> RawTable:
    """Read a CSV file; blank lines are skipped, line numbers are physical lines."""
    return next(iter_csv(path))


def _cell_text(value: object) -> tuple[str, bool]:
    """An XLSX cell as text, and whether it was stored as a number."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), True
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    return str(value), False


def read_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    """Read the first sheet (or ``sheet``) of a workbook; line numbers are sheet rows."""
    from python_calamine import CalamineWorkbook

    data = path.read_bytes()
    try:
        book = CalamineWorkbook.from_path(str(path))
        name = sheet or book.sheet_names[0]
        if name not in book.sheet_names:
            raise FileError(f"{path.name}: 没有名为「{name}」的工作表（有: {', '.join(book.sheet_names)}）")
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except FileError:
        raise
    except Exception as e:  # calamine raises its own error types for broken workbooks
        raise FileError(f"{path.name}: 无法读取工作表（{e}）") from None
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    numeric: set[tuple[int, int]] = set()
    for r, raw_row in enumerate(cells, start=1):
        converted = [_cell_text(v) for v in raw_row]
        texts = [t for t, _ in converted]
        if not any(t.strip() for t in texts):
            continue
        if headers is None:
            headers = texts
            continue
        for c, (_, is_num) in enumerate(converted):
            if is_num:
                numeric.add((len(rows), c))
        rows.append(texts)
        lines.append(r)
    if headers is None:
        raise FileError(f"{path.name}: 工作表「{name}」为空（没有表头）")
    return RawTable(headers, rows, lines, "xlsx", hashlib.sha256(data).hexdigest(), numeric)


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read a ``.csv`` or ``.xlsx`` file into text rows."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, sheet)
    raise FileError(f"{path.name}: 不支持的文件格式 {suffix}（只接受 .csv 和 .xlsx）")


def iter_table(path: Path, sheet: str | None = None, chunk_rows: int | None = None) -> Iterator[RawTable]:
    """A file's rows in chunks of at most ``chunk_rows``: CSV streamed from disk; a
    workbook (at most 1,048,576 rows by Excel's own limit) read whole, then sliced."""
    if path.suffix.lower() == ".csv":
        yield from iter_csv(path, chunk_rows)
        return
    whole = read_table(path, sheet)
    step = chunk_rows or max(len(whole.rows), 1)
    for lo in range(0, max(len(whole.rows), 1), step):
        hi = lo + step
        numeric = {(r - lo, c) for r, c in whole.numeric if lo <= r < hi}
        yield RawTable(whole.headers, whole.rows[lo:hi], whole.lines[lo:hi], whole.encoding, whole.sha256, numeric)
