"""Reading department files (CSV in UTF-8/BOM/GB18030, XLSX) into rows of text."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import mmap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv


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
    #: The cells column by column (Arrow strings, one per header cell), instead of ``rows``:
    #: what the columnar CSV reader gives (see :func:`iter_csv`).
    columns: list[pa.Array] | None = None

    def __len__(self) -> int:
        """Rows in the table."""
        return len(self.rows) if self.columns is None else len(self.lines)

    def sample_rows(self, n: int) -> list[list[str]]:
        """The first ``n`` rows as lists of text, whichever form the table holds."""
        if self.columns is None:
            return self.rows[:n]
        return arrow_rows([c.slice(0, n) for c in self.columns])


def sniff_csv(path: Path) -> tuple[str, str]:
    """The encoding (strict UTF-8, with or without BOM, else strict GB18030) and SHA-256
    of a CSV file, read in blocks so that a file larger than memory can be checked.

    Strict decoding in that order, never replacement characters; a file that is neither
    is a file error naming the byte where GB18030 fails.
    """
    digest = hashlib.sha256()
    if _is_utf8(_blocks(path), digest):
        with path.open("rb") as fh:
            head = fh.read(len(codecs.BOM_UTF8))
        return ("utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"), digest.hexdigest()
    bad = _gb18030_error(_blocks(path))
    if bad is not None:
        raise FileError(f"{path.name}: 无法识别的文字编码（既不是 UTF-8 也不是 GB18030，第 {bad} 字节）")
    return "gb18030", digest.hexdigest()


_BLOCK = 1 << 24


def _blocks(path: Path, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The bytes of a file from ``start`` to ``end`` (None: its end), :data:`_BLOCK` at a time."""
    with path.open("rb") as fh:
        fh.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            block = fh.read(_BLOCK if left is None else min(_BLOCK, left))
            if not block:
                return
            if left is not None:
                left -= len(block)
            yield block


def _is_utf8(blocks: Iterator[bytes], digest: hashlib._Hash | None = None) -> bool:
    """Whether the blocks are strict UTF-8, each checked up to its last line break (an
    ASCII byte is never inside a character) and the rest with the next; every block goes
    into ``digest`` when given (else the reading stops at the first bad block)."""
    is_utf8, rest = True, b""
    for block in blocks:
        if digest is not None:
            digest.update(block)
        elif not is_utf8:
            break
        if is_utf8:
            data = rest + block
            cut = data.rfind(b"\n") + 1
            is_utf8, rest = valid_utf8(memoryview(data)[:cut]), data[cut:]
    return is_utf8 and valid_utf8(rest)


def _gb18030_error(blocks: Iterator[bytes]) -> int | None:
    """The byte (counted from the first block) where strict GB18030 fails, or None."""
    gb = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    try:
        for block in blocks:
            gb.decode(block)
            offset += len(block)
        gb.decode(b"", final=True)
    except UnicodeDecodeError as e:
        return offset + e.start
    return None


