"""Payment files in chunks: memory bounded by the chunk, not the file, and appends.

A city pays 16M rows over three years; a county adds a month at a time. Payment files
are therefore never held whole:

1. **First pass** (:func:`read_files`): each file is read ``chunk_rows`` rows at a
   time, normalised (with a cache of normalised values that survives from chunk to
   chunk), and the records of each chunk are spilled to a temporary folder. What the
   build needs from all of them is kept small: the reference rows of identity
   resolution (one row per person, place, household and account), the mentions to
   resolve, and two 64-bit hashes per row (payment id, content) with its file and line.
   Large inputs are read by one worker process per core, largest first, a file per
   process, but for large CSV payment files, read in byte ranges side by side
   (:func:`loaders.read.iter_csv_range`) and put together as one file's pass
   (:func:`_join_ranges`); the household register's records come back through spilled
   files, one a chunk.
2. **Clashes** (:func:`find_clashes`): a 流水号 seen before, in this load or in the
   store (``payment_keys/`` beside it, rebuilt from the store when it does not match),
   is a duplicate when the content is the same and quarantined when it differs —
   the contract's rule, found with one vectorised pass over the hashes.
3. **Second pass** (:func:`write_payments`): each spilled chunk gets its identity links
   and its payments' numbers (``pay_no``, the Payment key, in load order), becomes the
   tables :func:`loaders.build.payment_tables` makes (only nodes no earlier chunk made)
   and is handed to the store's :meth:`GraphStore.staged`: LadybugDB stages
   each table's pieces in one Parquet file and copies each file once at the end (one
   COPY of 13.6M payments, not 68 that each grow the table), Neo4j inserts each piece as
   it comes; the homes of people placed by their earliest payment are corrected at the
   end if a later chunk held an earlier payment.

The result equals a load of the same files in one chunk (a test holds it to that).
Two different 流水号 hashing alike (odds about 1 in 10^5 at 16M rows) would be taken for
a clash; the content hash then decides duplicate or quarantine, so no row is lost silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import multiprocessing as mp
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

import numpy as np
import numpy.lib.format as npformat
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph.store import STAGED_PARQUET, GraphStore
from loaders.build import (
    CONTEXT_KEYS,
    KeySet,
    PaymentContext,
    PaymentParts,
    PaymentSummary,
    add_payment_parts,
    apply_payment_links,
    hash_text,
    payment_parts,
    use_keys,
)
from loaders.dataset import FileEntry
from loaders.parse import ParsedFile, combine_hashes, file_id, parse_table, seen_before, typed_columns
from loaders.read import FileError, RawTable, Unsplittable, iter_csv_range, iter_table, range_count, read_table
from resolve.records import MENTION_COLUMNS, payment_mentions

#: Rows per chunk: about 0.5 GB of normalised records at its peak.
CHUNK_ROWS = 200_000
#: Folders beside the store, one ``.npy`` file an array (earlier versions: one ``.npz`` file).
KEYS_FILE = "payment_keys"
CONTEXT_FILE = "context_keys"
PAYMENT_CONTENT = [
    "program", "department", "name", "id_number", "household_id", "town", "village",
    "amount", "pay_date", "period", "account_number", "account_holder",
]  # fmt: skip
_REFERENCE_COLUMNS = ["id_number", "id_number_valid", "name", "town", "village", "household_id", "account_number"]
_REFERENCE_TEXT = {c: "str" for c in _REFERENCE_COLUMNS if c != "id_number_valid"}
_REFERENCE_HASHED = [c for c in _REFERENCE_COLUMNS if c != "id_number_valid"]

Progress = Callable[[str, int, int], None]
#: Takes a chunk's records instead of the parse result (see parse_reference_file).
Spill = Callable[[pd.DataFrame], None]


@dataclass
class PaymentKeys:
    """Per payment row: hashes of its 流水号 and content, its file and line (in load order)."""

    id_hash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    content_hash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    fid: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.id_hash)

    @classmethod
    def of(cls, records: pd.DataFrame, hashed: dict[str, np.ndarray] | None = None) -> PaymentKeys:
        """The keys of normalised payment records (or of Payment nodes read back);
        ``hashed``: the content columns' hashes when already made (:func:`column_hashes`)."""
        return cls(
            id_hash=hash_text(records["payment_id"].to_numpy(dtype=object)),
            content_hash=content_hash(records, hashed),
            fid=records["src_fid"].astype(np.int64).to_numpy(),
            line=records["src_line"].astype(np.int64).to_numpy(),
        )

    @classmethod
    def concat(cls, parts: list[PaymentKeys]) -> PaymentKeys:
        """One table of keys, in the order of ``parts``."""
        if not parts:
            return cls()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("id_hash", "content_hash", "fid", "line")))

    def parked(self, folder: Path) -> PaymentKeys:
        """The keys written to ``folder`` and mapped back: the same values, whose pages the
        system may drop until they are read again (a city's 13.6M rows are 435 MB of the
        load's memory through the build and the reference graph's COPYs, where they are
        not looked at)."""
        self.save(folder)
        parked = PaymentKeys.read(folder)
        assert parked is not None
        return parked

    def save(self, path: Path) -> None:
        """Write the keys (a city's 16M rows: 512 MB)."""
        save_arrays(path, {f: getattr(self, f) for f in _KEY_FIELDS})

    def save_after(self, path: Path, prior: PaymentKeys) -> None:
        """Write ``prior`` followed by these keys, where ``prior`` are the keys saved at
        ``path`` now: only these are written when the files hold exactly ``prior`` (a
        city's month appends 141k rows to 13.6M; writing them all again took a second)."""
        if not append_arrays(path, {f: getattr(self, f) for f in _KEY_FIELDS}, after=len(prior)):
            # a first load's keys written as they are (mapped: no copy of a city's 435 MB)
            (PaymentKeys.concat([prior, self]) if len(prior) else self).save(path)

    @classmethod
    def read(cls, path: Path) -> PaymentKeys | None:
        """The keys saved beside a store (mapped, read as they are used), or None."""
        saved = read_arrays(path, _KEY_FIELDS)
        if saved is None or len({len(a) for a in saved.values()}) != 1:
            return None
        return cls(*(saved[f] for f in _KEY_FIELDS))


_KEY_FIELDS = ("id_hash", "content_hash", "fid", "line")


