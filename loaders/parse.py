"""One department file → a table of normalised records plus its quarantined rows.

Normalisation runs once per distinct cell value (a county's million payment rows
hold a few dozen dates and a few thousand ID numbers), then is spread back over the
rows: that keeps a pure-Python normaliser fast enough for county-scale files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.contract import KINDS, Column, header_key
from loaders.normalize import (
    canonical_ids,
    clean_text,
    compact,
    day_number,
    normalise_id,
    normalise_name,
    normalise_texts,
    parse_amount,
    parse_bool,
    parse_date,
    parse_int,
    parse_period,
)
from loaders.read import FileError, RawTable, arrow_rows

#: Prefix marking an ID cell that XLSX stored as a number (a private-use character:
#: pandas drops NUL characters in string concatenation, so "\x00" would vanish).
NUMERIC_MARK = "\ue000"


@dataclass
class ParsedFile:
    """The outcome of loading one file: records, quarantine and counts for the report."""

    path: Path
    kind: str
    fid: int
    encoding: str = ""
    sha256: str = ""
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows_read: int = 0
    duplicates: int = 0
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    #: Seconds spent reading and normalising the file.
    seconds: float = 0.0
    #: Rows that became records when the file was read in chunks (its records are not kept).
    streamed_rows: int | None = None
    #: Read in chunks: the 64-bit hash of each record's row (its cells) and of each
    #: quarantined row, in their order, for telling rows repeated across byte ranges.
    row_hashes: np.ndarray | None = None
    quarantine_hashes: np.ndarray | None = None
    #: Payments read in chunks: for each record column still made of its normalised
    #: distinct values, (each record's code, those values); see stream.column_hashes
    coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None

    @property
    def name(self) -> str:
        """The file's name as reports and provenance show it."""
        return self.path.name

    @property
    def rows_loaded(self) -> int:
        """Rows that became records."""
        return len(self.records) if self.streamed_rows is None else self.streamed_rows


def file_id(name: str) -> int:
    """A stable integer id for a source file name, so a reload gives the same provenance."""
    return int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:7], "big")


def map_headers(
    headers: list[str], kind: str, extra_aliases: dict[str, list[str]], file_name: str
) -> tuple[dict[int, Column], list[str]]:
    """Match a file's headers to the kind's columns; FileError names a missing required column."""
    wanted: dict[str, Column] = {}
    for col in KINDS[kind]:
        for h in (col.canonical, *col.aliases, *extra_aliases.get(col.canonical, ())):
            wanted.setdefault(header_key(h), col)
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    ignored: list[str] = []
    for i, h in enumerate(headers):
        col = wanted.get(header_key(h))
        if col is None or col.field in seen:
            if str(h).strip():
                ignored.append(str(h).strip())
            continue
        mapping[i] = col
        seen.add(col.field)
    missing = [c for c in KINDS[kind] if c.required and c.field not in seen]
    if missing:
        names = "、".join(f"「{c.canonical}」" for c in missing)
        raise FileError(f"{file_name}: 缺少必填列 {names}（表头为: {', '.join(map(str, headers))}）")
    return mapping, ignored


def _date_fields(field_name: str) -> tuple[str, str]:
    return field_name, field_name.removesuffix("_date") + "_day"


