"""From the loaders' normalised records to the resolver's reference and mentions.

The mention key (``mkey``) is a digest of what the row says, not of where it is, so a
reload of the same files — or a later file repeating the row — meets the same key and
a reviewer's decision on it still applies.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.parse import text_codes
from resolve.engine import Reference

#: A mention: key, kind (payment | relative), what it says (ID value, name, villages
#: "town/village", households, accounts), where it shows (town, village, file, line),
#: and a pid it must not be linked to (the declaring cadre).
MENTION_COLUMNS = [
    "mkey", "kind", "id_value", "name", "vids", "hids", "accounts", "town", "village", "src_fid", "src_line", "exclude",
]  # fmt: skip


def _s(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def mention_key(kind: str, *parts: object) -> str:
    """A stable key for a mention: the kind's letter and a digest of what the row says."""
    digest = hashlib.sha1("|".join(_s(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{kind[0].upper()}{digest}"


def _vid(town: pd.Series, village: pd.Series) -> pd.Series:
    return (town.astype(str) + "/" + village.astype(str)).where(town.notna() & village.notna(), None)


def _vid_text(town: pd.Series, village: pd.Series) -> pd.Series:
    """:func:`_vid` as Arrow strings, joined in one pass (a city's 9M registrations)."""
    try:
        joined = pc.binary_join_element_wise(
            pa.array(town, from_pandas=True, type=pa.large_string()),
            pa.array(village, from_pandas=True, type=pa.large_string()),
            pa.scalar("/", type=pa.large_string()),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not text: as its str()
        return _vid(town, village).astype("str")
    return pd.Series(joined, index=town.index, dtype="str")


def _valid(df: pd.DataFrame, id_col: str, cols: list[str]) -> pd.DataFrame:
    """``cols`` of the rows with a valid ID number (the columns taken first: a city's
    register has 9M rows of twenty columns, and filtering them all copied 2 GB)."""
    if df.empty or id_col not in df:
        return pd.DataFrame(columns=cols)
    ok = (df[f"{id_col}_valid"].astype(bool) & df[id_col].notna()).to_numpy()
    return df[cols] if ok.all() else df.loc[ok, cols]


def reference_from(records: dict[str, pd.DataFrame], payments_distinct: bool = False, distinct: bool = True) -> Reference:
    """Every person with a valid ID number, with names, villages, households and accounts.

    ``records`` maps a file kind to its concatenated normalised records.
    ``payments_distinct``: the payments' rows are distinct already (a streamed load's
    reference rows, one of each by the same columns).
    ``distinct``: one row of each fact (the first); else every source's rows as they
    come, repeats kept (:func:`_rows`), which identity resolution resolves alike.
    """
    people, places, hhs, accs = [], [], [], []
    pids = []  # each source's ID numbers: coded once for the three tables they key
    for kind, id_col, name_col in [
        ("households", "id_number", "name"),
        ("cadres", "id_number", "name"),
        ("public_employees", "id_number", "name"),
        ("deaths", "id_number", "name"),
        ("payments", "id_number", "name"),
        ("relatives", "id_number", "name"),
        ("vehicles", "owner_id_number", "owner_name"),
        ("businesses", "legal_rep_id_number", "legal_rep_name"),
    ]:
        cols = [id_col, name_col]
        if kind in ("households", "cadres", "payments"):
            cols += ["town", "village"]
        if kind in ("households", "payments"):
            cols.append("household_id")
        if kind == "payments":
            cols.append("account_number")
        v = _valid(records.get(kind, pd.DataFrame()), id_col, cols)
        if v.empty:
            continue
        # a person's payment rows repeat the same name, place, household and account month
        # after month: one row of each is all the reference needs (a county pays 1M rows)
        if kind == "payments" and not payments_distinct:
            v = v.drop_duplicates(cols)
        source = len(pids)
        pids.append(v[id_col])
        people.append((source, pd.DataFrame({"pid": v[id_col], "name": v[name_col]})))
        if kind in ("households", "cadres", "payments"):
            places.append((source, pd.DataFrame({"pid": v[id_col], "vid": _vid_text(v["town"], v["village"])})))
        if kind in ("households", "payments"):
            hhs.append((source, pd.DataFrame({"pid": v[id_col], "hid": v["household_id"]})))
        if kind == "payments":
            accs.append((source, pd.DataFrame({"pid": v[id_col], "account": v["account_number"]})))

    if not distinct:
        return Reference(
            _rows(people, ["pid", "name"]),
            _rows(places, ["pid", "vid"]),
            _rows(hhs, ["pid", "hid"]),
            _rows(accs, ["pid", "account"]),
            repeats=True,
        )
    codes = text_codes(pids, missing=-1)
    return Reference(
        _distinct(people, codes, ["pid", "name"]),
        _distinct(places, codes, ["pid", "vid"]),
        _distinct(hhs, codes, ["pid", "hid"]),
        _distinct(accs, codes, ["pid", "account"]),
    )


def _distinct(parts: list[tuple[int, pd.DataFrame]], pid_codes: list[np.ndarray], cols: list[str]) -> pd.DataFrame:
    """The rows of the frames of ``parts`` (source, frame) without a missing value, the
    first of each alike, in order, as Arrow strings: ``dropna``, ``concat`` and
    ``drop_duplicates``, on integer codes. A city's reference holds every registered
    person (9M) in three tables: ``drop_duplicates`` hashed their 12M ID numbers as text
    for each (19 s in all); they are coded once (:func:`~loaders.parse.text_codes`)."""
    if not parts:
        return pd.DataFrame(columns=cols)
    # Arrow strings, frame by frame: one frame of Python objects would make all of them objects
    cat = pd.concat([f.astype("str") for _, f in parts], ignore_index=True)
    pid = np.concatenate([pid_codes[source] for source, _ in parts])
    (other,) = text_codes([cat[cols[1]]], missing=-1)
    n = int(other.max()) + 1 if len(other) and other.max() >= 0 else 1
    rows = np.flatnonzero((other >= 0) & (pid >= 0))
    key = pid[rows] * n + other[rows]
    return cat.take(rows[~pd.Series(key).duplicated().to_numpy()]).reset_index(drop=True)


def _rows(parts: list[tuple[int, pd.DataFrame]], cols: list[str]) -> pd.DataFrame:
    """The rows of the frames of ``parts`` (source, frame) without a missing value, in
    order, as Arrow strings, repeats kept: :func:`_distinct` without the deduplication.

    Identity resolution gives the same outcomes on these rows as on the distinct ones: it
    reads a person's first name and the sets of their places, households and accounts,
    and its blocking keys are deduplicated, so a repeat adds nothing and the first of each
    comes in the same order. A load resolves against them: deduplicating a city's 12M
    rows (9.1M people) took 10 s of the build, on the one core it keeps busy.
    """
    if not parts:
        return pd.DataFrame(columns=cols)
    cat = pd.concat([f.astype("str") for _, f in parts], ignore_index=True)
    whole = cat[cols[0]].notna().to_numpy() & cat[cols[1]].notna().to_numpy()
    return cat if whole.all() else cat[whole].reset_index(drop=True)


def payment_mentions(payments: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Mentions of the payment rows with an invalid ID number, and each row's mkey (None for valid rows)."""
    if payments.empty:
        return pd.DataFrame(columns=MENTION_COLUMNS), pd.Series(dtype=object)
    bad = payments[~payments["id_number_valid"].astype(bool)]
    vid = _vid(bad["town"], bad["village"])
    keys = [
        mention_key("payment", i, n, v, h, a)
        for i, n, v, h, a in zip(bad["id_number"], bad["name"], vid, bad["household_id"], bad["account_number"], strict=True)
    ]
    mkeys = pd.Series(None, index=payments.index, dtype=object)
    mkeys.loc[bad.index] = keys
    m = pd.DataFrame(
        {
            "mkey": keys,
            "kind": "payment",
            "id_value": bad["id_number"].fillna("").astype(str).to_numpy(),
            "name": bad["name"].to_numpy(),
            "vids": [(v,) if v else () for v in vid],
            "hids": [(h,) if _s(h) else () for h in bad["household_id"]],
            "accounts": [(a,) if _s(a) else () for a in bad["account_number"]],
            "town": bad["town"].to_numpy(),
            "village": bad["village"].to_numpy(),
            "src_fid": bad["src_fid"].to_numpy(),
            "src_line": bad["src_line"].to_numpy(),
            "exclude": "",
        }
    )
    return m.drop_duplicates("mkey").reset_index(drop=True), mkeys


__all__ = ["MENTION_COLUMNS", "mention_key", "payment_mentions", "reference_from"]