def save_arrays(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Each array as ``<name>.npy`` in ``folder``. Each file is written beside and renamed
    into place, so arrays mapped from the old files stay valid while the new ones are written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, a in arrays.items():
        part = folder / f"{name}.npy.part"
        with part.open("wb") as fh:
            np.save(fh, np.ascontiguousarray(a))
        os.replace(part, folder / f"{name}.npy")
    folder.with_suffix(".npz").unlink(missing_ok=True)  # an earlier version's file: replaced


_NPY_HEADERS = {
    (1, 0): (npformat.read_array_header_1_0, npformat.write_array_header_1_0),
    (2, 0): (npformat.read_array_header_2_0, npformat.write_array_header_2_0),
}


def append_arrays(folder: Path, arrays: dict[str, np.ndarray], after: int) -> bool:
    """Add each array's values to the end of ``<name>.npy`` in ``folder`` in place (the
    files :func:`save_arrays` wrote; one dimension, same dtype), where each file holds
    ``after`` rows now. The values go after the header's last row and the header is
    rewritten last, so a file cut short by a crash still reads as it was. False, with
    nothing written, when a file cannot take them (missing, another length or dtype, or
    a header that would change length): then save again."""
    plan = []
    for name, a in arrays.items():
        path = folder / f"{name}.npy"
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            version = npformat.read_magic(fh)
            if version not in _NPY_HEADERS:
                return False
            read_header, write_header = _NPY_HEADERS[version]
            shape, fortran, dtype = read_header(fh)
            offset = fh.tell()
        a = np.ascontiguousarray(a)
        if shape != (after,) or fortran or dtype != a.dtype:
            return False
        header = io.BytesIO()
        # numpy pads a header so that a longer first dimension still fits in it
        write_header(header, {"descr": npformat.dtype_to_descr(dtype), "fortran_order": False, "shape": (shape[0] + len(a),)})
        if len(header.getvalue()) != offset:
            return False
        plan.append((path, a, offset + shape[0] * dtype.itemsize, header.getvalue()))
    for path, a, end, header in plan:
        with path.open("r+b") as fh:
            fh.seek(end)
            fh.truncate()
            fh.write(a.tobytes())
            fh.flush()
            os.fsync(fh.fileno())
            fh.seek(0)
            fh.write(header)
    return True


def read_arrays(folder: Path, names: Iterable[str]) -> dict[str, np.ndarray] | None:
    """The arrays :func:`save_arrays` wrote, mapped read-only: a city's payment keys (435 MB)
    took 4.5 s to read through a ``.npz`` zip file, and most of them are never looked at.
    Falls back on the ``.npz`` file of an earlier version; None when neither has them all."""
    names = list(names)
    if all((folder / f"{n}.npy").is_file() for n in names):
        return {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in names}
    old = folder.with_suffix(".npz")
    if not old.is_file():
        return None
    with np.load(old) as z:
        return {n: z[n] for n in names} if set(names) <= set(z.files) else None


def content_hash(records: pd.DataFrame, hashed: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """A 64-bit hash of a payment's content columns, the same for a parsed row and its node
    (``hashed``: the columns' hashes, :func:`column_hashes`, when already made)."""
    hashed = hashed if hashed is not None else column_hashes(records)
    return combine_hashes([hashed[c] for c in PAYMENT_CONTENT])


def column_hashes(records: pd.DataFrame, coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> dict[str, np.ndarray]:
    """A 64-bit hash of each cell of the content columns (:data:`PAYMENT_CONTENT`):
    pandas' ``hash_array`` of the cell as text (missing: empty; amounts as ``str`` of
    their float), which the keys saved beside a store were made with.

    Each column's distinct values are hashed once (pandas converted every cell to an Arrow
    string first: 0.35 s of a 200k-row chunk, now 0.1 s). The first pass combines the same
    cells' hashes into the payment's content hash and into its reference row's hash
    (hashing the reference columns again took 1.1 s a million rows).

    ``coded``: columns given as each record's code into distinct values (a chunk's
    parse made them: :attr:`ParsedFile.coded`), hashed without factorising the column
    again (0.22 s of a 200k-row chunk's first pass); the same hashes."""
    out = {}
    for c in PAYMENT_CONTENT:
        if coded is not None and c in coded:
            codes, values = coded[c]
        else:
            codes, uniques = pd.factorize(records[c].to_numpy(dtype=object))
            values = np.empty(len(uniques) + 1, dtype=object)
            values[:-1], values[-1] = uniques, None  # code -1: a missing value
        out[c] = _value_hashes(values, c == "amount")[codes]
    return out


def _value_hashes(values: np.ndarray, amount: bool) -> np.ndarray:
    """The hash :func:`column_hashes` gives a cell of each of ``values``: a missing one
    as empty text, text as it is, anything else as its ``str()`` (an amount as the ``str``
    of its float; one that is not a number as missing)."""
    if amount:
        values = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float).to_numpy()
    missing = pd.isna(values)
    text = np.asarray(values, dtype=object).copy()
    present = text[~missing]
    if len(present) and (amount or pd.api.types.infer_dtype(present, skipna=False) != "string"):
        text[~missing] = [str(v) for v in present]
    text[missing] = ""
    return pd.util.hash_array(text, categorize=False)


def keys_in_store(store: GraphStore) -> PaymentKeys:
    """The keys of the store's payments: from ``payment_keys/`` when it counts as many
    rows as the store holds, else read back from the Payment nodes (and saved)."""
    path = store.state_dir / KEYS_FILE
    n = int(store.query("load/payment_count")["n"].iloc[0])
    saved = PaymentKeys.read(path)
    if saved is not None and len(saved) == n:
        return saved
    if n == 0:
        return PaymentKeys()
    rows = store.query("load/payment_content").rename(columns={"pay_id": "payment_id"})
    keys = PaymentKeys.of(rows)
    keys.save(path)
    return keys


@dataclass
class _Chunk:
    file: int  # index into PaymentPass.files
    path: Path
    rows: int
    #: spilled pieces that follow ``path`` in the chunk: the short last chunk of a byte
    #: range joined to the next range's first (see :func:`_join_ranges`)
    more: list[Path] = field(default_factory=list)

    def paths(self) -> list[Path]:
        """The chunk's spilled files, in row order."""
        return [self.path, *self.more]


def _in_chunks(chunks: list[_Chunk], positions: np.ndarray) -> tuple[list[int], list[int]]:
    """Rows at ``positions`` of the chunks' rows one after the other: each one's chunk
    and its position within it."""
    starts = np.cumsum([0] + [c.rows for c in chunks])
    at = np.searchsorted(starts, positions, side="right") - 1
    return at.tolist(), (positions - starts[at]).tolist()


@dataclass
class PaymentPass:
    """What the first pass kept: the files' counts, the spilled chunks, the summary."""

    files: list[ParsedFile]
    chunks: list[_Chunk]
    summary: PaymentSummary
    keys: PaymentKeys
    spill: Path
    #: chunk index -> {row position: None (a duplicate) or the quarantine reason}
    drop: dict[int, dict[int, str | None]] = field(default_factory=dict)
    seconds: float = 0.0
    #: worker processes the files were read by (1: by this one); the second pass uses as many
    workers: int = 1
    #: the number (Payment.pay_no) the first payment this load adds gets; the rest follow in
    #: load order (the load sets it one past the store's highest)
    first_no: int = 1

    def close(self) -> None:
        """Remove the spilled chunks."""
        shutil.rmtree(self.spill, ignore_errors=True)

    def first_no_of(self, ci: int) -> int:
        """The number of chunk ``ci``'s first payment: the chunks before it keep their rows
        but the dropped ones (:attr:`drop`), so a chunk is numbered alike in any process."""
        return self.first_no + sum(c.rows - len(self.drop.get(i, ())) for i, c in enumerate(self.chunks[:ci]))

    def dropped(self) -> np.ndarray:
        """The positions (in load order: those of ``keys``) of the rows in ``drop``."""
        starts = np.cumsum([0] + [c.rows for c in self.chunks])
        return np.array([starts[ci] + pos for ci, rows in self.drop.items() for pos in rows], dtype=np.int64)


def _estimate_rows(path: Path, raw: RawTable, size: int | None = None) -> int:
    """Rows a CSV file (or ``size`` bytes of it) holds, guessed from its size and the
    bytes of its first rows."""
    if not len(raw) or path.suffix.lower() != ".csv":
        return len(raw)
    sample = raw.sample_rows(2000)
    per_row = sum(len(",".join(r).encode("utf-8")) + 2 for r in sample) / len(sample)
    return max(len(raw), int((path.stat().st_size if size is None else size) / per_row))


@dataclass
class _FileRead:
    """One payment file's first pass: its counts, spilled chunks, keys, reference rows
    and mentions (what a worker process sends back: nothing the size of the file)."""

    file: ParsedFile
    chunks: list[_Chunk]
    keys: PaymentKeys
    ref: pd.DataFrame
    mentions: pd.DataFrame
    #: a 64-bit hash of each ``ref`` row (its columns' values), to drop repeats across files
    ref_hash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    #: a byte range's pass: the hash of each record's row and of each quarantined row
    #: (see :func:`_join_ranges`); empty for a whole file's
    row_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    quarantine_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    #: chunk (index into ``chunks``) -> positions of rows repeating an earlier range's
    drop: dict[int, dict[int, str | None]] = field(default_factory=dict)

    def keep(self, rows: np.ndarray) -> None:
        """Keep only these reference rows (a mask)."""
        if not rows.all():
            self.ref, self.ref_hash = self.ref[rows].reset_index(drop=True), self.ref_hash[rows]


def _read_payment_file(
    index: int,
    entry: FileEntry,
    chunk_rows: int | None,
    spill: Path,
    progress: Progress | None,
    cache: dict,
    span: tuple[int, int] | None = None,
) -> _FileRead:
    """Normalise one payment file chunk by chunk and spill each chunk (``index``: the
    file's place in the load, which names its chunks). ``span``: (k, n), only the k-th of
    n byte ranges of a CSV file (:func:`loaders.read.iter_csv_range`; Unsplittable
    raised through)."""
    t = time.perf_counter()
    agg = ParsedFile(entry.path, "payments", file_id(entry.path.name), streamed_rows=0)
    mine: list[tuple[_Chunk, PaymentKeys, tuple[pd.DataFrame, np.ndarray], pd.DataFrame]] = []
    seen_rows, seen_ref = KeySet(), KeySet()
    row_hashes: list[np.ndarray] = []
    quarantine_hashes: list[np.ndarray] = []
    estimate = 0
    size = entry.path.stat().st_size // span[1] if span else None
    named = f"{index:04d}-{span[0]:03d}" if span else f"{index:04d}"
    try:
        if span is None:
            raws = iter_table(entry.path, entry.sheet, chunk_rows)
        else:
            raws = iter_csv_range(entry.path, chunk_rows or CHUNK_ROWS, *span)
        for raw in raws:
            estimate = estimate or _estimate_rows(entry.path, raw, size)
            part = parse_table(raw, entry.path, "payments", entry.aliases, seen_rows, cache)
            agg.encoding, agg.sha256 = part.encoding, part.sha256
            _fold(agg, part)
            agg.notes = agg.notes or part.notes
            rec = part.records
            agg.streamed_rows += len(rec)
            if span and part.row_hashes is not None and part.quarantine_hashes is not None:
                row_hashes.append(part.row_hashes)
                quarantine_hashes.append(part.quarantine_hashes)
            if progress:
                progress(f"读取 {entry.path.name}", agg.rows_read, max(estimate, agg.rows_read))
            if rec.empty:
                continue
            path = spill / f"{named}-{len(mine):05d}.pkl"
            spill_frame(rec, path)
            hashed = column_hashes(rec, part.coded)
            valid = (rec["id_number_valid"].astype(bool) & rec["id_number"].notna()).to_numpy()
            # the same people are paid month after month: one row of each, kept by a hash of
            # the row (one 64-bit hash for two rows alike: odds ~ 1 in 10^7 at a city's 16M),
            # not by a whole-file drop_duplicates over Arrow strings (2 s a city's file). The
            # row's hash is made of its cells' content hashes (id_number_valid is true in all:
            # left out; a missing cell hashes as empty text, which normalising never leaves)
            hashes = combine_hashes([hashed[c][valid] for c in _REFERENCE_HASHED])
            first = ~seen_before(hashes, seen_ref)
            hashes = hashes[first]
            # Arrow strings: 13.6M city payment rows leave millions of reference rows
            ref = rec.loc[valid, _REFERENCE_COLUMNS][first].astype(_REFERENCE_TEXT)
            keys = PaymentKeys.of(rec, hashed)
            mine.append((_Chunk(index, path, len(rec)), keys, (ref, hashes), payment_mentions(rec)[0]))
    except (FileError, Unsplittable) as e:
        # the whole file is an error, as when it is read in one piece: none of its rows load
        for c, *_ in mine:
            c.path.unlink(missing_ok=True)  # (no piece joined yet: that happens in the parent)
        if isinstance(e, Unsplittable):
            raise
        agg = ParsedFile(entry.path, "payments", file_id(entry.path.name), error=str(e))
        mine = []
        row_hashes, quarantine_hashes = [], []
    agg.seconds = time.perf_counter() - t
    refs = [r for _, _, (r, _), _ in mine]
    found = [m for *_, m in mine]
    return _FileRead(
        agg,
        [c for c, *_ in mine],
        PaymentKeys.concat([k for _, k, *_ in mine]),
        pd.concat(refs, ignore_index=True) if refs else pd.DataFrame(columns=_REFERENCE_COLUMNS),
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=MENTION_COLUMNS),
        np.concatenate([h for _, _, (_, h), _ in mine]) if mine else np.zeros(0, np.uint64),
        _joined(row_hashes),
        _joined(quarantine_hashes),
    )


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays).astype(np.uint64, copy=False) if arrays else np.zeros(0, np.uint64)


