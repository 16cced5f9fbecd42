"""Identity resolution: link rows without a valid ID number to the person they name.

A *mention* is a row to resolve (a payment with an invalid ID number, a declared
relative without one) described by what it says: an ID value (maybe damaged), a name,
places, households and bank accounts. The *reference* is every person with a valid ID
number, with the names, villages, households and accounts the other files give them.

1. **Blocking**, never all pairs: a mention and a person are compared only when they
   share a key — ID digits 1–14 (region + birth date), birth date + any pinyin reading
   of the surname, canonical name + village, pinyin of the name + village, name +
   household, household (all its members: households are small), bank account, and
   for a declared relative any reading of the surname + a declared village.
2. **Scoring**: every feature that agrees or disagrees adds its weight in bits (a
   Fellegi–Sunter log-likelihood ratio with hand-set weights, printed by
   ``explain_weights``); the sum plus the mention kind's prior gives a match
   probability, and the agreeing features are the explanation.
3. **Decisions**: a best candidate at or above ``link_at`` that leads the runner-up by
   ``margin_bits`` is linked; a best candidate at or above ``review_at`` otherwise
   goes to the review list; a reviewer's confirmation links whatever the score, a
   rejection removes the candidate.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.process import cpdist

from resolve.names import (
    canonical_name,
    canonical_of_normalised,
    homophones,
    name_pinyin,
    pinyin_of_canonical,
    readings_of_first,
    surname_readings,
)

#: Feature weights in bits (log2 of how much likelier the feature is for the same person
#: than for two people who share a blocking key). Set by hand, checked by bench/resolve.py.
WEIGHTS: dict[str, float] = {
    "name_exact": 6.0,
    "name_homophone": 4.5,
    "name_one_char": 2.5,  # three characters or more; in a two-character name one is half of it
    "name_one_char_short": 0.5,
    "name_sounds_close": 2.0,
    "name_differs": -5.0,
    "id_one_typo": 9.0,
    "id_prefix14": 7.0,
    "id_birth": 4.0,
    "id_differs": -2.0,
    "same_village": 3.0,
    "same_town": 0.5,
    "other_town": -1.0,
    "same_household": 4.0,
    "same_account": 6.0,
}

REASONS: dict[str, str] = {
    "name_exact": "姓名一致",
    "name_homophone": "姓名同音",
    "name_one_char": "姓名一字之差",
    "name_one_char_short": "姓名一字之差",
    "name_sounds_close": "姓名读音相近",
    "name_differs": "姓名不同",
    "id_one_typo": "身份证号仅一位之差",
    "id_prefix14": "身份证号前14位（地区与出生日期）一致",
    "id_birth": "出生日期一致",
    "id_differs": "身份证号不符",
    "same_village": "同村",
    "same_town": "同乡镇",
    "other_town": "不同乡镇",
    "same_household": "同户",
    "same_account": "银行账号一致",
}

#: Prior log-odds per kind of mention: a payment row's block is the whole county, a
#: declared relative's block is the villages of the declaration.
PRIORS: dict[str, float] = {"payment": -8.0, "relative": -3.0}

#: A blocking key shared by more people than this tells nothing (a common name in a big
#: village is still far below it); such blocks are skipped instead of compared.
MAX_BLOCK = 200


@dataclass
class Settings:
    """Decision thresholds."""

    link_at: float = 0.95
    review_at: float = 0.5
    margin_bits: float = 4.0
    enabled: bool = True


@dataclass
class Reference:
    """People with valid ID numbers and what the files say about them (long tables, one fact a row)."""

    people: pd.DataFrame  # pid, name
    places: pd.DataFrame  # pid, vid ("town/village")
    households: pd.DataFrame  # pid, hid
    accounts: pd.DataFrame  # pid, account
    #: rows may repeat (a load's reference: its sources' rows as they come); resolution
    #: gives the same outcomes either way, and only then makes the rows it starts from distinct
    repeats: bool = False


@dataclass
class Decision:
    """A reviewer's word on one (mention, person) pair."""

    mkey: str
    pid: str
    verdict: str  # "confirm" | "reject"
    by: str = ""
    at: str = ""