def valid_utf8(data: bytes | memoryview) -> bool:
    """Whether ``data`` is strict UTF-8, as Python's decoder judges it (no surrogates, no
    overlong forms), checked by Arrow without making text of it: 0.35 s a city's 750 MB
    payment file, where decoding it took 1.3 s."""
    if not len(data):
        return True
    buf = pa.py_buffer(data)
    offsets = pa.py_buffer(np.array([0, buf.size], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buf]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def iter_csv(path: Path, chunk_rows: int | None = None) -> Iterator[RawTable]:
    """Read a CSV file in chunks of at most ``chunk_rows`` rows (``None``: one chunk).

    Every chunk carries the header, the physical line of each row, the encoding and the
    whole file's SHA-256; blank lines are skipped. At least one chunk is yielded, so a
    file with a header and no rows still has its columns checked. Memory is bounded by
    the chunk, not the file.

    Read in chunks, a file is parsed by Arrow's CSV reader block by block and its chunks
    hold columns (:attr:`RawTable.columns`); a block Arrow cannot take as it is (a quote,
    a NUL, a lone carriage return, a row of another width than the header) is read by
    Python's ``csv`` module as a whole file is, so rows, lines and errors are the same.
    """
    encoding, sha = sniff_csv(path)
    if chunk_rows:
        columnar = _iter_csv_columns(path, encoding, sha, chunk_rows)
        if columnar is not None:
            yield from columnar
            return
    yield from _iter_csv_rows(path, encoding, sha, chunk_rows)


def _iter_csv_rows(
    path: Path, encoding: str, sha: str, chunk_rows: int | None, offset: int = 0, start: int = 1, headers: list[str] | None = None
) -> Iterator[RawTable]:
    """Python's ``csv`` reader from byte ``offset`` (the start of physical line ``start``)."""
    rows: list[list[str]] = []
    lines: list[int] = []
    yielded = False
    with path.open("rb") as raw_fh:
        raw_fh.seek(offset)
        fh = io.TextIOWrapper(raw_fh, encoding=encoding if offset == 0 else encoding.removesuffix("-sig"), newline="")
        reader = csv.reader(fh)
        first = start
        try:
            for record in reader:
                line, start = start, first + reader.line_num
                if not _has_text(record):
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


def _has_text(record: list[str]) -> bool:
    # blank: no cell has anything but spaces. The first cell decides almost every row; the
    # joined cells decide the rest in one call (a generator over every cell of 23M rows
    # took 80 s of a city's first pass)
    return bool(record and (record[0].strip() or "".join(record).strip()))


#: Bytes the columnar reader parses at a time (some 200k rows of a payment file).
ARROW_BLOCK = 1 << 25


def _iter_csv_columns(path: Path, encoding: str, sha: str, chunk_rows: int) -> Iterator[RawTable] | None:
    """The columnar reading of :func:`iter_csv`, or None when the header line itself is
    one Arrow should not read (it holds a quote): then the whole file is read by Python."""
    with path.open("rb") as fh:
        first = fh.read(ARROW_BLOCK)
    head = _csv_header(first, len(first) < ARROW_BLOCK, encoding)
    if head is None:
        return None
    return _columns_after(path, encoding, sha, chunk_rows, *head)


def _csv_header(first: bytes, whole_file: bool, encoding: str) -> tuple[list[str], int, int] | None:
    """The header of a CSV file from its first block: its cells, the byte after its line
    and the physical line after it. None when Python's reader should read the file."""
    if encoding == "utf-8-sig":
        first = first.removeprefix(codecs.BOM_UTF8)
    skip = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    text_encoding = encoding.removesuffix("-sig")
    # the header: the first line with text. Found line by line in the first block; a header
    # line with a quote (it could run over lines) leaves the file to Python's reader
    pos, line = 0, 1
    while True:
        end = first.find(b"\n", pos)
        if end < 0 and not whole_file:
            return None  # a header line longer than a block: no file a department exports
        piece = first[pos:] if end < 0 else first[pos:end]
        if b'"' in piece or b"\r" in piece.rstrip(b"\r") or b"\x00" in piece:
            return None
        try:
            record = next(csv.reader([piece.decode(text_encoding)]), [])
        except (UnicodeDecodeError, csv.Error):
            return None
        if _has_text(record):
            return record, skip + (end + 1 if end >= 0 else len(first)), line + 1
        if end < 0:
            return None  # no header at all: Python's reader says so
        pos, line = end + 1, line + 1


class Unsplittable(Exception):
    """A byte range of a CSV file cannot be read apart from the rest of the file: a
    quoted cell runs over a line break, the header is one Arrow does not read, or the
    range's bytes are in neither encoding. The file is then read whole."""


#: A CSV payment file larger than this is read in byte ranges of at most about this
#: size, side by side (:func:`iter_csv_range`): a city's three 720 MB files read whole
#: left one worker reading the last of them alone for 24 s; in ranges of 256 MB (15 s
#: each) the last still ran alone for 17 s.
RANGE_BYTES = 128 * 2**20


def range_count(path: Path) -> int:
    """How many byte ranges :func:`iter_csv_range` reads a file in (1: whole)."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return 1
    return max(1, -(-path.stat().st_size // RANGE_BYTES))


def iter_csv_range(path: Path, chunk_rows: int, part: int, parts: int) -> Iterator[RawTable]:
    """The rows of the ``part``-th of ``parts`` byte ranges of a CSV file, in chunks as
    :func:`iter_csv` gives them, with their physical lines in the whole file. Each range
    but the first starts just after a line break near ``size * part / parts``.

    The chunks' encoding is that of the range's own bytes (the file's when every range
    says the same); the SHA-256 is the whole file's in the first range's chunks, empty in
    the others'. Rows repeated from an earlier range are not known here: the ranges'
    row hashes (:attr:`loaders.parse.ParsedFile.row_hashes`) tell them.

    Raises :class:`Unsplittable` where the range cannot be read apart from the file.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        start, end = (_line_start(fh, size * k // parts, size) for k in (part, part + 1))
        fh.seek(0)
        first = fh.read(ARROW_BLOCK)
    encoding = _range_encoding(path, 0 if part == 0 else start, end)
    if encoding == "utf-8" and first.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    head = _csv_header(first, len(first) < ARROW_BLOCK, encoding)
    if head is None:
        raise Unsplittable(f"{path.name}: 表头")
    headers, after, line = head
    # a range within the header (a small file cut in many) starts after it
    start, end = max(start, after), max(end, after)
    if part:
        line = _line_at(path, start)
    sha = _file_sha256(path) if part == 0 else ""
    yield from _columns_after(path, encoding, sha, chunk_rows, headers, start, line, end)


def _line_start(fh: io.BufferedReader, at: int, size: int) -> int:
    """The first byte at or after ``at`` that starts a line (``size`` when none does)."""
    if at <= 0:
        return 0
    if at >= size:
        return size
    fh.seek(at - 1)
    pos = at - 1
    while block := fh.read(1 << 16):
        nl = block.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(block)
    return size


def _line_at(path: Path, offset: int) -> int:
    """The physical line starting at byte ``offset`` (just after a line break): line
    breaks before it counted as Python's reader counts them (LF, CRLF, a lone CR).
    Counted by NumPy over the mapped file: reading and counting the bytes took 1 s for
    two thirds of a city's payment file, this 0.1 s."""
    if offset <= 0:
        return 1
    breaks = 0
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        data = np.frombuffer(mm, np.uint8, offset)
        try:
            for at in range(0, offset, _BLOCK):
                part = data[at : at + _BLOCK]
                breaks += int(np.count_nonzero(part == 10))
                cr = np.flatnonzero(part == 13) + at
                if len(cr):  # a lone CR (not before LF) is a line break too
                    after = cr + 1
                    lone = after >= offset
                    lone[~lone] = data[after[~lone]] != 10
                    breaks += int(lone.sum())
                del part
        finally:
            del data  # the map cannot close while NumPy holds it
    return 1 + breaks


def _range_encoding(path: Path, start: int, end: int) -> str:
    """UTF-8 when the bytes from ``start`` to ``end`` are strict UTF-8, else GB18030 when
    they are that; Unsplittable otherwise (the whole file's reading names the byte)."""
    if _is_utf8(_blocks(path, start, end)):
        return "utf-8"
    if _gb18030_error(_blocks(path, start, end)) is None:
        return "gb18030"
    raise Unsplittable(f"{path.name}: 编码")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    for block in _blocks(path):
        digest.update(block)
    return digest.hexdigest()


def _columns_after(
    path: Path, encoding: str, sha: str, chunk_rows: int, headers: list[str], offset: int, line: int, end: int | None = None
) -> Iterator[RawTable]:
    """Chunks of the rows after the header (at byte ``offset``, physical line ``line``),
    up to byte ``end`` (None: the file's end)."""
    width = len(headers)
    names = [f"c{i}" for i in range(width)]
    read_options = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=ARROW_BLOCK + (1 << 20))
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    pending: list[tuple[pa.Table | list[list[str]], np.ndarray]] = []
    held = 0
    yielded = False

    def take(n: int) -> RawTable:
        """The first ``n`` pending rows as one chunk: columns when all came from Arrow."""
        nonlocal held
        got: list[tuple[pa.Table | list[list[str]], np.ndarray]] = []
        need = n
        while need:
            piece, lines = pending[0]
            k = min(need, len(lines))
            if k == len(lines):
                pending.pop(0)
                got.append((piece, lines))
            else:
                got.append((piece[:k], lines[:k]))
                pending[0] = (piece[k:], lines[k:])
            need -= k
        held -= n
        lines = np.concatenate([g[1] for g in got]).tolist() if got else []
        if all(isinstance(g[0], pa.Table) for g in got):
            table = pa.concat_tables([g[0] for g in got]) if got else None
            columns = [table.column(i).combine_chunks() if table is not None else pa.array([], pa.string()) for i in range(width)]
            return RawTable(headers, [], lines, encoding, sha, columns=columns)
        rows: list[list[str]] = []
        for piece, _ in got:
            rows.extend(piece if isinstance(piece, list) else arrow_rows(piece.columns))
        return RawTable(headers, rows, lines, encoding, sha)

    for piece, lines in _pieces(path, encoding, sha, chunk_rows, headers, offset, line, read_options, convert, end):
        if len(lines):
            pending.append((piece, lines))
            held += len(lines)
        while held >= chunk_rows:
            yield take(chunk_rows)
            yielded = True
    if held or not yielded:
        yield take(held)


def _pieces(
    path: Path,
    encoding: str,
    sha: str,
    chunk_rows: int,
    headers: list[str],
    offset: int,
    line: int,
    read_options: pacsv.ReadOptions,
    convert: pacsv.ConvertOptions,
    end: int | None = None,
) -> Iterator[tuple[pa.Table | list[list[str]], np.ndarray]]:
    """The rows after the header a block at a time (an Arrow table, or lists of text),
    with their physical lines; up to byte ``end`` (just after a line break) when given."""
    text_encoding = encoding.removesuffix("-sig")
    with path.open("rb") as fh:
        fh.seek(offset)
        rest = b""
        pos = offset
        while True:
            data = fh.read(ARROW_BLOCK if end is None else min(ARROW_BLOCK, end - pos))
            pos += len(data)
            at_end = len(data) < ARROW_BLOCK if end is None else pos >= end
            data = rest + data
            cut = len(data) if at_end else data.rfind(b"\n") + 1
            if cut == 0 and not at_end:
                rest = data  # one line longer than a block: read on
                continue
            block, rest = data[:cut], data[cut:]
            parsed = None if b"\x00" in block else _parse_block(block, line, read_options, convert, text_encoding)
            if parsed is None:
                if end is not None:
                    raise Unsplittable(f"{path.name}: 第 {line} 行起的记录跨行")
                # a quoted cell holds a line break (or a NUL is in the block): from here on
                # the file is Python's, whose records may run over lines
                for piece in _iter_csv_rows(path, encoding, sha, chunk_rows, fh.tell() - len(data), line, headers):
                    yield piece.rows, np.asarray(piece.lines, dtype=np.int64)
                return
            rows, lines, line = parsed
            yield rows, lines
            if at_end:
                return


def _parse_block(
    block: bytes, line: int, read_options: pacsv.ReadOptions, convert: pacsv.ConvertOptions, text_encoding: str
) -> tuple[pa.Table | list[list[str]], np.ndarray, int] | None:
    """One block of whole lines starting at physical line ``line``: its rows (an Arrow
    table, or lists of text where Arrow cannot take them), their lines, and the line after
    the block. None when a quoted cell runs over a line break (Arrow reads line by line).

    Lines with a quote are read by Python's reader too, each alone; the block is Arrow's
    only when it reads them alike (``"2,150.00"`` is; a stray quote mid-cell may not be)."""
    if not block:
        return [], np.zeros(0, np.int64), line
    original = block
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    if len(ends) == 0 or ends[-1] != len(block) - 1:
        ends = np.append(ends, len(block))  # the file's last line, without a line break
    starts = np.concatenate(([0], ends[:-1] + 1))
    n_lines = len(ends)
    if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
        return _python_block(block, line, text_encoding)  # a lone CR ends a line for Python
    length = ends - starts - (data[np.maximum(ends - 1, 0)] == 13) * (ends > starts)
    filled = length > 0
    numbers = line + np.flatnonzero(filled)
    if not filled.all():  # empty lines: Arrow would read them as rows of one cell
        block = b"".join(block[s : e + 1] for s, e in zip(starts[filled].tolist(), ends[filled].tolist(), strict=True))
    if text_encoding != "utf-8":
        try:
            block = block.decode(text_encoding).encode("utf-8")
        except UnicodeDecodeError:
            return _python_block(original, line, text_encoding)
    try:
        table = pacsv.read_csv(io.BytesIO(block), read_options=read_options, convert_options=convert) if len(numbers) else None
    except pa.ArrowInvalid:  # a row wider or narrower than the header
        return _python_block(original, line, text_encoding)
    if table is None:
        return [], np.zeros(0, np.int64), line + n_lines
    if table.num_rows != len(numbers):
        return _python_block(original, line, text_encoding)
    quoted = np.flatnonzero(data == 34)
    if len(quoted):
        at = np.unique(np.searchsorted(ends, quoted))  # the lines holding a quote
        rank = np.cumsum(filled) - 1  # their rows in the table
        texts = [original[s : e + 1].decode(text_encoding) for s, e in zip(starts[at].tolist(), ends[at].tolist(), strict=True)]
        python = [next(csv.reader(io.StringIO(t if t.endswith("\n") else t + "\n", newline="")), []) for t in texts]
        if any("\n" in c or "\r" in c for r in python for c in r):
            return None
        if arrow_rows(table.take(pa.array(rank[at])).columns) != python:
            return _python_block(original, line, text_encoding)
    # rows whose cells are all blank (",,, ,"): skipped, as Python's reader does
    first = table.column(0).combine_chunks().dictionary_encode()
    blank_first = np.asarray([not u.strip() for u in first.dictionary.to_pylist()], dtype=bool)
    maybe = np.flatnonzero(blank_first[first.indices.to_numpy(zero_copy_only=False)]) if blank_first.any() else []
    if len(maybe):
        keep = np.ones(table.num_rows, bool)
        keep[maybe] = [bool("".join(r).strip()) for r in arrow_rows(table.take(pa.array(maybe)).columns)]
        table, numbers = table.filter(pa.array(keep)), numbers[keep]
    return table, numbers.astype(np.int64), line + n_lines


def _python_block(block: bytes, line: int, text_encoding: str) -> tuple[list[list[str]], np.ndarray, int] | None:
    """A block read by Python's ``csv`` reader, as :func:`_iter_csv_rows` reads a file;
    None when a record runs over a line break (it may run on past the block)."""
    reader = csv.reader(io.StringIO(block.decode(text_encoding), newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    start = line
    for record in reader:
        at, start = start, line + reader.line_num
        if reader.line_num - (at - line) > 1 or any("\n" in c or "\r" in c for c in record):
            return None
        if _has_text(record):
            rows.append(record)
            lines.append(at)
    return rows, np.asarray(lines, dtype=np.int64), line + reader.line_num


def arrow_rows(columns: list[pa.Array] | list[pa.ChunkedArray]) -> list[list[str]]:
    """Columns of text (Arrow) as rows: lists of cells."""
    return [list(r) for r in zip(*(c.to_pylist() for c in columns), strict=True)]


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