def _parser(col: Column) -> tuple[list[str], Callable[[str], tuple[tuple, str | None]]]:
    """Output column names and a function cell-text → (outputs, error or None)."""
    req = f"缺少必填字段「{col.canonical}」"
    f = col.field

    def simple(fn: Callable[[str], Any]) -> Callable[[str], tuple[tuple, str | None]]:
        def run(text: str) -> tuple[tuple, str | None]:
            value = fn(text)
            if value == "":
                return ((None,), req if col.required else None)
            return ((value,), None)

        return run

    def guarded(fn: Callable[[str], Any]) -> Callable[[str], tuple[tuple, str | None]]:
        def run(text: str) -> tuple[tuple, str | None]:
            if not text.strip():
                return ((None,), req if col.required else None)
            try:
                return ((fn(text),), None)
            except ValueError as e:
                return ((None,), f"「{col.canonical}」{e}")

        return run

    if col.parse == "id":

        def run_id(key: str) -> tuple[tuple, str | None]:
            numeric = key.startswith(NUMERIC_MARK)
            info = normalise_id(key.removeprefix(NUMERIC_MARK), numeric)
            if not info.value:
                return ((None, False, None, None, None), req if col.required else None)
            birth = info.birth.isoformat() if info.birth else None
            return ((info.value, info.valid, info.problem or None, birth, info.sex or None), None)

        return [f, f"{f}_valid", f"{f}_problem", f"{f}_birth", f"{f}_sex"], run_id
    if col.parse == "date":

        def run_date(text: str) -> tuple[tuple, str | None]:
            if not text.strip():
                return ((None, None), req if col.required else None)
            try:
                d = parse_date(text)
            except ValueError as e:
                return ((None, None), f"「{col.canonical}」{e}")
            return ((d.isoformat(), day_number(d)), None)

        return list(_date_fields(f)), run_date
    parsers: dict[str, Callable[[str], tuple[tuple, str | None]]] = {
        "name": simple(normalise_name),
        "text": simple(clean_text),
        "code": simple(compact),
        "amount": guarded(parse_amount),
        "period": guarded(parse_period),
        "bool": guarded(parse_bool),
        "int": guarded(parse_int),
    }
    return [f], parsers[col.parse]


#: Entries per column kept in a streamed load's normaliser cache before it is emptied.
CACHE_LIMIT = 1_000_000


def _normalise_uniques(
    col: Column, names: list[str], fn: Callable[[str], tuple[tuple, str | None]], uniques: list[str], cache: dict | None
) -> tuple[list[np.ndarray], np.ndarray]:
    """The outputs (one array per output column) and the row error of each distinct value.

    The common spellings are normalised for the whole column at once: ID numbers already
    of 18 or 15 ASCII digits (:func:`canonical_ids`), codes that are plain ASCII, amounts
    written as plain decimals; names, free text and the other codes go through NFKC (and
    OpenCC) joined into one string. The rest goes through ``fn`` one by one, with ``cache``.
    """
    n = len(uniques)
    outs = [np.full(n, None, dtype=object) for _ in names]
    errs = np.full(n, None, dtype=object)
    todo = np.arange(n)
    if n and col.parse in ("id", "code", "amount"):
        texts = pa.array(uniques, pa.string())
    if col.parse == "id" and n:
        ids = canonical_ids(uniques, texts=texts)
        for k, part in enumerate((ids.value, ids.valid, ids.problem, ids.birth, ids.sex)):
            outs[k][ids.done] = part[ids.done]
        todo = np.flatnonzero(~ids.done)
    elif col.parse == "code" and n:
        # account numbers, household ids: ASCII without white space (Python's, which counts
        # \x1c-\x1f) is already what compact() returns (NFKC leaves ASCII as it is)
        plain = pc.and_(
            pc.and_(pc.string_is_ascii(texts), pc.invert(pc.match_substring_regex(texts, "[\t\n\v\f\r\x1c-\x1f ]"))),
            pc.greater(pc.utf8_length(texts), 0),
        )
        plain = plain.to_numpy(zero_copy_only=False)
        outs[0][plain] = np.asarray(uniques, dtype=object)[plain]
        todo = np.flatnonzero(~plain)
    elif col.parse == "amount" and n:
        # 1200, 1200.5, 2,150.00: the value parse_amount gives (a float of at most two
        # decimals is the nearest double either way); at most 15 digits, so that Decimal's
        # rounding never runs out of precision on the ones left to it
        plain = pc.match_substring_regex(texts, "^[0-9][0-9,]{0,18}(\\.[0-9]{1,2})?$")
        plain = pc.and_(plain, pc.less_equal(pc.utf8_length(pc.replace_substring(texts, ",", "")), 18))
        plain = plain.to_numpy(zero_copy_only=False)
        if plain.any():
            values = pc.cast(pc.replace_substring(texts.filter(pa.array(plain)), ",", ""), pa.float64())
            outs[0][plain] = values.to_numpy(zero_copy_only=False).astype(object)
        todo = np.flatnonzero(~plain)
    if not len(todo):
        return outs, errs
    texts_left = [uniques[i] for i in todo.tolist()]
    # names, free text, codes: normalised together, no cache (one call over the joined
    # values costs less than looking each up)
    values = normalise_texts(col.parse, texts_left)
    if values is not None:
        column = np.empty(len(values), dtype=object)
        column[:] = values
        empty = column == ""
        column[empty] = None
        outs[0][todo] = column
        if col.required:
            errs[todo[empty]] = f"缺少必填字段「{col.canonical}」"
        return outs, errs
    known = None
    if cache is not None:
        known = cache.setdefault(col.field, {})
        if len(known) > CACHE_LIMIT:
            known.clear()
    results = (
        [fn(u) for u in texts_left]
        if known is None
        else [known[u] if u in known else known.setdefault(u, fn(u)) for u in texts_left]
    )
    _put(outs, errs, todo.tolist(), results)
    return outs, errs


