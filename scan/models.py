"""The 12 detection models of models.md: their query, parameters and grading.

Each model is one stored Cypher query (``queries/models/*.cypher``) that returns
evidence rows — one per payment and per path that makes it suspect — and a grading
function here that groups those rows into warnings: the subject, the evidence
payments, the grade (the highest among its payments), the place and a Chinese reason.
The rule that makes a payment suspect lives in the Cypher; what is done here is what
the spec defines per subject (highest grade, "close wins", earliest death date …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.store import GraphStore, text_key
from queries import load_query
from scan.warnings import GRADE_RANK, Warning, join_names, month_span, yuan


@dataclass(frozen=True)
class Model:
    """One detection model: code, Chinese title, its query and parameter defaults."""

    code: str
    number: int
    title: str
    query: str
    subject: str
    grade: Callable[[Model, pd.DataFrame, dict], list[Warning]]
    defaults: dict[str, int] = field(default_factory=dict)
    #: A first-step query whose first column lists the only subjects
    #: worth examining; the model query receives them as ``$candidates``. Two steps keep
    #: both stores on a small plan: one aggregate over the payments, then traversals
    #: from a handful of nodes, where one query let LadybugDB hash-join every payment.
    candidates: str | None = None
    #: What an incremental scan (``workbench scan --since N``) runs instead, for a model
    #: whose rows are each one payment's (with the reference data): a query that starts
    #: from the payments appended batches ``$since`` and later added (``ADDED``), not from
    #: the reference data or every payment. Appends add payments only, so the rows of
    #: older payments stand and the new rows are added to those kept from the last scan.
    since_query: str | None = None
    #: The incremental scan of a model whose rows pair one subject's payments (an
    #: account's): a query of the subjects the batches ``$since`` and later paid (first
    #: column, the key of ``subject_key`` in the rows) and whether each is now a candidate
    #: (second column). Only those subjects' rows can change: theirs are replaced by the
    #: model query's rows for the candidates among them; every other subject's rows stand.
    #: Worth it only where it reads less than the full candidates step: a month touches
    #: 140k people at city scale, and reading all their payments took longer than
    #: DUPLICATE_RECEIPT's and EXCLUSIVE_PROGRAMS' full aggregates (5.3–7.7 s against 3–5 s);
    #: those two keep a ``summary`` instead.
    since_candidates: str | None = None
    #: The rows' column that holds the subject ``since_candidates`` returns.
    subject_key: str | None = None
    #: A pairing model whose candidates are the subjects with a group of payments holding
    #: two values (DUPLICATE_RECEIPT: a person's villages; EXCLUSIVE_PROGRAMS: the programs
    #: of one exclusive group in one year): ``summary`` is a query of every group's first
    #: and last value (columns: the subject, further keys, ``first``, ``last``; the subject
    #: is the rows' ``subject_key``), ``since_summary`` the same over the payments batches
    #: ``$since`` and later added. A full scan keeps the summary; a ``--since`` scan merges
    #: the new batches' groups into it instead of aggregating every payment again (city:
    #: 13.6M payments, 2-3 s a model) and queries again only the subjects of the new
    #: groups that now hold two values.
    summary: str | None = None
    since_summary: str | None = None

    def __post_init__(self) -> None:
        if (self.since_candidates is None and self.summary is None) != (self.subject_key is None):
            raise ValueError(f"模型 {self.code}: since_candidates（或 summary）与 subject_key 须同时给出")
        if (self.summary is None) != (self.since_summary is None) or (self.summary and self.candidates):
            raise ValueError(f"模型 {self.code}: summary 与 since_summary 须同时给出，且不与 candidates 并用")

    @property
    def incremental(self) -> bool:
        """Whether a ``--since`` scan can extend the last scan's rows of this model."""
        return self.since_query is not None or self.since_candidates is not None or self.summary is not None

    def rows(
        self, store: GraphStore, params: dict[str, int], since: int = 0, summary: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """The model's evidence rows: its query (after its candidates step, if any).

        ``since`` (a batch number, 0: a full scan): only the rows that can have changed
        since that batch: those of the payments it and later batches added (``since_query``),
        or all rows of the subjects they paid (``since_candidates``), or of the subjects
        whose groups they gave a second value (``since_summary``, merged into ``summary``,
        the one the last scan kept; none: an empty one).
        """
        return self.scan(store, params, since, Kept(pd.DataFrame(), summary)).rows

    def scan(self, store: GraphStore, params: dict[str, int], since: int = 0, kept: Kept | None = None) -> Kept:
        """A full scan's rows (and summary), or, from what a scan that saw batch ``since`` - 1
        ``kept``, the rows a full scan would give now (appends add payments only). With
        ``since`` and nothing kept: only the rows that can have changed (see :meth:`rows`)."""
        if not since:
            if self.summary is not None:
                summary = store.query_table(self.summary, **_used(self.summary, params))
                return Kept(self._with_candidates(store, params, _two_valued(summary)), summary)
            if self.candidates is None:
                return Kept(store.query(self.query, **_used(self.query, params)))
            found = store.query(self.candidates, **_used(self.candidates, params))
            keys = sorted({str(v) for v in found.iloc[:, 0].dropna()}) if len(found.columns) else []
            return Kept(self._with_candidates(store, params, keys))
        kept = kept or Kept(pd.DataFrame())
        new, touched, summary = self._since(store, params, since, kept.summary)
        old = kept.rows
        if touched is None:  # rows of single payments: a payment's new rows replace its old ones
            old = old[~old["pay_id"].isin(new["pay_id"])] if len(new) and len(old) else old
        elif len(touched) and len(old):  # a subject's rows: all come again, or none if it is no longer a candidate
            # a set lookup per kept row: pandas' isin with a city month's 141k accounts made a
            # list of them and an Arrow hash table of them for a handful of kept rows (0.7 s)
            subjects = old[str(self.subject_key)].astype(str)
            old = old[~np.fromiter((v in touched for v in subjects), bool, len(subjects))]
        if not len(old):
            return Kept(new, summary)
        return Kept(pd.concat([old, new], ignore_index=True) if len(new) else old, summary)

    def _since(
        self, store: GraphStore, params: dict[str, int], since: int, summary: pd.DataFrame | None
    ) -> tuple[pd.DataFrame, set[str] | None, pd.DataFrame | None]:
        """The rows batch ``since`` and later can have changed, the subjects whose rows those
        replace (``None`` for a model whose rows are each one payment's), and the merged summary."""
        if self.since_query is not None:
            return store.query(self.since_query, **_used(self.since_query, params), since=since), None, None
        if self.since_summary is not None:
            new = store.query_table(self.since_summary, **_used(self.since_summary, params), since=since)
            merged, changed = merge_summary(summary, new)
            wanted = _two_valued(changed)
            return self._with_candidates(store, params, wanted), set(wanted), merged
        if self.since_candidates is None:
            raise ValueError(f"模型 {self.code} 不能增量扫描")
        found = store.query(self.since_candidates, **_used(self.since_candidates, params), since=since)
        keys, flags = found.iloc[:, 0], found.iloc[:, 1]
        named = keys.notna().to_numpy()
        touched = set(keys[named].astype(str))
        hit = named & flags.fillna(False).astype(bool).to_numpy()
        wanted = sorted(set(keys[hit].astype(str)))
        return self._with_candidates(store, params, wanted), touched, None

    def _with_candidates(self, store: GraphStore, params: dict[str, int], keys: list[str]) -> pd.DataFrame:
        """The model query for the candidates ``keys`` (its first step's or an incremental scan's)."""
        return store.query(self.query, **_used(self.query, params), candidates=keys)

    def parameters(self) -> frozenset[str]:
        """The ``$parameters`` its queries take, but for the candidates list the first step
        passes on and the batch an incremental scan starts from."""
        names: set[str] = set()
        for q in (self.query, self.candidates, self.since_query, self.since_candidates, self.summary, self.since_summary):
            if q:
                names |= load_query(q).params
        return frozenset(names - {"candidates", "since"})


@dataclass
class Kept:
    """What a scan keeps of a model for the next ``--since`` scan: its evidence rows and,
    for a model with a ``summary``, that summary."""

    rows: pd.DataFrame
    summary: pd.DataFrame | None = None


def _two_valued(summary: pd.DataFrame) -> list[str]:
    """The subjects (first column) of the summary's groups whose first and last value
    differ: the candidates (a group with no value is none, as ``first <> last`` is null)."""
    if summary.empty:
        return []
    hit = summary["first"].notna() & summary["last"].notna() & (summary["first"] != summary["last"])
    return sorted({str(v) for v in summary.loc[hit, summary.columns[0]].dropna()})


def merge_summary(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary of groups ``old`` (the one kept; None: empty) with the groups of ``new``
    merged in (first: the smaller, last: the larger, missing values left out, as min and
    max do), and the merged rows of ``new``'s groups. Groups are matched on every column
    but ``first`` and ``last`` with one Arrow hash lookup, not a pandas group-by of the
    whole summary (a city's 2.7M recipients)."""
    keys = [c for c in new.columns if c not in ("first", "last")]
    if old is None or old.empty:
        old = new.iloc[0:0]
    if new.empty:
        return old.reset_index(drop=True), new
    # the hash table of the new groups (a month's), looked up by each kept group: building one
    # of a city's 2.7M kept groups took 0.7 s
    at = pc.index_in(_group_key(old, keys), value_set=_group_key(new, keys)).to_numpy(zero_copy_only=False)
    hit = ~np.isnan(at)
    found = np.zeros(len(new), dtype=bool)
    pos = np.zeros(len(new), dtype=np.int64)  # for each new group found, its kept row
    found[at[hit].astype(np.int64)] = True
    pos[at[hit].astype(np.int64)] = np.flatnonzero(hit)
    pos = pos[found]
    merged = new.reset_index(drop=True).copy()
    for col, pick in (("first", np.minimum), ("last", np.maximum)):
        mine = merged[col].to_numpy(dtype=object, na_value=None)
        theirs = np.full(len(merged), None, dtype=object)
        theirs[found] = old[col].take(pos).to_numpy(dtype=object, na_value=None)
        both = pd.notna(mine) & pd.notna(theirs)
        out = np.where(pd.isna(mine), theirs, mine)
        if both.any():
            out[both] = pick(mine[both], theirs[both])
        merged[col] = pd.array(out, dtype=new[col].dtype)
    rest = np.ones(len(old), dtype=bool)
    rest[pos] = False
    whole = pd.concat([old[rest], merged], ignore_index=True) if rest.any() else merged
    return whole, merged


def _group_key(df: pd.DataFrame, keys: list[str]) -> pa.Array:
    """One text per group: its key columns joined."""
    # text columns hand over their Arrow data as they are (a city's 2.7M ids: 0.7 s as Python objects)
    return text_key([pa.array(df[k].astype("string[pyarrow]"), type=pa.string()) for k in keys])


def _used(query: str, params: dict[str, int]) -> dict[str, int]:
    """The model parameters that one of its queries takes."""
    wanted = load_query(query).params
    return {k: v for k, v in params.items() if k in wanted}


# -- helpers ---------------------------------------------------------------------------------------
def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def _payments(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per payment, the best-graded row first if rows carry a grade; ordered by date."""
    if "grade" in rows:
        rows = rows.assign(_rank=rows["grade"].map(GRADE_RANK)).sort_values(
            ["_rank", "pay_date", "pay_id"], ascending=[False, True, True], kind="stable"
        )
        rows = rows.drop(columns="_rank")
    rows = rows.drop_duplicates("pay_id")
    return rows.sort_values(["pay_date", "pay_id"], kind="stable").reset_index(drop=True)


def _place(ev: pd.DataFrame) -> tuple[str, str]:
    """Where the evidence is: the town and village with most evidence payments (earliest on a tie)."""
    counts = ev.groupby(["town", "village"], sort=False, dropna=False).size()
    town, village = counts.idxmax()
    return _text(town), _text(village)


def _paid(ev: pd.DataFrame) -> str:
    """'2021年3月至2021年12月领取最低生活保障10笔，共3,000.00元'."""
    span = month_span(ev["pay_date"].min(), ev["pay_date"].max())
    return f"{span}领取{join_names(ev['program'])}{len(ev)}笔，共{yuan(float(ev['amount'].sum()))}元"


def _groups(rows: pd.DataFrame, keys: list[str]):
    if rows.empty:
        return []
    return rows.groupby(keys, sort=True, dropna=False)


def _best(rows: pd.DataFrame) -> pd.Series:
    """The row with the highest grade, earliest payment first on a tie."""
    ranked = rows.assign(_rank=rows["grade"].map(GRADE_RANK))
    return ranked.sort_values(["_rank", "pay_date", "pay_id"], ascending=[False, True, True], kind="stable").iloc[0]


def _max_grade(grades: pd.Series) -> str:
    return max(grades, key=lambda g: GRADE_RANK[g])


# -- the models -------------------------------------------------------------------------------------
def grade_relative_benefit(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """Pair (cadre, relative); per payment red/orange (office village, close or not) or yellow (same town)."""
    out = []
    for (cadre, pid), g in _groups(rows, ["cadre_pid", "pid"]):
        close = bool(g["close"].fillna(False).astype(bool).any())  # close wins
        same_village = (g["town"] == g["office_town"]) & (g["village"] == g["office_village"])
        g = g.assign(grade=["red" if s and close else "orange" if s else "yellow" for s in same_village])
        ev = _payments(g)
        best = _best(g)
        grade = best["grade"]
        # the relation to name: a declared one of the pair's closeness first, then household ones
        pick = g[g["close"].fillna(False).astype(bool) == close]
        pick = pick.assign(_d=(pick["basis"] != "申报").astype(int)).sort_values(["_d", "pay_date"], kind="stable")
        relation = _text(pick.iloc[0]["relation"]) if len(pick) else "亲属"
        bases = set(g["basis"])
        note = "" if "申报" in bases else "（户籍推断，未申报）" if "户籍推断" in bases else "（分户关联户成员，未申报）"
        where = "本村" if grade != "yellow" else f"同镇{join_names(ev['village'])}"
        reason = (
            f"{_text(best['position'])}{_text(best['cadre_name'])}（{_text(best['office_town'])}{_text(best['office_village'])}）"
            f"的{relation}{_text(best['name'])}{note}在其任职期间于{where}{_paid(ev)}"
        )
        out.append(
            Warning(
                m.code,
                grade,
                f"{cadre}|{pid}",
                f"{_text(best['cadre_name'])}|{_text(best['name'])}",
                _text(best["office_town"]),
                _text(best["office_village"]),
                reason,
                ev,
            )
        )
    return out


def grade_cadre_self_benefit(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The cadre; red. Town and village are those of the (earliest-paid) covering office."""
    out = []
    for cadre, g in _groups(rows, ["cadre_pid"]):
        ev = _payments(g.assign(grade="red"))
        first = g.sort_values(["pay_date", "office_town", "office_village"], kind="stable").iloc[0]
        reason = (
            f"{_text(first['position'])}{_text(first['cadre_name'])}（{_text(first['office_town'])}"
            f"{_text(first['office_village'])}）在任职期间本人{_paid(ev)}"
        )
        out.append(
            Warning(
                m.code, "red", cadre[0], _text(first["cadre_name"]), _text(first["office_town"]),
                _text(first["office_village"]), reason, ev,
            )
        )  # fmt: skip
    return out


def grade_deceased_recipient(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The person; red. The death date shown is the earliest of the person's death records."""
    out = []
    for pid, g in _groups(rows, ["pid"]):
        earliest = g.sort_values(["death_day", "death_source"], kind="stable").iloc[0]
        ev = _payments(g.assign(grade="red"))
        town, village = _place(ev)
        grace = params["death_grace_days"]
        reason = (
            f"{_text(earliest['name'])}已于{_text(earliest['death_date'])}死亡（{_text(earliest['death_source'])}），"
            f"死亡超过{grace}天后仍于{_paid(ev)}"
        )
        out.append(Warning(m.code, "red", pid[0], _text(earliest["name"]), town, village, reason, ev))
    return out


def grade_public_employee_benefit(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The recipient; red when they were the employee, orange when a household member was."""
    out = []
    for pid, g in _groups(rows, ["pid"]):
        g = g.assign(grade=g["basis"].map({"本人": "red", "同户": "orange"}))
        ev = _payments(g)
        best = _best(g)
        town, village = _place(ev)
        if best["grade"] == "red":
            who = f"{_text(best['name'])}系财政供养人员（{_text(best['employer'])}），在职期间"
        else:
            who = (
                f"{_text(best['name'])}的同户成员{_text(best['employee_name'])}系财政供养人员"
                f"（{_text(best['employer'])}），其在职且在户期间{_text(best['name'])}"
            )
        out.append(Warning(m.code, best["grade"], pid[0], _text(best["name"]), town, village, who + _paid(ev), ev))
    return out


def grade_underage_elderly(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The person; red."""
    out = []
    for pid, g in _groups(rows, ["pid"]):
        ev = _payments(g.assign(grade="red"))
        first = ev.iloc[0]
        town, village = _place(ev)
        reason = (
            f"{_text(first['name'])}（{_text(first['birth_date'])}出生）领取时年仅{int(ev['age'].min())}周岁，"
            f"不满{join_names(ev['program'])}要求的{int(first['min_age'])}周岁，{_paid(ev)}"
        )
        out.append(Warning(m.code, "red", pid[0], _text(first["name"]), town, village, reason, ev))
    return out


def grade_duplicate_receipt(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """(person, program); orange."""
    out = []
    for (pid, program), g in _groups(rows, ["pid", "program"]):
        ev = _payments(g.assign(grade="orange"))
        town, village = _place(ev)
        villages = join_names(ev["town"] + ev["village"])
        reason = f"{_text(ev.iloc[0]['name'])}在{villages}同一所属期重复领取{program}，{_paid(ev)}"
        out.append(Warning(m.code, "orange", f"{pid}|{program}", _text(ev.iloc[0]["name"]), town, village, reason, ev))
    return out


def grade_exclusive_programs(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """(person, exclusive group); orange."""
    out = []
    for (pid, grp), g in _groups(rows, ["pid", "exclusive_group"]):
        ev = _payments(g.assign(grade="orange"))
        town, village = _place(ev)
        reason = f"{_text(ev.iloc[0]['name'])}同一所属期同时领取互斥项目{join_names(ev['program'])}（互斥组“{grp}”），{_paid(ev)}"
        out.append(Warning(m.code, "orange", f"{pid}|{grp}", _text(ev.iloc[0]["name"]), town, village, reason, ev))
    return out


def grade_shared_account(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The account; red when a holder name is a cadre in office there and then, or their relative."""
    out = []
    for (account,), g in _groups(rows, ["account"]):
        hit = g[g["holder_cadre_pid"].notna()]
        grade = "red" if len(hit) else "orange"
        ev = _payments(g.assign(grade=grade))
        town, village = _place(ev)
        holder = ev["holder"].dropna().mode()
        holder_name = _text(holder.iloc[0]) if len(holder) else ""
        persons = ev["pid"].nunique()
        reason = f"银行账户{account}（户名{holder_name or '空'}）为{persons}名不属同一户的人员{_paid(ev)}"
        if len(hit):
            h = hit.sort_values("pay_date", kind="stable").iloc[0]
            role = "本人" if h["holder"] == h["holder_cadre_name"] else "亲属"
            reason += f"；户名系当地在任{_text(h['holder_cadre_position'])}{_text(h['holder_cadre_name'])}{role}"
        out.append(Warning(m.code, grade, str(account), holder_name, town, village, reason, ev))
    return out


def grade_shell_household(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The household; red with the payments on days nobody lived there, else orange with all."""
    out = []
    for (hid,), g in _groups(rows, ["hid"]):
        empty = g[g["basis"] == "无人在册"]
        grade = "red" if len(empty) else "orange"
        ev = _payments((empty if len(empty) else g).assign(grade=grade))
        town, village = _place(ev)
        head = _text(g["head_name"].dropna().iloc[0]) if g["head_name"].notna().any() else ""
        label = f"户{hid}" + (f"（户主{head}）" if head else "")
        if grade == "red":
            registered = bool(g["registered"].fillna(False).astype(bool).any())
            why = "在发放日无在册居住成员（均已迁出或死亡）" if registered else "在户籍数据中不存在"
        else:
            why = "的全部成员均在其他户另有户籍（人户分离）"
        out.append(Warning(m.code, grade, str(hid), head, town, village, f"{label}{why}，按该户{_paid(ev)}", ev))
    return out


def grade_household_split(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The new household; red when a member of it or of the old one is a cadre or a cadre's relative."""
    out = []
    for (hid,), g in _groups(rows, ["hid"]):
        names = [n for lst in list(g["new_side"]) + list(g["old_side"]) for n in (lst if lst is not None else [])]
        grade = "red" if names else "orange"
        ev = _payments(g.assign(grade=grade))
        first = g.iloc[0]
        town, village = _place(ev)
        head = _text(first["head_name"])
        reason = (
            f"户{hid}"
            + (f"（户主{head}）" if head else "")
            + f"于{_text(first['created_date'])}从户{_text(first['old_hid'])}分出，"
            f"分户后{params['split_window_days']}天内新户与原户同期领取同一项目，新户{_paid(ev)}"
        )
        if names:
            reason += f"；户内{join_names(names)}系村干部或其亲属"
        out.append(Warning(m.code, grade, str(hid), head, town, village, reason, ev))
    return out


def grade_asset_ineligible(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The recipient; orange."""
    out = []
    for (pid,), g in _groups(rows, ["pid"]):
        ev = _payments(g.assign(grade="orange"))
        town, village = _place(ev)
        own = g.sort_values(["basis", "asset_kind", "asset"], kind="stable").iloc[0]  # 本人 before 同户
        who = "本人" if own["basis"] == "本人" else f"同户成员{_text(own['owner_name'])}"
        since = f"（{_text(own['asset_date'])}起）" if _text(own["asset_date"]) else ""
        asset = (
            f"名下有{_text(own['asset_type'])}{_text(own['asset'])}"
            if own["asset_kind"] == "机动车"
            else f"系{_text(own['asset'])}法定代表人"
        )
        reason = f"{_text(ev.iloc[0]['name'])}{who}{asset}{since}，仍于{_paid(ev)}"
        out.append(Warning(m.code, "orange", str(pid), _text(ev.iloc[0]["name"]), town, village, reason, ev))
    return out


def grade_invalid_id(m: Model, rows: pd.DataFrame, params: dict) -> list[Warning]:
    """The normalised ID value; yellow."""
    out = []
    for (idn,), g in _groups(rows, ["id_number"]):
        ev = _payments(g.assign(grade="yellow"))
        town, village = _place(ev)
        name = _text(ev.iloc[0]["name"])
        problem = join_names(g["id_problem"]) or "未通过校验"
        linked = g[g["link_score"].notna()] if "link_score" in g else g.iloc[0:0]
        if len(linked):
            best = linked.sort_values("link_score", ascending=False).iloc[0]
            who = (
                f"经身份解析关联到{_text(best['linked_name'])}（得分{float(best['link_score']):.2f}："
                f"{_text(best['link_reasons'])}），关联的发放已计入其名下比对"
            )
        else:
            who = "无法与户籍等数据比对"
        reason = f"{name}的身份证号{idn}无效（{problem}），{who}，{_paid(ev)}"
        out.append(Warning(m.code, "yellow", str(idn), name, town, village, reason, ev))
    return out


#: Run after the models: the identity-resolution link of each evidence payment that has one.
EVIDENCE_LINKS = "models/evidence_links"

MODELS: list[Model] = [
    Model(
        "RELATIVE_BENEFIT",
        1,
        "优亲厚友",
        "models/relative_benefit",
        "干部|亲属",
        grade_relative_benefit,
        since_query="models/relative_benefit_since",
    ),
    Model(
        "CADRE_SELF_BENEFIT",
        2,
        "村干部本人享受救助",
        "models/cadre_self_benefit",
        "干部",
        grade_cadre_self_benefit,
        since_query="models/cadre_self_benefit_since",
    ),
    Model(
        "DECEASED_RECIPIENT",
        3,
        "死亡冒领",
        "models/deceased_recipient",
        "人员",
        grade_deceased_recipient,
        {"death_grace_days": 30},
        since_query="models/deceased_recipient_since",
    ),
    Model(
        "PUBLIC_EMPLOYEE_BENEFIT",
        4,
        "财政供养人员领取低保",
        "models/public_employee_benefit",
        "人员",
        grade_public_employee_benefit,
        since_query="models/public_employee_benefit_since",
    ),
    Model(
        "UNDERAGE_ELDERLY",
        5,
        "低龄领取高龄补贴",
        "models/underage_elderly",
        "人员",
        grade_underage_elderly,
        since_query="models/underage_elderly_since",
    ),
    Model(
        "DUPLICATE_RECEIPT",
        6,
        "重复领取",
        "models/duplicate_receipt",
        "人员|项目",
        grade_duplicate_receipt,
        summary="models/duplicate_receipt_summary",
        since_summary="models/duplicate_receipt_since_summary",
        subject_key="pid",
    ),
    Model(
        "EXCLUSIVE_PROGRAMS",
        7,
        "互斥项目",
        "models/exclusive_programs",
        "人员|互斥组",
        grade_exclusive_programs,
        summary="models/exclusive_programs_summary",
        since_summary="models/exclusive_programs_since_summary",
        subject_key="pid",
    ),
    Model(
        "SHARED_ACCOUNT",
        8,
        "一卡多人",
        "models/shared_account",
        "账户",
        grade_shared_account,
        {"shared_account_min_persons": 3},
        candidates="models/shared_account_candidates",
        since_candidates="models/shared_account_since_candidates",
        subject_key="account",
    ),
    Model(
        "SHELL_HOUSEHOLD",
        9,
        "空挂户",
        "models/shell_household",
        "户",
        grade_shell_household,
        candidates="models/shell_household_candidates",
        since_query="models/shell_household_since",
    ),
    Model(
        "HOUSEHOLD_SPLIT",
        10,
        "拆户骗保",
        "models/household_split",
        "户",
        grade_household_split,
        {"split_window_days": 365},
    ),
    Model(
        "ASSET_INELIGIBLE",
        11,
        "有车有企享低保",
        "models/asset_ineligible",
        "人员",
        grade_asset_ineligible,
        since_query="models/asset_ineligible_since",
    ),
    Model(
        "INVALID_ID", 12, "身份证号无效", "models/invalid_id", "身份证号", grade_invalid_id, since_query="models/invalid_id_since"
    ),
]

BY_CODE = {m.code: m for m in MODELS}


def select(codes: list[str] | None) -> list[Model]:
    """Models by code, in model order; ``None`` or empty means all. Unknown codes are an error."""
    if not codes:
        return list(MODELS)
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise ValueError("未知的模型代码: " + ", ".join(unknown) + "（可用: " + ", ".join(BY_CODE) + "）")
    wanted = set(codes)
    return [m for m in MODELS if m.code in wanted]