@dataclass
class Resolution:
    """The outcome for every mention, the review list and what it cost."""

    #: mkey, status (linked | confirmed | review | none), pid, score, reasons
    outcomes: pd.DataFrame
    #: mkey, rank, pid, name, score, bits, reasons — top candidates of the review mentions
    candidates: pd.DataFrame
    pairs: int = 0
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)


def empty_resolution() -> Resolution:
    """The outcome when there is nothing to resolve (or resolution is switched off)."""
    return Resolution(
        pd.DataFrame(columns=["mkey", "status", "pid", "score", "reasons"]),
        pd.DataFrame(columns=["mkey", "rank", "pid", "name", "score", "bits", "reasons"]),
    )


def _birth(id_value: str) -> str | None:
    """Digits 7–14 of an ID value when they could be a birth date (YYYYMMDD), else None."""
    s = id_value[6:14] if len(id_value) >= 14 else ""
    if len(s) == 8 and s.isdigit() and "1900" <= s[:4] <= "2100" and "01" <= s[4:6] <= "12" and "01" <= s[6:8] <= "31":
        return s
    return None


def _keys_of_mentions(m: pd.DataFrame) -> pd.DataFrame:
    """(mkey, key) rows: every blocking key of every mention."""
    rows: list[tuple[str, str]] = []
    for mkey, kind, idv, name, vids, hids, accs in zip(
        m["mkey"], m["kind"], m["id_value"], m["name"], m["vids"], m["hids"], m["accounts"], strict=True
    ):
        cname, spoken = canonical_name(name), name_pinyin(name)
        if len(idv) >= 14:
            rows.append((mkey, "i" + idv[:14]))
        birth = _birth(idv)
        if birth:
            rows += [(mkey, f"b{birth}{r}") for r in surname_readings(name)]
        for vid in vids:
            if cname:
                rows.append((mkey, f"n{cname}|{vid}"))
            if spoken:
                rows.append((mkey, f"p{spoken}|{vid}"))
            if kind == "relative":
                # a declaration names its village: everyone there with the surname is a
                # candidate, so a mistyped given name still meets its person
                rows += [(mkey, f"s{r}|{vid}") for r in surname_readings(name)]
        rows += [(mkey, f"h{cname}|{h}") for h in hids if cname]
        rows += [(mkey, f"H{h}") for h in hids]  # households are small: all members
        rows += [(mkey, f"a{a}") for a in accs]
    return pd.DataFrame(rows, columns=["mkey", "key"]).drop_duplicates()


def _isin(values: pd.Series, wanted: Iterable[str] | pa.Array) -> np.ndarray:
    """``values.isin(wanted)`` as a boolean array, through Arrow's hash lookup.

    pandas' ``isin`` on its Arrow-backed strings converts the wanted values one scalar at
    a time on every call: a dozen calls with tens of thousands of keys cost over ten
    seconds at county scale. ``wanted`` may come as an Arrow array already, when one set
    is looked up many times.
    """
    value_set = wanted if isinstance(wanted, pa.Array) else pa.array(list(wanted), type=pa.large_string())
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    return pc.fill_null(pc.is_in(arr, value_set=value_set), False).to_numpy(zero_copy_only=False)


def _name_forms(names: pd.Series) -> pd.DataFrame:
    """Canonical name, pinyin and surname readings of each distinct reference name.

    Reference names come from the parsed records, already normalised by the loaders, so
    only the variant table is applied (OpenCC again would cost seconds at county scale).
    """
    distinct = pd.unique(names.dropna().to_numpy(dtype=object))
    cnames = [canonical_of_normalised(n) for n in distinct]
    return pd.DataFrame(
        {
            "name": pd.Series(distinct, dtype=object),
            "cname": pd.Series(cnames, dtype=object),
            "spoken": pd.Series([pinyin_of_canonical(c) for c in cnames], dtype=object),
            "readings": pd.Series([readings_of_first(c) for c in cnames], dtype=object),
        }
    )