def _put(outs: list[np.ndarray], errs: np.ndarray, at: list[int], results: list[tuple[tuple, str | None]]) -> None:
    """Write normaliser results (outputs, error) at positions ``at``."""
    if not at:
        return
    for k, out in enumerate(outs):
        column = np.empty(len(at), dtype=object)
        column[:] = [r[0][k] for r in results]
        out[at] = column
    column = np.empty(len(at), dtype=object)
    column[:] = [r[1] for r in results]
    errs[at] = column


def parse_table(
    raw: RawTable,
    path: Path,
    kind: str,
    extra_aliases: dict[str, list[str]] | None = None,
    seen_rows: SeenHashes | None = None,
    cache: dict[str, dict[str, tuple]] | None = None,
) -> ParsedFile:
    """Normalise a file's rows into the kind's fields; bad rows go to quarantine.

    ``raw`` may be one chunk of a file read in chunks: ``seen_rows`` then holds the
    hashes of the rows of the file's earlier chunks (a row equal to one of them is a
    duplicate, as within one chunk), and ``cache`` keeps each column's normalised values
    from chunk to chunk (the same person's ID number and name recur every month).
    """
    out = ParsedFile(path, kind, file_id(path.name), raw.encoding, raw.sha256)
    out.rows_read = len(raw)
    mapping, ignored = map_headers(raw.headers, kind, extra_aliases or {}, path.name)
    if ignored:
        out.notes.append("忽略未知列: " + "、".join(ignored))
    width = len(raw.headers)
    cells = _Cells(raw)
    n_rows, n = len(raw), cells.width
    lines = np.asarray(raw.lines, dtype=np.int64)
    # Each column's distinct values, once: for the row hashes (every column, in chunks) and
    # for normalising (the mapped ones).
    hashing = seen_rows is not None and n_rows > 0
    factorized = {j: cells.factorize(j) for j in (range(n) if hashing else mapping)}
    # A duplicate row is one whose cells equal an earlier row's: counted, loaded once.
    if hashing:
        # one 64-bit hash per row serves both checks (within the chunk, against earlier
        # chunks); two different rows hashing alike in one file: odds ~ 1 in 10^7 at 16M rows.
        # The hash of a cell is its column's distinct value's: a chunk of 200k payment rows
        # took 0.28 s to hash every cell, 0.10 s this way.
        hashed = [pd.util.hash_array(np.asarray(u, dtype=object), categorize=False)[c] for c, u in factorized.values()]
        hashes = combine_hashes(hashed[:width])
        if len(hashed) > width:
            # cells beyond the header count only where a row has them: a chunk with one row
            # too wide pads the others with empty cells, which must not set them apart from
            # the same rows in other chunks (as over the whole file)
            wide = cells.beyond_header(width, strip=False)
            hashes[wide] = combine_hashes([hashes, *hashed[width:]])[wide]
        dup = seen_before(hashes, seen_rows)
    else:
        dup = cells.duplicated()
    out.duplicates = int(dup.sum())
    errors = np.full(n_rows, None, dtype=object)
    if n > width:
        errors[cells.beyond_header(width, strip=True)] = "本行列数多于表头"
    columns: dict[str, np.ndarray] = {}
    coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for j, col in mapping.items():
        codes, uniques = factorized[j]
        if col.parse == "id" and raw.numeric:
            values = cells.frame[j]
            flags = np.zeros(n_rows, bool)
            for r, c in raw.numeric:
                if c == j:
                    flags[r] = True
            codes, uniques = pd.factorize(values.mask(flags, NUMERIC_MARK + values).to_numpy(), use_na_sentinel=True)
        names, fn = _parser(col)
        outs, errs_u = _normalise_uniques(col, names, fn, list(uniques), cache)
        for name, out_u in zip(names, outs, strict=True):
            columns[name] = out_u[codes]
            coded[name] = (codes, out_u)
        errs = errs_u[codes]
        has = errs != None  # noqa: E711 - element-wise comparison on an object array
        both = has & (errors != None)  # noqa: E711
        errors[both] = errors[both] + "；" + errs[both]
        errors[has & ~both] = errs[has & ~both]
    for col in KINDS[kind]:  # optional columns absent from the file
        if col.field not in {c.field for c in mapping.values()}:
            for name in _parser(col)[0]:
                columns[name] = np.full(n_rows, None, dtype=object)
    bad = (errors != None) & ~dup  # noqa: E711
    header_texts = [str(h) for h in raw.headers]
    bad_rows = np.flatnonzero(bad)
    for i, row in zip(bad_rows.tolist(), cells.rows_at(bad_rows), strict=True):
        raw_values = {header_texts[j] if j < width else f"第{j + 1}列": row[j] for j in range(len(row))}
        out.quarantine.append({"file": path.name, "line": int(lines[i]), "kind": kind, "reason": errors[i], "raw": raw_values})
    keep = ~dup & ~bad
    if hashing:
        out.row_hashes, out.quarantine_hashes = hashes[keep], hashes[bad_rows]
    # object columns, not pandas' Arrow strings: later steps walk rows, which Arrow makes slow
    records = pd.DataFrame({k: v[keep] for k, v in columns.items()}, dtype=object)
    records["src_line"] = lines[keep]
    records["src_fid"] = out.fid
    if kind == "payments":
        # the header's cells only: a row too wide is quarantined, and the empty cells it pads the
        # other rows with must not change their ids (which then depended on the chunk)
        records = _payment_defaults(records, lambda rows: cells.joined_at(np.flatnonzero(keep)[rows], width, "\x1f"), path.name)
        if hashing:
            # the first pass hashes the records' content from their distinct values (the
            # columns _payment_defaults changed are not among those kept)
            changed = {"period", "period_year", "payment_id"}
            out.coded = {name: (codes[keep], values) for name, (codes, values) in coded.items() if name not in changed}
    out.records = records.reset_index(drop=True)
    return out


