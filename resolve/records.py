"""From the loaders' normalised records to the resolver's reference and mentions.

The mention key (``mkey``) is a digest of what the row says, not of where it is, so a
reload of the same files — or a later file repeating the row — meets the same key and
a reviewer's decision on it still applies.
"""

from __future__ import annotations

import hashlib

import pandas as pd

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


def _valid(df: pd.DataFrame, id_col: str) -> pd.DataFrame:
    if df.empty or id_col not in df:
        return df.iloc[0:0]
    return df[df[f"{id_col}_valid"].astype(bool) & df[id_col].notna()]


def reference_from(records: dict[str, pd.DataFrame]) -> Reference:
    """Every person with a valid ID number, with names, villages, households and accounts.

    ``records`` maps a file kind to its concatenated normalised records.
    """
    people, places, hhs, accs = [], [], [], []
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
        v = _valid(records.get(kind, pd.DataFrame()), id_col)
        if v.empty:
            continue
        # a person's payment rows repeat the same name, place, household and account month
        # after month: one row of each is all the reference needs (a county pays 1M rows)
        if kind == "payments":
            v = v.drop_duplicates([id_col, name_col, "town", "village", "household_id", "account_number"])
        people.append(pd.DataFrame({"pid": v[id_col], "name": v[name_col]}))
        if kind in ("households", "cadres", "payments"):
            places.append(pd.DataFrame({"pid": v[id_col], "vid": _vid(v["town"], v["village"])}))
        if kind == "households":
            hhs.append(pd.DataFrame({"pid": v[id_col], "hid": v["household_id"]}))
        if kind == "payments":
            hhs.append(pd.DataFrame({"pid": v[id_col], "hid": v["household_id"]}))
            accs.append(pd.DataFrame({"pid": v[id_col], "account": v["account_number"]}))

    def cat(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame(columns=cols)
        # Arrow strings, frame by frame: a city's reference holds every registered person
        # (9M) three times, and one frame of Python objects would make the whole of it objects
        typed = [f.dropna().astype("str") for f in frames]
        return pd.concat(typed, ignore_index=True).drop_duplicates().reset_index(drop=True)

    return Reference(
        cat(people, ["pid", "name"]), cat(places, ["pid", "vid"]), cat(hhs, ["pid", "hid"]), cat(accs, ["pid", "account"])
    )


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