def _join_ranges(entry: FileEntry, ranges: list[_FileRead | None], chunk_rows: int = CHUNK_ROWS) -> _FileRead | None:
    """One file's pass from the passes of its byte ranges, as a pass over the whole file
    gives it; None when it must be read whole instead (a range that could not be read
    apart: None; a range's file error: the whole reading names it as it would; ranges
    that read in different encodings).

    A row equal to a row of an earlier range is what reading the whole file counts as a
    duplicate: a quarantined one leaves the quarantine, a record is dropped (``drop``,
    left out of the 流水号 clashes). The reference rows keep each row's first. A range's
    last chunk shorter than half ``chunk_rows`` is joined to the next range's first (each
    chunk has its fixed costs in the second pass: a city's 18 ranges left 18 chunks of some
    20k rows)."""
    parts = [p for p in ranges if p is not None]
    if len(parts) < len(ranges) or any(p.file.error is not None for p in parts) or len({p.file.encoding for p in parts}) > 1:
        return None
    first = parts[0].file
    agg = ParsedFile(entry.path, "payments", first.fid, first.encoding, first.sha256, streamed_rows=0, notes=first.notes)
    # A range's rows (kept and quarantined) are distinct among themselves (its own
    # duplicates were dropped), so a row repeats an earlier range's exactly when it is
    # not its hash's first in the ranges' hashes in order: one hash table over them all,
    # not one look-up per range against the growing set of the earlier ones (the last
    # file's 6 ranges: 0.8 s of one core at the end of a city's first pass).
    again = pd.Series(_joined([h for p in parts for h in (p.row_hashes, p.quarantine_hashes)])).duplicated().to_numpy()
    again_at = np.cumsum([0] + [n for p in parts for n in (len(p.row_hashes), len(p.quarantine_hashes))])
    chunks: list[_Chunk] = []
    repeats: list[np.ndarray] = []  # positions among the file's records
    at = 0
    for k, p in enumerate(parts):
        f = p.file
        agg.rows_read += f.rows_read
        agg.duplicates += f.duplicates
        agg.seconds += f.seconds
        agg.streamed_rows += f.streamed_rows or 0
        repeated_q = again[again_at[2 * k + 1] : again_at[2 * k + 2]]
        agg.quarantine.extend(q for q, dup in zip(f.quarantine, repeated_q.tolist(), strict=True) if not dup)
        repeated = np.flatnonzero(again[again_at[2 * k] : again_at[2 * k + 1]])
        agg.duplicates += int(repeated_q.sum()) + len(repeated)
        agg.streamed_rows -= len(repeated)
        repeats.append(repeated + at)
        at += sum(c.rows for c in p.chunks)
        for i, c in enumerate(p.chunks):
            last = chunks[-1] if chunks else None
            if i == 0 and last is not None and 2 * last.rows < chunk_rows:
                last.more.append(c.path)
                last.rows += c.rows
            else:
                chunks.append(c)
    drop: dict[int, dict[int, str | None]] = {}
    for ci, pos in zip(*_in_chunks(chunks, np.concatenate(repeats)), strict=True):
        drop.setdefault(ci, {})[pos] = None
    ref = pd.concat([p.ref for p in parts], ignore_index=True)
    ref_hash = np.concatenate([p.ref_hash for p in parts])
    joined = _FileRead(
        agg,
        chunks,
        PaymentKeys.concat([p.keys for p in parts]),
        ref,
        pd.concat([p.mentions for p in parts], ignore_index=True),
        ref_hash,
        drop=drop,
    )
    joined.keep(~pd.Series(ref_hash).duplicated().to_numpy())
    return joined