class _Cells:
    """A table's cells for :func:`parse_table`, from rows of text (a frame of objects,
    every row as wide as the widest) or from Arrow columns (every row as wide as the
    header, as the columnar CSV reader guarantees): only distinct values become Python
    objects then, where a frame makes one of every cell."""

    def __init__(self, raw: RawTable) -> None:
        self.columns = raw.columns
        if self.columns is not None:
            self.width = len(self.columns)
            return
        # every row as wide as the header and the widest row, short ones padded with empty
        # cells here (a city chunk of 200k rows: 4 ms to find none is short)
        width = max(len(raw.headers), max(map(len, raw.rows), default=0))
        rows = raw.rows if all(len(r) == width for r in raw.rows) else [[*r, *[""] * (width - len(r))] for r in raw.rows]
        self.frame = pd.DataFrame(rows, columns=range(width), dtype=object)
        self.width = width

    def factorize(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` as codes into its distinct values (in order of first appearance)."""
        if self.columns is None:
            # no cell is missing, so the NA sentinel changes nothing and skips pandas' NA mask
            return pd.factorize(self.frame[j].to_numpy(), use_na_sentinel=True)
        encoded = self.columns[j].dictionary_encode()
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp), encoded.dictionary.to_numpy(zero_copy_only=False)

    def beyond_header(self, width: int, strip: bool) -> np.ndarray:
        """Rows with a cell past the header's (one with text, if ``strip``)."""
        if self.columns is not None or self.width <= width:
            return np.zeros(len(self.frame) if self.columns is None else len(self.columns[0]), bool)
        extra = self.frame.iloc[:, width:]
        if strip:
            return extra.apply(lambda s: s.str.strip() != "").any(axis=1).to_numpy()
        return (extra != "").any(axis=1).to_numpy()

    def duplicated(self) -> np.ndarray:
        """Rows equal to an earlier row."""
        if self.columns is None:
            return self.frame.duplicated().to_numpy() if len(self.frame) else np.zeros(0, bool)
        if not len(self.columns) or not len(self.columns[0]):
            return np.zeros(0 if not self.columns else len(self.columns[0]), bool)
        codes = pd.DataFrame({j: self.factorize(j)[0] for j in range(self.width)})
        return codes.duplicated().to_numpy()

    def rows_at(self, rows: np.ndarray, width: int | None = None) -> list[list[str]]:
        """The cells of the rows at positions ``rows`` (the first ``width`` of each)."""
        width = self.width if width is None else width
        if not len(rows):
            return []
        if self.columns is None:
            return self.frame.iloc[rows, :width].to_numpy(dtype=object).tolist()
        at = pa.array(rows, pa.int64())
        return arrow_rows([c.take(at) for c in self.columns[:width]])

    def joined_at(self, rows: np.ndarray, width: int, sep: str) -> pa.Array:
        """The first ``width`` cells of the rows at positions ``rows``, each row's joined by
        ``sep`` (Arrow text: not made Python text, see :func:`derived_ids`)."""
        if not len(rows):
            return pa.array([], pa.string())
        if self.columns is None:
            return pa.array([sep.join(map(str, r)) for r in self.rows_at(rows, width)], pa.string())
        at = pa.array(rows, pa.int64())
        return pc.binary_join_element_wise(*(c.take(at) for c in self.columns[:width]), sep)


class SeenHashes(Protocol):
    """The 64-bit row hashes of earlier chunks (:class:`loaders.build.KeySet`: sorted
    arrays, not a Python set of ints, which took 75 ms a city chunk of 200k rows to
    probe and grow where the arrays take 30 ms, at a seventh of the memory)."""

    def has_hashes(self, hashes: np.ndarray) -> np.ndarray: ...

    def add_hashes(self, hashes: np.ndarray) -> None: ...


def seen_before(hashes: np.ndarray, seen: SeenHashes) -> np.ndarray:
    """Which of ``hashes`` repeat an earlier one, in the array or in ``seen`` (the hashes
    of earlier chunks); the others are added to ``seen``."""
    dup = pd.Series(hashes).duplicated().to_numpy() | seen.has_hashes(hashes)
    seen.add_hashes(hashes[~dup])
    return dup


def text_chunks(columns: list[pd.Series] | list[pa.Array | pa.ChunkedArray]) -> pa.ChunkedArray:
    """The columns (pandas, or Arrow already) one after the other as one Arrow array of
    text, each as it is (Arrow strings are linked, not copied; put together by pandas, one
    column of Python objects among them made all of them Python text)."""
    chunks: list[pa.Array] = []
    for values in columns:
        arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, from_pandas=True)
        arr = pa.nulls(len(arr), pa.large_string()) if pa.types.is_null(arr.type) else arr.cast(pa.large_string())
        chunks += arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    return pa.chunked_array(chunks, type=pa.large_string())


def text_codes(columns: list[pd.Series], missing: int | None = None) -> list[np.ndarray]:
    """An integer for each value of each column of text, alike for alike across the
    columns, in order of first appearance (one Arrow dictionary encoding of the columns
    one after the other: a city's 9M ids are coded once for every use of them). A
    missing value gets ``missing``, or a code of its own when that is None."""
    if not columns:
        return []
    # encoded chunk by chunk: the chunks share one dictionary and their codes run on from
    # each other, so the text need not be put in one piece first (a copy of a city's 9.4M
    # person ids at the build's highest point)
    encoded = text_chunks(columns).dictionary_encode(null_encoding="mask" if missing is not None else "encode")
    fill = missing if missing is not None else 0
    parts = [c.indices.fill_null(fill).to_numpy(zero_copy_only=False).astype(np.int64) for c in encoded.chunks]
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.split(codes, np.cumsum([len(c) for c in columns])[:-1])


def combine_hashes(columns: list[np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row from its cells' hashes, order-sensitive: the mixing of
    pandas' ``hash_pandas_object``, so that hashes saved beside a store made by pandas
    (:func:`loaders.stream.content_hash`) are made alike."""
    out = np.full(len(columns[0]), 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i, h in enumerate(columns):
        out ^= h
        out *= mult
        mult += np.uint64(82520 + 2 * (len(columns) - i))
    return out + np.uint64(97531)


def derived_ids(rows: pa.Array, prefix: str) -> list[str]:
    """The 流水号 derived for rows without one: "R" and the first 20 hex digits of the
    SHA-1 of ``prefix`` and the row's text (UTF-8). Hashed from Arrow's bytes, not from
    Python text encoded again: a city file without 流水号 (4.5M rows) spent 1.5 s a
    million rows here, two-thirds of it making, joining and encoding the text."""
    joined = pc.binary_join_element_wise(pa.scalar(prefix, pa.string()), rows.cast(pa.string()), "").cast(pa.large_binary())
    _, offsets, data = joined.buffers()
    if data is None:  # no bytes at all: every row's text is empty (and so is the prefix)
        data = pa.py_buffer(b"")
    at = np.frombuffer(offsets, dtype=np.int64)[joined.offset : joined.offset + len(joined) + 1].tolist()
    view, sha1 = memoryview(data), hashlib.sha1
    return ["R" + sha1(view[a:b]).hexdigest()[:20] for a, b in pairwise(at)]


def _payment_defaults(records: pd.DataFrame, raw_rows: Callable[[np.ndarray], pa.Array], file_name: str) -> pd.DataFrame:
    """Fill a payment's period from its pay date and derive an id for rows without 流水号
    (``raw_rows``: the header's cells of the records at the positions given, joined by
    "\\x1f")."""
    period = records["period"]
    records["period"] = period.where(period.notna(), _slice_text(records["pay_date"], 7))
    records["period_year"] = _slice_text(records["period"], 4)
    missing = records["payment_id"].isna().to_numpy()
    if missing.any():
        prefix = file_name + "\x1e"
        derived = derived_ids(raw_rows(np.flatnonzero(missing)), prefix)
        records.loc[missing, "payment_id"] = derived
    return records


def _slice_text(values: pd.Series, n: int) -> pd.Series:
    """The first ``n`` characters of each text (None stays None), cut once per distinct
    value: a chunk holds a few dozen dates and periods in 200k rows."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    cut = np.empty(len(uniques) + 1, dtype=object)
    cut[:-1] = [u[:n] for u in uniques]
    cut[-1] = None  # code -1: a missing value
    return pd.Series(cut[codes], index=values.index, dtype=object)


def quarantine_json(raw: dict[str, str]) -> str:
    """Raw values of a quarantined row as one JSON object (Chinese kept readable)."""
    return json.dumps(raw, ensure_ascii=False)


def typed_columns(records: pd.DataFrame) -> pd.DataFrame:
    """Columns of Python objects as typed columns: text as Arrow strings, whole numbers
    as Int64, flags as booleans. A city's 9M-row household register took about 15 GB as
    Python objects (some 70 bytes per ID number, 36 per day number, plus a pointer per
    cell), a third of that typed. Columns of mixed or no values stay as they are."""
    for c in records.columns:
        col = records[c]
        if col.dtype != object:
            continue
        kind = pd.api.types.infer_dtype(col, skipna=True)
        if kind == "string":
            records[c] = col.astype("str")
        elif kind == "integer":
            records[c] = col.astype("Int64")
        elif kind == "boolean":
            records[c] = col.astype(bool) if col.notna().all() else col.astype("boolean")
    return records