def _keys_of_reference(ref: Reference, wanted: set[str]) -> pd.DataFrame:
    """(key, pid) rows of the reference, computed only where a mention could share the key.

    A county has 600k people and a million places: keys are built column-wise from name
    forms computed once per distinct name, and each kind of key is cut to the wanted ones
    before anything is converted or concatenated (a loop over the rows took 20 minutes).
    Each kind starts from the few rows that can give a wanted key (their ID prefix, birth
    date, village, household or account is wanted) and only then joins their people and
    name forms: a city's 169 mentions took 14 s and 2 GB when every one of its 9.1M
    people was joined and keyed first. The rows and their order are the same.
    """
    people, ref_places, ref_hh, ref_acc = ref.people, ref.places, ref.households, ref.accounts
    frames: list[pd.DataFrame] = []
    wanted_keys = pa.array(list(wanted), type=pa.large_string())  # looked up by every kind of key

    def add(keys: pd.Series, pids: pd.Series) -> None:
        hit = _isin(keys, wanted_keys)
        frames.append(pd.DataFrame({"key": keys[hit].to_numpy(dtype=object), "pid": pids[hit].to_numpy(dtype=object)}))

    def people_of(rows: pd.DataFrame, among: pd.DataFrame) -> pd.DataFrame:
        # the people rows of these pids, in the people's order (what a merge with all of
        # them meets); the pids go to Arrow as they are, not through a Python set of millions,
        # each once: a city's relatives' villages and households repeat a pid millions of
        # times, and the lookup's table of them all took 0.75 GB and 2.6 s (12 MB, 1.2 s)
        ids = pc.unique(pa.array(rows["pid"], from_pandas=True).cast(pa.large_string()))
        return among[_isin(among["pid"], ids)]

    pids = people["pid"].astype(str)
    want_i = {w[1:] for w in wanted if w.startswith("i")}
    if want_i:
        hit = _isin(pids.str.slice(0, 14), want_i)
        add("i" + pids[hit].str.slice(0, 14), pids[hit])
    births = {w[1:9] for w in wanted if w.startswith("b")}
    vids = {w.rsplit("|", 1)[1] for w in wanted if w[0] in "nps"}
    hids = {w.rsplit("|", 1)[1] for w in wanted if w.startswith("h")} | {w[1:] for w in wanted if w.startswith("H")}
    surname_vids = {w.rsplit("|", 1)[1] for w in wanted if w[0] == "s"}
    accs = {w[1:] for w in wanted if w.startswith("a")}

    # The rows each kind starts from, and the name forms of their people's names only.
    # A reference that may repeat its rows (a load's: reference_from(distinct=False)) has
    # them made distinct, the first of each kept in order: what follows is then what it
    # is on the distinct reference, at the cost of a subset's deduplication, not the whole
    # reference's (10 s of a city's build). A distinct reference is spared it (1.5 s of
    # the county benchmark's 4,973 mentions, whose villages are most of its places).
    def once(rows: pd.DataFrame) -> pd.DataFrame:
        return rows.drop_duplicates() if ref.repeats else rows

    born = once(people[_isin(pids.str.slice(6, 14), births)]) if births else people.iloc[0:0]
    in_vids = once(ref_places[_isin(ref_places["vid"], vids)])
    sp = once(ref_places[_isin(ref_places["vid"], surname_vids)]) if surname_vids else ref_places.iloc[0:0]
    hh = once(ref_hh[_isin(ref_hh["hid"], hids)])
    # repeats: the people of all three looked up in one pass over the reference's people
    # (a city's 12M rows, three times 1.2 s), then each one's among those few
    theirs = (
        people_of(pd.concat([in_vids[["pid"]], sp[["pid"]], hh[["pid"]]], ignore_index=True), people).drop_duplicates()
        if ref.repeats
        else people
    )
    placed_people = people_of(in_vids, theirs)
    sp = sp.merge(people_of(sp, theirs), on="pid")
    hh = hh.merge(people_of(hh, theirs), on="pid")
    forms = _name_forms(pd.concat([born["name"], placed_people["name"], sp["name"], hh["name"]], ignore_index=True))
    if len(born):
        b = born.merge(forms[["name", "readings"]], on="name").explode("readings").dropna(subset=["readings"])
        add("b" + b["pid"].astype(str).str.slice(6, 14) + b["readings"].astype(str), b["pid"])
    # name + village: only people whose name form a mention has, then their places (the
    # other way round, every place of a county joined to every name, cost most of the time)
    want_n = {w[1:].rsplit("|", 1)[0] for w in wanted if w.startswith("n")}
    want_p = {w[1:].rsplit("|", 1)[0] for w in wanted if w.startswith("p")}
    named = forms[_isin(forms["cname"], want_n) | _isin(forms["spoken"], want_p)]
    if len(named):
        who = placed_people[_isin(placed_people["name"], set(named["name"]))].merge(named, on="name")
        placed = in_vids[_isin(in_vids["pid"], set(who["pid"]))].merge(who, on="pid")
        vid_s = "|" + placed["vid"].astype(str)
        add("n" + placed["cname"].astype(str) + vid_s, placed["pid"])
        add("p" + placed["spoken"].astype(str) + vid_s, placed["pid"])
    if surname_vids:
        sp = sp.merge(forms[["name", "readings"]], on="name").explode("readings").dropna(subset=["readings"])
        add("s" + sp["readings"].astype(str) + "|" + sp["vid"].astype(str), sp["pid"])
    if len(hh):
        h = hh.merge(forms[["name", "cname"]], on="name")
        add("h" + h["cname"].astype(str) + "|" + h["hid"].astype(str), h["pid"])
        add("H" + hh["hid"].astype(str), hh["pid"])
    if accs:
        a = ref_acc[_isin(ref_acc["account"], accs)]
        add("a" + a["account"].astype(str), a["pid"])
    if not frames:  # no kind of key wanted that the reference has rows for
        return pd.DataFrame({"key": pd.Series(dtype=object), "pid": pd.Series(dtype=object)})
    return pd.concat(frames, ignore_index=True).drop_duplicates()