def _fold(total: ParsedFile, part: ParsedFile) -> None:
    """Add a chunk's counts and quarantined rows to its file's."""
    total.rows_read += part.rows_read
    total.duplicates += part.duplicates
    total.quarantine.extend(part.quarantine)


def parse_reference_file(
    entry: FileEntry, chunk_rows: int | None, progress: Progress | None = None, spill: Spill | None = None
) -> ParsedFile:
    """A file other than payments, read in chunks (``chunk_rows``) or whole, its records
    put together (equal to parsing it whole); a file error is kept on the file.

    ``spill``: each chunk's records go to it instead of into the result (whose records
    are then empty; :func:`read_spilled_records` puts them together again).
    """
    started = time.perf_counter()
    try:
        if chunk_rows is None:
            parsed = parse_table(read_table(entry.path, entry.sheet), entry.path, entry.kind, entry.aliases)
            parsed.records = _compact(entry, parsed.records)
            if spill is not None:
                spill(parsed.records)
                parsed.records = pd.DataFrame()
        else:
            parsed = _parse_in_chunks(entry, chunk_rows, progress, spill)
    except FileError as e:
        parsed = ParsedFile(entry.path, entry.kind, file_id(entry.path.name), error=str(e))
    parsed.seconds = time.perf_counter() - started
    return parsed


def _parse_in_chunks(entry: FileEntry, chunk_rows: int, progress: Progress | None, spill: Spill | None = None) -> ParsedFile:
    seen_rows = KeySet()
    cache: dict[str, dict[str, tuple]] = {}
    whole: ParsedFile | None = None
    frames: list[pd.DataFrame] = []
    estimate = 0
    for raw in iter_table(entry.path, entry.sheet, chunk_rows):
        estimate = estimate or _estimate_rows(entry.path, raw)
        part = parse_table(raw, entry.path, entry.kind, entry.aliases, seen_rows, cache)
        if whole is None:
            whole = part
        else:
            _fold(whole, part)
        if progress:
            progress(f"读取 {entry.path.name}", whole.rows_read, max(estimate, whole.rows_read))
        # typed chunk by chunk, so that the objects of only one chunk are ever held
        records = _compact(entry, part.records)
        part.records = pd.DataFrame()
        if spill is not None:
            spill(records)
        else:
            frames.append(records)
        del records
    assert whole is not None  # iter_table yields at least one chunk
    if spill is not None:
        whole.records = pd.DataFrame()
        return whole
    records = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frames.clear()
    # again: a column empty in one chunk and text in another comes out of concat as objects
    whole.records = _compact(entry, records)
    return whole


def spill_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` for :func:`read_spilled`: its column count, then each
    column (a Series) in a pickle of its own.

    Why a pickle a column: pickle remembers every object it writes (so that one written
    twice is written once), and a chunk of 200k payment records is 4M Python strings. In
    one pickle that memo grows to millions of entries, and writing the chunk took 0.27 s;
    a column at a time, 0.12 s (read back, 0.12 s against 0.14 s). A city's first pass
    spills 68 such chunks and the register's 46: some 10 core-seconds of its ~190."""
    with path.open("wb") as fh:
        pickle.dump(len(frame.columns), fh, protocol=pickle.HIGHEST_PROTOCOL)
        for i in range(len(frame.columns)):
            pickle.dump(frame.iloc[:, i], fh, protocol=pickle.HIGHEST_PROTOCOL)


def read_spilled(paths: list[Path]) -> list[pd.DataFrame]:
    """The frames :func:`spill_frame` wrote to ``paths``, in order; each file is removed
    once read, in a thread while the next is read (unlinking the city register's 46
    files took 0.43 s of the 3.2 s its records take to read back, with the other core idle)."""
    frames = []
    with ThreadPoolExecutor(1, thread_name_prefix="spill-unlink") as remover:
        for path in paths:
            with path.open("rb") as fh:
                columns = [pickle.load(fh) for _ in range(pickle.load(fh))]
            # side by side, as they were (a frame of no columns: its rows are lost, and
            # every spilled frame has columns)
            frames.append(pd.concat(columns, axis=1) if columns else pd.DataFrame())
            remover.submit(path.unlink, missing_ok=True)
    return frames


def read_spilled_records(entry: FileEntry, paths: list[Path]) -> pd.DataFrame:
    """The records of a file whose chunks were spilled (``parse_reference_file(spill=)``),
    put together as :func:`_parse_in_chunks` does; the spilled files are removed."""
    frames = read_spilled(paths)
    if not frames:
        return pd.DataFrame()
    # text columns are Arrow strings: concat links their chunks, it does not copy them
    records = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frames.clear()
    return _compact(entry, records)


def _compact(entry: FileEntry, records: pd.DataFrame) -> pd.DataFrame:
    """The household register's records as typed columns (:func:`typed_columns`): it is
    the one reference file that grows with the population (9M rows in a city). The
    other files stay as Python objects, which their matching code was written for."""
    return typed_columns(records) if entry.kind == "households" else records


#: Below this many bytes of input a load reads its files in this process: starting a
#: worker process (imports) costs more than it saves.
PARALLEL_BYTES = 64 * 2**20


def default_workers() -> int:
    """Workers for CPU-bound work side by side (the load's passes, an incremental scan's
    models): one per core this process may run on (a container may be given fewer than
    the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def read_files(
    entries: list[FileEntry],
    chunk_rows: int | None = CHUNK_ROWS,
    progress: Progress | None = None,
    workers: int | None = None,
) -> tuple[PaymentPass, list[ParsedFile]]:
    """First pass over every file of a load: payment files streamed (:class:`PaymentPass`),
    the others parsed into records (in the order of ``entries``).

    With more than one worker (default: one per core) and inputs above
    :data:`PARALLEL_BYTES`, files are read in parallel by worker processes, largest
    first; each file is still read by one process, so the result is the same.
    """
    started = time.perf_counter()
    spill = Path(tempfile.mkdtemp(prefix="workbench-payments-"))
    pay = [e for e in entries if e.kind == "payments"]
    others = [e for e in entries if e.kind != "payments"]
    n = workers if workers is not None else default_workers()
    size = sum(e.path.stat().st_size for e in entries if e.path.is_file())
    try:
        parallel = n > 1 and len(entries) > 1 and size >= PARALLEL_BYTES
        if parallel:
            reads, parsed = _read_in_processes(pay, others, chunk_rows, spill, progress, n)
        else:
            cache: dict[str, dict[str, tuple]] = {}
            come: dict[int, _FileRead] = {}
            for i, e in enumerate(pay):
                come[i] = _read_payment_file(i, e, chunk_rows, spill, progress, cache)
                drop_repeats(come, i)
            reads = list(come.values())
            parsed = [parse_reference_file(e, chunk_rows, progress) for e in others]
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    read = _payment_pass(reads, spill, time.perf_counter() - started)
    read.workers = n if parallel else 1
    return read, parsed


def drop_repeats(reads: dict[int, _FileRead], i: int) -> None:
    """File ``i``'s reference rows have come (``reads``: the files read so far, by their
    place in the load): a person paid from two files keeps one row, the first file's. So
    file ``i`` drops the rows a file before it has, and each file after it that has come
    drops the rows ``i`` has. Called as each file comes, in any order, the rows kept are
    those of one pass over the files in order (a row two files drop is in a third before
    both): the worker processes' files are folded in while the last one is still read,
    not all together after it (a city's 8M rows: 2.3 s on one core)."""
    new = reads[i]
    for j, other in reads.items():
        if j == i or not len(other.ref) or not len(new.ref):
            continue
        if j < i:
            new.keep(~pd.Series(new.ref_hash).isin(other.ref_hash).to_numpy())
        else:
            other.keep(~pd.Series(other.ref_hash).isin(new.ref_hash).to_numpy())


def _payment_pass(reads: list[_FileRead], spill: Path, seconds: float) -> PaymentPass:
    refs = [r.ref for r in reads if len(r.ref)]
    ref_rows = pd.concat(refs, ignore_index=True) if refs else pd.DataFrame(columns=_REFERENCE_COLUMNS)
    found = [r.mentions for r in reads if len(r.mentions)]
    mentions = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=MENTION_COLUMNS)
    summary = PaymentSummary(ref_rows.reset_index(drop=True), mentions.drop_duplicates("mkey").reset_index(drop=True))
    drop: dict[int, dict[int, str | None]] = {}
    at = 0
    for r in reads:
        drop.update({at + ci: rows for ci, rows in r.drop.items()})
        at += len(r.chunks)
    return PaymentPass(
        [r.file for r in reads],
        [c for r in reads for c in r.chunks],
        summary,
        PaymentKeys.concat([r.keys for r in reads]),
        spill,
        drop=drop,
        seconds=seconds,
    )


_progress_queue: Any = None


def _init_worker(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue


def _report(what: str, i: int, n: int) -> None:
    _progress_queue.put((what, i, n))


def _worker_payments(
    index: int, entry: FileEntry, chunk_rows: int | None, spill: Path, span: tuple[int, int] | None = None
) -> _FileRead:
    if span is None:
        return _read_payment_file(index, entry, chunk_rows, spill, _report, {})

    def report(what: str, i: int, n: int) -> None:
        _progress_queue.put((what, i, n, span[0]))  # the file's progress: its ranges' summed

    return _read_payment_file(index, entry, chunk_rows, spill, report, {}, span)


def _worker_reference(index: int, entry: FileEntry, chunk_rows: int | None, spill: Path) -> tuple[ParsedFile, list[Path]]:
    # The records go through files, not the result pipe: a city's household register
    # pickled in the pipe would be held twice, once in each process. And a file a chunk,
    # not the whole file's records once at the end: a worker holding its chunks' tables
    # among the freed objects of parsing the next ones grew to 8.9 GB for the 9.1M-row
    # register (about three times the tables' size), where one that spills each chunk
    # stays near the size of its caches.
    paths: list[Path] = []

    def keep(records: pd.DataFrame) -> None:
        path = spill / f"records-{index:04d}-{len(paths):05d}.pkl"
        spill_frame(records, path)
        paths.append(path)

    parsed = parse_reference_file(entry, chunk_rows, _report, keep)
    if parsed.error is not None:  # a file error: none of its rows load
        for path in paths:
            path.unlink(missing_ok=True)
        paths = []
    return parsed, paths


def _read_in_processes(
    pay: list[FileEntry],
    others: list[FileEntry],
    chunk_rows: int | None,
    spill: Path,
    progress: Progress | None,
    workers: int,
) -> tuple[list[_FileRead], list[ParsedFile]]:
    # fork, not spawn: spawn re-runs the caller's main script in each worker (a Streamlit
    # page, a test runner), and fork starts without re-importing pandas. The workers only
    # parse files; they never touch the store the parent may hold open.
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    # (size, kind, index, byte range k of n or None): a large CSV payment file as ranges
    jobs: list[tuple[int, str, int, tuple[int, int] | None]] = []
    ranges: dict[int, int] = {}
    for i, e in enumerate(pay):
        size, n = e.path.stat().st_size, range_count(e.path) if chunk_rows else 1
        if n > 1:
            ranges[i] = n
        jobs += [(size // n, "payments", i, (k, n) if n > 1 else None) for k in range(n)]
    jobs += [(e.path.stat().st_size, "reference", i, None) for i, e in enumerate(others)]
    jobs.sort(key=lambda j: -j[0])  # largest first: the last to finish is small
    reads: dict[int, _FileRead] = {}
    came: dict[int, dict[int, _FileRead | None]] = {}  # file -> range -> its pass (None: Unsplittable)
    parsed: dict[int, tuple[ParsedFile, list[Path]]] = {}
    shown: dict[str, dict[int, tuple[int, int]]] = {}
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=ctx, initializer=_init_worker, initargs=(queue,)) as pool:

        def submit(kind: str, i: int, span: tuple[int, int] | None) -> Future:
            if kind == "payments":
                f = pool.submit(_worker_payments, i, pay[i], chunk_rows, spill, span)
            else:
                f = pool.submit(_worker_reference, i, others[i], chunk_rows, spill)
            futures[f] = (kind, i, span)
            return f

        futures: dict[Future, tuple[str, int, tuple[int, int] | None]] = {}
        pending = {submit(kind, i, span) for _, kind, i, span in jobs}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            _drain(queue, progress, shown)
            for f in done:
                # each result let go of once taken in: a city's 18 ranges' reference rows
                # held to the end kept 1 GB more in this process through the build
                kind, i, span = futures.pop(f)
                if kind == "reference":
                    parsed[i] = f.result()
                    continue
                if span is None:
                    reads[i] = f.result()
                    drop_repeats(reads, i)
                    continue
                try:
                    came.setdefault(i, {})[span[0]] = f.result()
                except Unsplittable:
                    came[i][span[0]] = None
                if len(came[i]) < ranges[i]:
                    continue
                parts = [came[i][k] for k in range(ranges[i])]
                del came[i]
                joined = _join_ranges(pay[i], parts, chunk_rows or CHUNK_ROWS)
                if joined is None:
                    # read whole after all (a record over a line break, a file error)
                    for p in parts:
                        for c in p.chunks if p is not None else []:
                            for path in c.paths():
                                path.unlink(missing_ok=True)
                    pending.add(submit("payments", i, None))
                    continue
                reads[i] = joined
                del parts, joined
                drop_repeats(reads, i)
        _drain(queue, progress, shown)
    # The records are put together once every worker is done, not as soon as their file
    # is: the city register's (3.9 s) read while the payment files were still being read
    # made the first pass the load's highest point (8.13 GB summed PSS, against 7.77 GB)
    for i, (p, paths) in parsed.items():
        p.records = read_spilled_records(others[i], paths)
    return [reads[i] for i in range(len(pay))], [parsed[i][0] for i in range(len(others))]


def _drain(queue: Any, progress: Progress | None, shown: dict[str, dict[int, tuple[int, int]]]) -> None:
    """Pass the workers' progress on; a file read in byte ranges as one: its ranges'
    rows and estimates summed (``shown``: what each range said last)."""
    while True:
        try:
            what, i, n, *part = queue.get_nowait()
        except Empty:
            return
        if part:
            said = shown.setdefault(what, {})
            said[part[0]] = (i, n)
            i, n = sum(a for a, _ in said.values()), sum(b for _, b in said.values())
        if progress:
            progress(what, i, n)


def find_clashes(read: PaymentPass, prior: PaymentKeys, names: dict[int, str]) -> None:
    """Mark the rows whose 流水号 was seen before (in the store, or earlier in this load):
    the same content is a duplicate of the file, other content goes to quarantine.

    ``names``: file id → file name, for the reason's "与 某文件 第 N 行重复".
    """
    new = read.keys.id_hash
    if not len(new):
        return
    live = np.arange(len(new))
    if read.drop:  # rows already dropped (repeating an earlier byte range's) take no part
        live = np.delete(live, read.dropped())
        new = new[live]
    # A store's payments have distinct 流水号: a clash has a row of this load in it. So only
    # the stored rows whose 流水号 this load has are looked at (a hash table of the load's
    # keys, probed by the store's), not a city's 13.6M keys together.
    old = np.flatnonzero(pd.Series(prior.id_hash).isin(new).to_numpy()) if len(prior) else np.zeros(0, np.int64)
    rows = np.concatenate([old, len(prior) + live])  # positions in stored + new order
    ids = np.concatenate([prior.id_hash[old], new])
    clash = pd.Series(ids).duplicated(keep=False).to_numpy()
    if not clash.any():
        return
    pos = rows[clash]
    first = pd.Series(pos).groupby(ids[clash]).transform("min").to_numpy()
    later, first = pos[pos != first], first[pos != first]

    def at(stored: np.ndarray, loaded: np.ndarray, p: int) -> int:
        return int(stored[p]) if p < len(prior) else int(loaded[p - len(prior)])

    in_chunk = zip(*_in_chunks(read.chunks, later - len(prior)), strict=True)
    for p, f, (ci, row) in zip(later.tolist(), first.tolist(), in_chunk, strict=True):
        agg = read.files[read.chunks[ci].file]
        agg.streamed_rows -= 1
        if at(prior.content_hash, read.keys.content_hash, p) == at(prior.content_hash, read.keys.content_hash, f):
            agg.duplicates += 1
            reason = None
        else:
            fid = at(prior.fid, read.keys.fid, f)
            reason = f"与 {names.get(fid, fid)} 第 {at(prior.line, read.keys.line, f)} 行重复但内容不同"
        read.drop.setdefault(ci, {})[row] = reason


def store_context(store: GraphStore, batch: int, base: PaymentContext | None = None) -> PaymentContext:
    """The context of the graph in ``store`` (merged into ``base``, a context built from
    the tables just written, when given): node keys, program flags, account uses, the
    people without a home, and a lookup of registrations by person.

    The node keys and account uses come from ``context_keys/`` beside the store when
    it counts what the store holds (reading a city's 9M keys back took minutes), else
    from the store itself."""
    ctx = base or PaymentContext()
    ctx.batch = batch
    saved = _saved_context_keys(store)
    for label in CONTEXT_KEYS:
        if saved is not None:
            ctx.known[label].add_hashes(saved[label])
        else:
            ctx.known[label].update(store.keys(label))
    if saved is not None:
        ctx.uses.add_hashes(saved["USES_ACCOUNT"])
    else:
        uses = store.query("load/account_uses")
        ctx.uses.update(use_keys(uses["person"], uses["account"]))
    ctx.add_programs(store.query("load/program_flags"))
    ctx.registrations_of = lambda pids: store.query("load/registrations_of", pids=pids).astype("str")
    ctx.homeless.update(store.query("load/people_without_home")["pid"])
    return ctx


def save_context_keys(store: GraphStore, ctx: PaymentContext) -> None:
    """Keep the context's node keys and account uses (64-bit hashes) beside the store, for
    the next append; with the store's counts they must match when read back."""
    arrays = {label: ctx.known[label].hashes() for label in CONTEXT_KEYS}
    arrays["USES_ACCOUNT"] = ctx.uses.hashes()
    save_arrays(store.state_dir / CONTEXT_FILE, arrays)


def _saved_context_keys(store: GraphStore) -> dict[str, np.ndarray] | None:
    """The saved context keys when there is a file and each array is as long as the
    store's count (so a store changed another way is read again), else None."""
    names = [*CONTEXT_KEYS, "USES_ACCOUNT"]
    saved = read_arrays(store.state_dir / CONTEXT_FILE, names)
    if saved is None or any(len(saved[k]) != store.count(k) for k in names):
        return None
    return saved


def release_freed_memory() -> None:
    """Hand memory Python freed back to the system: glibc keeps freed heap for reuse by
    Python, while the store's buffer pool and LadybugDB's own memory (several GB for a
    city) grow outside it (malloc_trim: only on glibc). Arrow's allocator (mimalloc or
    jemalloc) likewise keeps freed pages a while: asked to hand them back too."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    pa.default_memory_pool().release_unused()


def write_payments(
    store: GraphStore,
    read: PaymentPass,
    links: pd.DataFrame,
    ctx: PaymentContext,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    payment_nos: list[pd.Series] | None = None,
    beside: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Second pass: link, build and copy each chunk; then correct the payment-placed homes.
    ``beside``: work of the caller's that needs no store, run in a thread while the store
    copies the staged tables (a city's Payment checkpoint leaves a core idle for 9 s).

    Returns the rows inserted per table. ``payment_nos``, when given, receives the keys
    (``pay_no``) of the payments inserted (an append links its batch to them: reading
    them back by batch scanned all of a city's 13.6M payments, 0.5 s).

    When the first pass read in worker processes (:attr:`PaymentPass.workers`), so does
    this one: each chunk's :func:`payment_parts` (its rows' tables, written to Parquet
    files by the worker, and its keys hashed) is made in a worker, and this process adds
    the parts to ``ctx`` chunk by chunk, in order (:func:`add_payment_parts`). Not for a
    load into a store with payments (its context asks the store) nor an append.
    """
    total = sum(c.rows for c in read.chunks)
    done = 0
    order = list(store.schema.nodes) + list(store.schema.rels)
    parallel = read.workers > 1 and len(read.chunks) > 1 and ctx.registrations_of is None and payment_nos is None
    # Staged: the chunks' tables are copied into the store once each, at the end of the
    # block (see LadybugStore.staged); nothing below reads the payment tables back.
    with ThreadPoolExecutor(1, thread_name_prefix="load-beside") as side, store.staged(timings, progress) as staged:
        # the checkpoint the reference graph's COPYs left owed (checkpoints_deferred) runs
        # beside this pass: after the workers are forked, not while they fork
        if parallel:
            chunks = _parts_in_processes(store, read, links, ctx, forked=store.flush_beside)
        else:
            store.flush_beside()
            chunks = _parts_here(read, links, ctx)
        for ci, quarantined, parts, files in chunks:
            read.files[read.chunks[ci].file].quarantine.extend(quarantined)
            if parts is not None:
                tables = {**add_payment_parts(parts, ctx), **parts.rows}
                for name in sorted(tables, key=order.index):
                    staged.add(name, tables[name])
                for name, (path, rows) in files.items():
                    staged.add_file(name, path, rows)
                if payment_nos is not None and "Payment" in tables:
                    payment_nos.append(tables["Payment"]["pay_no"])
            done += read.chunks[ci].rows
            # Each chunk's records and tables are freed here, but glibc kept the heap for
            # Python: a city's load peaked at 10.4–10.7 GB at the end of this pass, and at
            # 9.8 GB with the heap handed back after every chunk (68 chunks, no slower).
            # (With worker processes, they hand theirs back; this one holds little.)
            parts = tables = None
            if not parallel:
                release_freed_memory()
            if progress:
                progress("写入发放记录", done, total)
        # The checkpoint beside this pass freed the reference graph's key indexes while the
        # workers still shared their pages; the workers gone, the heap goes back to the
        # system before the COPYs (left to glibc, a city's load held 2.4 GB more in them).
        store.settle()
        release_freed_memory()
        # left to a thread while the block's end copies the tables: the people's homes from
        # their payments, and the caller's work
        made = side.submit(ctx.final_homes)
        later = side.submit(beside) if beside is not None else None
    inserted = dict(staged.rows)
    homes = made.result()
    if later is not None:
        later.result()
    if len(homes):
        store.set_properties("Person", homes)
    return inserted


#: A chunk's second pass: its index, the quarantine entries of its 流水号 clashes, its
#: parts (None when nothing is left of it) and the files its row tables went to
#: (table -> path, rows).
_ChunkParts = tuple[int, list[dict], PaymentParts | None, dict[str, tuple[Path, int]]]


def _chunk_payments(read: PaymentPass, ci: int, links: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """A spilled chunk's records without its duplicates and clashes, links applied (and
    its file removed); and the quarantine entries of its clashes."""
    chunk = read.chunks[ci]
    pieces = read_spilled(chunk.paths())
    rec: pd.DataFrame = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    quarantined = []
    drops = read.drop.get(ci, {})
    if drops:
        name = read.files[chunk.file].name
        for pos, reason in sorted(drops.items()):
            if reason is not None:
                row = rec.iloc[pos]
                quarantined.append(
                    {
                        "file": name,
                        "line": int(row["src_line"]),
                        "kind": "payments",
                        "reason": f"发放流水号 {row['payment_id']} {reason}",
                        "raw": {c: "" if pd.isna(row[c]) else str(row[c]) for c in PAYMENT_CONTENT},
                    }
                )
        rec = rec.drop(index=rec.index[sorted(drops)]).reset_index(drop=True)
    if rec.empty:
        return rec, quarantined
    first = read.first_no_of(ci)
    rec["pay_no"] = np.arange(first, first + len(rec), dtype=np.int64)
    _, mkeys = payment_mentions(rec)
    return apply_payment_links(rec, mkeys, links), quarantined


def _parts_here(read: PaymentPass, links: pd.DataFrame, ctx: PaymentContext) -> Iterator[_ChunkParts]:
    """Each chunk's parts, made in this process as they are asked for."""
    for ci in range(len(read.chunks)):
        rec, quarantined = _chunk_payments(read, ci, links)
        yield ci, quarantined, (payment_parts(rec, ctx) if len(rec) else None), {}


#: What the second pass's worker processes read: set before they are forked, so that they
#: share the context's arrays with this process instead of receiving a copy each.
_second_pass: tuple[GraphStore, PaymentPass, pd.DataFrame, PaymentContext, Path] | None = None


def _parts_in_processes(
    store: GraphStore, read: PaymentPass, links: pd.DataFrame, ctx: PaymentContext, forked: Callable[[], None] | None = None
) -> Iterator[_ChunkParts]:
    """Each chunk's parts, made by :attr:`PaymentPass.workers` forked worker processes
    (see :func:`_worker_parts`), in chunk order; ``forked`` is called once they all are
    (a thread it starts is not copied into them, nor is any lock it takes)."""
    global _second_pass
    folder = read.spill / "tables"
    folder.mkdir(exist_ok=True)
    _second_pass = (store, read, links, ctx, folder)
    # The objects this process holds are left out of the collector's passes from here:
    # a full collection in a worker would write to every one of them and so copy each
    # page of them into the worker (copy on write). A load froze what lived before it
    # (loaders.load): it hands them all back when it ends, these with them.
    outer = gc.get_freeze_count() > 0
    gc.freeze()
    pool = ProcessPoolExecutor(read.workers, mp_context=mp.get_context("fork"))
    try:
        # with fork, the pool starts every worker at its first task, and map submits all
        parts = pool.map(_worker_parts, range(len(read.chunks)))
        if forked is not None:
            forked()
        yield from parts
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if not outer:
            gc.unfreeze()
        _second_pass = None


def _worker_parts(ci: int) -> _ChunkParts:
    """In a worker process: chunk ``ci``'s parts, its row tables written to Parquet files
    in the store's columns and types (not sent back through the pipe)."""
    assert _second_pass is not None
    store, read, links, ctx, folder = _second_pass
    rec, quarantined = _chunk_payments(read, ci, links)
    if rec.empty:
        return ci, quarantined, None, {}
    parts = payment_parts(rec, ctx)
    del rec
    files = {}
    for name, df in parts.rows.items():
        if len(df):
            path = folder / f"{name}-{ci:05d}.parquet"
            table = store.arrow_table(name, df)
            pq.write_table(table, path, **STAGED_PARQUET)
            files[name] = (path, table.num_rows)
    parts.rows = {}
    release_freed_memory()
    return ci, quarantined, parts, files