def candidate_pairs(mentions: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """(mkey, pid) pairs that share at least one blocking key, oversized blocks left out."""
    mk = _keys_of_mentions(mentions)
    if mk.empty or ref.people.empty:
        return pd.DataFrame(columns=["mkey", "pid"])
    rk = _keys_of_reference(ref, set(mk["key"]))
    size = rk.groupby("key")["pid"].transform("size")
    rk = rk[size <= MAX_BLOCK]
    return mk.merge(rk, on="key")[["mkey", "pid"]].drop_duplicates().reset_index(drop=True)


def score_pairs(pairs: pd.DataFrame, mentions: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Every pair with its weight in bits, probability and reasons (Chinese, agreeing features first)."""
    if pairs.empty:
        return pairs.assign(bits=[], score=[], reasons=[], name=[])
    m = mentions.set_index("mkey")
    people = ref.people[_isin(ref.people["pid"], set(pairs["pid"]))]
    names = people.drop_duplicates("pid").set_index("pid")["name"]
    df = pairs.copy()
    df["m_name"] = df["mkey"].map(m["name"]).map(canonical_name)
    df["name"] = df["pid"].map(names)
    df["r_name"] = df["name"].map(canonical_of_normalised)
    m_id = df["mkey"].map(m["id_value"]).fillna("").astype(str)
    kind = df["mkey"].map(m["kind"])
    feats: dict[str, np.ndarray] = {}

    # names: the first that holds of exact, homophone, one character, close in sound, else differs
    exact = (df["m_name"] == df["r_name"]).to_numpy()
    m_names, r_names = df["m_name"].tolist(), df["r_name"].tolist()  # both canonical
    homophone = np.array([homophones(a, b) for a, b in zip(m_names, r_names, strict=True)], dtype=bool) & ~exact
    one_char = (cpdist(m_names, r_names, scorer=Levenshtein.distance) == 1) & ~exact & ~homophone
    close = (
        (cpdist([pinyin_of_canonical(n) for n in m_names], [pinyin_of_canonical(n) for n in r_names], scorer=fuzz.ratio) >= 85)
        & ~exact
        & ~homophone
        & ~one_char
    )
    short = (df["m_name"].str.len() <= 2).to_numpy()
    feats.update(name_exact=exact, name_homophone=homophone, name_one_char=one_char & ~short)
    feats.update(name_one_char_short=one_char & short, name_sounds_close=close)
    feats["name_differs"] = ~(exact | homophone | one_char | close)

    # ID digits: one typo (substitution, transposition, a digit added or lost), else the
    # first 14 (region + birth date; an Excel cell loses the last ones), else the birth date
    has_id = (m_id.str.len() > 0).to_numpy()
    pid_s = df["pid"].astype(str)
    typo = (cpdist(m_id.tolist(), pid_s.tolist(), scorer=OSA.distance) <= 1) & has_id
    long_id = has_id & (m_id.str.len() >= 14).to_numpy()
    p14 = (m_id.str.slice(0, 14) == pid_s.str.slice(0, 14)).to_numpy() & long_id & ~typo
    birth = (m_id.str.slice(6, 14) == pid_s.str.slice(6, 14)).to_numpy() & long_id & ~typo & ~p14
    feats["id_one_typo"], feats["id_prefix14"], feats["id_birth"] = typo, p14, birth
    # a fragment of an ID (a few digits) tells nothing either way
    feats["id_differs"] = has_id & (m_id.str.len() >= 15).to_numpy() & ~(typo | p14 | birth)

    # places, households, accounts: does the person have any of the mention's?
    cand = set(df["pid"])
    places = ref.places[_isin(ref.places["pid"], cand)]
    place_set = set(zip(places["pid"], places["vid"], strict=True))
    town_set = {(p, v.split("/", 1)[0]) for p, v in place_set}
    hh = ref.households[_isin(ref.households["pid"], cand)]
    hh_set = set(zip(hh["pid"], hh["hid"], strict=True))
    acc = ref.accounts[_isin(ref.accounts["pid"], cand)]
    acc_set = set(zip(acc["pid"], acc["account"], strict=True))
    known_place = {p for p, _ in place_set}
    vids, hids, accs = df["mkey"].map(m["vids"]), df["mkey"].map(m["hids"]), df["mkey"].map(m["accounts"])
    same_v, same_t, other_t, same_h, same_a = [], [], [], [], []
    for pid, vs, hs, acs in zip(df["pid"].tolist(), vids.tolist(), hids.tolist(), accs.tolist(), strict=True):
        v = any((pid, x) in place_set for x in vs)
        t = not v and any((pid, x.split("/", 1)[0]) in town_set for x in vs)
        same_v.append(v)
        same_t.append(t)
        other_t.append(not v and not t and bool(vs) and pid in known_place)
        same_h.append(any((pid, x) in hh_set for x in hs))
        same_a.append(any((pid, x) in acc_set for x in acs))
    feats["same_village"], feats["same_town"], feats["other_town"] = np.array(same_v), np.array(same_t), np.array(other_t)
    feats["same_household"], feats["same_account"] = np.array(same_h), np.array(same_a)

    bits = np.zeros(len(df))
    for f, on in feats.items():
        bits += WEIGHTS[f] * on
    df["bits"] = bits
    df["score"] = 1.0 / (1.0 + np.power(2.0, -(bits + kind.map(PRIORS).to_numpy(dtype=float))))
    order = sorted(feats, key=lambda f: -WEIGHTS[f])
    df["reasons"] = ["、".join(REASONS[f] for f in order if feats[f][i]) for i in range(len(df))]
    return df[["mkey", "pid", "name", "bits", "score", "reasons"]]


def decide(scored: pd.DataFrame, mentions: pd.DataFrame, settings: Settings, decisions: Iterable[Decision] = ()) -> Resolution:
    """Link, send to review, or leave each mention; reviewers' decisions win over scores."""
    confirmed = {d.mkey: d for d in decisions if d.verdict == "confirm"}
    rejected = {(d.mkey, d.pid) for d in decisions if d.verdict == "reject"}
    if len(scored) and rejected:
        keep = [(k, p) not in rejected for k, p in zip(scored["mkey"], scored["pid"], strict=True)]
        scored = scored[keep]
    scored = scored.sort_values(["mkey", "bits", "pid"], ascending=[True, False, True], kind="stable").reset_index(drop=True)
    scored = scored.astype({"bits": float, "score": float})  # an empty frame comes untyped
    # column-wise per mention (a county has thousands of mentions: a DataFrame per group cost half a minute)
    rank = scored.groupby("mkey", sort=False).cumcount().to_numpy()
    first = scored[rank == 0]
    best = dict(zip(first["mkey"], first[["pid", "score", "bits", "reasons"]].itertuples(index=False, name=None), strict=True))
    runner = dict(zip(scored["mkey"][rank == 1], scored["bits"][rank == 1], strict=True))
    top_bits = scored["mkey"].map(first.set_index("mkey")["bits"]).astype(float)
    near_of = (scored["bits"] >= top_bits - settings.margin_bits).groupby(scored["mkey"], sort=False).sum().to_dict()
    outcomes, to_review = [], set()
    for mkey in mentions["mkey"].tolist():
        if mkey in confirmed:
            d = confirmed[mkey]
            who = " ".join(x for x in (d.by, d.at) if x)
            outcomes.append((mkey, "confirmed", d.pid, 1.0, f"人工确认（{who}）" if who else "人工确认"))
            continue
        if mkey not in best:
            outcomes.append((mkey, "none", None, 0.0, "无候选人"))
            continue
        pid, score, bits, reasons = best[mkey]
        runner_bits = runner.get(mkey, -np.inf)
        if score >= settings.link_at and bits - runner_bits >= settings.margin_bits:
            outcomes.append((mkey, "linked", pid, round(float(score), 4), reasons))
        elif score >= settings.review_at:
            why = reasons
            if score >= settings.link_at:
                why = f"{int(near_of[mkey])} 名候选人得分接近（{reasons}），需人工确认"
            outcomes.append((mkey, "review", None, round(float(score), 4), why))
            to_review.add(mkey)
        else:
            outcomes.append((mkey, "none", None, round(float(score), 4), "候选人得分过低"))
    # the review list: up to five candidates of each mention sent to review, best first
    ranked = scored.assign(rank=rank + 1)
    top = ranked[ranked["mkey"].isin(to_review) & (ranked["score"] >= settings.review_at) & (ranked["rank"] <= 5)]
    review = top.assign(score=top["score"].round(4))
    return Resolution(
        pd.DataFrame(outcomes, columns=["mkey", "status", "pid", "score", "reasons"]),
        review[["mkey", "rank", "pid", "name", "score", "bits", "reasons"]].reset_index(drop=True),
    )


def resolve(
    mentions: pd.DataFrame, ref: Reference, settings: Settings | None = None, decisions: Iterable[Decision] = ()
) -> Resolution:
    """Block, score and decide every mention (columns mkey, kind, id_value, name, vids, hids, accounts)."""
    settings = settings or Settings()
    if mentions.empty or not settings.enabled:
        return empty_resolution()
    started = time.perf_counter()
    mentions = mentions.drop_duplicates("mkey").reset_index(drop=True)
    pairs = candidate_pairs(mentions, ref)
    if "exclude" in mentions and len(pairs):
        # a declared relative is never the declaring cadre
        excluded = dict(zip(mentions["mkey"], mentions["exclude"], strict=True))
        keep = [p != excluded.get(k) for k, p in zip(pairs["mkey"], pairs["pid"], strict=True)]
        pairs = pairs[keep].reset_index(drop=True)
    scored = score_pairs(pairs, mentions, ref)
    out = decide(scored, mentions, settings, decisions)
    out.pairs = len(pairs)
    out.seconds = time.perf_counter() - started
    out.stats = out.outcomes["status"].value_counts().to_dict()
    return out


def explain_weights() -> list[tuple[str, str, float]]:
    """(feature, Chinese label, bits) for the README and the review page."""
    return [(f, REASONS[f], w) for f, w in WEIGHTS.items()]


__all__ = [
    "MAX_BLOCK",
    "PRIORS",
    "REASONS",
    "WEIGHTS",
    "Decision",
    "Reference",
    "Resolution",
    "Settings",
    "candidate_pairs",
    "decide",
    "empty_resolution",
    "explain_weights",
    "resolve",
    "score_pairs",
]
