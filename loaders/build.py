"""Normalised records of all files → node and relationship tables of the schema.

This is where rows become a graph: people are keyed by normalised ID number,
households keep the first non-empty value of each household-level field, declared
relatives are matched to people, and every node and relationship keeps the file and
line it came from. The same tables feed both stores.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import Schema, load_schema
from loaders.contract import CLOSE_RELATIONS, FARM_VEHICLE_WORDS
from loaders.normalize import EPOCH, normalise_id
from loaders.parse import ParsedFile, text_codes
from resolve.engine import Decision, Reference, Resolution, Settings, empty_resolution, resolve
from resolve.records import MENTION_COLUMNS, mention_key, payment_mentions, reference_from

SRC = ["src_fid", "src_line"]


@dataclass
class GraphTables:
    """Rows for every node label and relationship type, plus notes for the load report."""

    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)
    rels: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: What identity resolution decided, and the mentions it looked at (for the review list).
    resolution: Resolution = field(default_factory=empty_resolution)
    mentions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MENTION_COLUMNS))
    #: The reference identity resolution compared against (kept beside the store for appends).
    reference: Reference | None = None


@dataclass
class ResolveOptions:
    """Identity resolution at load: on or off, thresholds, and the reviewers' decisions so far."""

    enabled: bool = True
    settings: Settings = field(default_factory=Settings)
    decisions: list[Decision] = field(default_factory=list)


def _records(files: list[ParsedFile], kind: str) -> pd.DataFrame:
    frames = [f.records for f in files if f.kind == kind and f.error is None and len(f.records)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _days(iso: pd.Series, ymd: tuple[np.ndarray, ...] | None = None) -> pd.Series:
    """ISO date strings → day numbers (nullable).

    What ``pd.to_datetime(format="%Y-%m-%d", errors="coerce")`` gives: the dates written
    ``YYYY-MM-DD`` (all of a register's birth dates, taken from ID numbers) are counted
    with numpy from their characters, and only the rest go through pandas (a city's 9.1M
    birth dates took 3 s there, and 1 GB of Python text on the way). ``ymd``: the dates'
    :func:`_ymd`, when already read."""
    year, md, _, is_date = ymd if ymd is not None else _ymd(iso)
    month, day = md // 100, md % 100
    # whole dates pandas can hold: others (and other spellings) are left to pandas
    ok = is_date & (_lengths(iso) == 10) & (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1678) & (year <= 2261)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]").astype(np.int64)
    ok &= day <= (months + 1).astype("datetime64[D]").astype(np.int64) - first
    days = np.where(ok, first + day - 1, 0)
    missing = ~ok
    rest = np.flatnonzero(missing & iso.notna().to_numpy())
    if len(rest):
        d = pd.to_datetime(iso.iloc[rest], format="%Y-%m-%d", errors="coerce")
        parsed = (d - pd.Timestamp(EPOCH)).dt.days
        days[rest] = parsed.fillna(0).to_numpy(dtype=np.int64)
        missing[rest] = parsed.isna().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(days.astype(np.int64), missing), index=iso.index)


def _lengths(values: pd.Series) -> np.ndarray:
    """The length in characters of each value (missing: 0)."""
    return pc.utf8_length(_text_array(values)).fill_null(0).to_numpy(zero_copy_only=False)


def _text_array(values: pd.Series) -> pa.Array:
    """``values`` as one Arrow array of text (anything not text as its ``str``)."""
    try:
        arr = pa.array(values, from_pandas=True, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array([None if v is None or v != v else str(v) for v in values], type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _nz(s: pd.Series) -> pd.Series:
    """Empty strings as missing, so ``first()`` picks the first non-empty value."""
    return s.where(s.notna() & (s.astype(str) != ""), None)


def _vid(town: pd.Series, village: pd.Series) -> pd.Series:
    return (town.astype(str) + "/" + village.astype(str)).where(town.notna() & village.notna(), None)


def _person_rows(df: pd.DataFrame, id_col: str, name_col: str | None, text: bool = True) -> pd.DataFrame:
    """A person row for each row of ``df`` with an ID value in ``id_col``; its text
    columns as Arrow strings unless not ``text`` (see :func:`_text`)."""
    if df.empty or id_col not in df:
        return pd.DataFrame()
    rows = pd.DataFrame(
        {
            "pid": df[id_col],
            "id_number": df[id_col],
            "id_valid": df[f"{id_col}_valid"].astype(bool),
            "id_problem": df[f"{id_col}_problem"],
            "name": df[name_col] if name_col else None,
            "sex": df[f"{id_col}_sex"],
            "birth_date": df[f"{id_col}_birth"],
            "src_fid": df["src_fid"],
            "src_line": df["src_line"],
        }
    )
    present = rows["pid"].notna().to_numpy()
    # not filtered when all are there: a copy of the register's 9.1M rows, for nothing
    rows = rows if present.all() else rows[present]
    return _text(rows, PERSON_TEXT) if text else rows


#: The text columns of a person row.
PERSON_TEXT = ["pid", "id_number", "id_problem", "name", "sex", "birth_date"]


def _text(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``cols`` of ``df`` as Arrow strings (missing values stay missing). Frames from the
    household register are typed already (``parse.typed_columns``); one of Python
    objects among them would make their concatenation objects again, for 9M people."""
    return df.astype({c: "str" for c in cols if c in df and df[c].dtype != "str"})


@dataclass
class PaymentSummary:
    """What a streamed load's first pass over the payment files keeps for the build: the
    rows identity resolution needs as reference, and the mentions to resolve."""

    reference_rows: pd.DataFrame
    mentions: pd.DataFrame


def build_graph(
    files: list[ParsedFile],
    schema: Schema | None = None,
    resolution: ResolveOptions | None = None,
    streamed: PaymentSummary | None = None,
    on_reference: Callable[[Reference], None] | None = None,
) -> GraphTables:
    """Build every node and relationship table from the parsed files.

    ``streamed``: the payment files are not among ``files`` but read in chunks by the
    loader (``loaders/stream.py``), which writes their tables with
    :func:`payment_tables`; only their reference rows and mentions come in here, so that
    identity resolution sees the same inputs as a build from whole files.

    With ``resolution`` enabled (the default), payment rows with an invalid ID number and
    declared relatives matched neither by ID nor by a unique name are resolved against
    the people with valid ID numbers (``resolve/``); a link moves the payment to that
    person, keeping the row's own ID value for model 12.

    ``on_reference``: takes identity resolution's reference as soon as resolution is
    done, instead of ``GraphTables.reference`` holding it (a city's is 1.7 GB on disk)
    while the rest of the graph is built.
    """
    schema = schema or load_schema()
    opts = resolution or ResolveOptions()
    out = GraphTables()
    cadres = _records(files, "cadres")
    relatives = _records(files, "relatives")
    households = _records(files, "households")
    payments = _records(files, "payments")
    programs = _records(files, "programs")
    employees = _records(files, "public_employees")
    deaths = _records(files, "deaths")
    vehicles = _records(files, "vehicles")
    businesses = _records(files, "businesses")

    # -- identity resolution -------------------------------------------------------------------
    pay_mentions, pay_mkeys = payment_mentions(payments)
    if streamed is not None:
        pay_mentions = streamed.mentions

    def resolved() -> _DeclaredByRule | None:
        """The declarations matched by rule, then the others and the payment rows without a
        valid ID number resolved against the reference (which is made and handed on here)."""
        rel_pre = _declared_by_rule(relatives, cadres, households) if not relatives.empty else None
        mentions = pd.concat([pay_mentions, rel_pre.mentions if rel_pre is not None else None], ignore_index=True)
        if opts.enabled:
            records = {
                "households": households, "cadres": cadres, "public_employees": employees, "deaths": deaths,
                "payments": streamed.reference_rows if streamed is not None else payments,
                "relatives": relatives, "vehicles": vehicles, "businesses": businesses,
            }  # fmt: skip
            # built even with nothing to resolve now: an appended month resolves against it
            # a streamed load's payment rows come one of each already (the first pass kept them so);
            # the sources' rows as they come, repeats kept: resolved alike, and not deduplicated
            # on the one core the build keeps busy (a city's reference: 14 s -> 1 s, resolution
            # 8.5 -> 11.8 s)
            out.reference = reference_from(records, payments_distinct=streamed is not None, distinct=False)
        if opts.enabled and len(mentions):
            out.resolution = resolve(mentions, out.reference, opts.settings, opts.decisions)
            out.mentions = mentions
            st = out.resolution.stats
            out.notes.append(
                f"身份解析：{len(mentions)} 条待解析记录，自动关联 {st.get('linked', 0)}，人工确认 {st.get('confirmed', 0)}，"
                f"待人工复核 {st.get('review', 0)}，未关联 {st.get('none', 0)}（比对 {out.resolution.pairs} 对）"
            )
        if on_reference is not None and out.reference is not None:
            on_reference(out.reference)
            out.reference = None
        return rel_pre

    # Identity resolution (the declarations' rule matching and the reference with it) runs
    # in a thread while the places, households, registrations and people are built: much
    # of both is Arrow and numpy, which let go of the interpreter, and a city's build kept
    # one core busy for 33 s (21.5 s this way, 1.7 cores busy). The thread only reads the files' records, as
    # the build does. Its links are waited for where they are first needed: the payments
    # of a build from whole files, else the declared relatives, after the people.
    pool = ThreadPoolExecutor(1, thread_name_prefix="resolve")
    resolving = pool.submit(resolved)
    pool.shutdown(wait=False)

    def links_now() -> pd.DataFrame:
        resolving.result()
        return payment_links(out.resolution)

    links: pd.DataFrame | None = None
    if not payments.empty:
        links = links_now()
        payments = apply_payment_links(payments, pay_mkeys, links)

    out.nodes["SourceFile"] = source_files([f for f in files if f.error is None])

    # -- places ---------------------------------------------------------------------------
    place_frames = [_text(df[["town", "village", *SRC]], ["town", "village"]) for df in (cadres, households) if not df.empty]
    places = pd.concat(place_frames, ignore_index=True) if place_frames else pd.DataFrame(columns=["town", "village", *SRC])
    places = places[places["town"].notna() & places["village"].notna()]
    places = places.assign(vid=_vid(places["town"], places["village"]))
    villages = places.drop_duplicates("vid")
    out.nodes["Village"] = pd.DataFrame(
        {"vid": villages["vid"], "town": villages["town"], "name": villages["village"], **_src(villages)}
    )
    towns = places.drop_duplicates("town")
    out.nodes["Town"] = pd.DataFrame({"name": towns["town"], **_src(towns)})
    out.rels["IN_TOWN"] = pd.DataFrame({"from": villages["vid"], "to": villages["town"], **_src(villages)})
    # Memory: the locals of this function live until it returns, and for a city these
    # are copies of 9M registrations (places: about 0.8 GB; the people's rows below:
    # about 1 GB), held through finding homes, the build's highest point. Dropped as
    # soon as they are used.
    del place_frames, places, villages, towns

    # -- people -----------------------------------------------------------------------------
    person_frames = [
        _person_rows(households, "id_number", "name"),
        _person_rows(cadres, "id_number", "name"),
        _person_rows(employees, "id_number", "name"),
        _person_rows(deaths, "id_number", "name"),
        # a linked payment row's person is someone else's row already
        _person_rows(payments[payments["person"] == payments["id_number"]] if len(payments) else payments, "id_number", "name"),
        _person_rows(relatives, "cadre_id_number", "cadre_name"),
        _person_rows(vehicles, "owner_id_number", "owner_name"),
        _person_rows(businesses, "legal_rep_id_number", "legal_rep_name"),
    ]

    # -- households ---------------------------------------------------------------------------
    hh_nodes = pd.DataFrame(columns=["hid"])
    if not households.empty:
        cols = ["town", "village", "address", "household_created_date", "split_from"]
        first = households[["household_id", *cols, *SRC]].assign(vid=_vid(households["town"], households["village"]))
        for c in [*cols, "vid"]:
            first[c] = _nz(first[c])
        # provenance is the first row of the household: every row has its file and line,
        # so the first non-empty cell of each is the first row's (it was merged back from
        # a drop_duplicates of a city's 9.1M registrations: 2.2 s)
        first = first.groupby("household_id", sort=False).first().reset_index()
        hh_nodes = pd.DataFrame(
            {
                "hid": first["household_id"],
                "town": first["town"],
                "village": first["village"],
                "vid": first["vid"],
                "address": first["address"],
                "created_date": first["household_created_date"],
                "created_day": _days(first["household_created_date"]),
                "split_from": first["split_from"],
                "registered": True,
                **_src(first),
            }
        )
        out.rels["MEMBER_OF"] = pd.DataFrame(
            {
                "from": households["id_number"],
                "to": households["household_id"],
                "relation_to_head": households["relation_to_head"],
                "status": households["status"],
                "status_date": households["status_date"],
                "status_day": households["status_day"],
                **_src(households),
            }
        )
        with_split = hh_nodes[hh_nodes["split_from"].notna() & (hh_nodes["split_from"] != hh_nodes["hid"])]
        out.rels["SPLIT_FROM"] = pd.DataFrame({"from": with_split["hid"], "to": with_split["split_from"], **_src(with_split)})
    extra_hh = []
    if "SPLIT_FROM" in out.rels:
        sf = out.rels["SPLIT_FROM"]
        missing = sf[~isin(sf["to"], hh_nodes["hid"])].drop_duplicates("to")
        if len(missing):
            extra_hh.append(pd.DataFrame({"hid": missing["to"], "registered": False, **_src(missing)}))
    out.nodes["Household"] = pd.concat([hh_nodes, *extra_hh], ignore_index=True) if extra_hh else hh_nodes
    hh = out.nodes["Household"]
    located = hh[hh["vid"].notna()] if "vid" in hh else hh.iloc[0:0]
    out.rels["HOUSEHOLD_IN"] = pd.DataFrame({"from": located["hid"], "to": located["vid"], **_src(located)})

    # -- cadres and declared relatives -------------------------------------------------------
    if not cadres.empty:
        out.rels["HOLDS_OFFICE"] = pd.DataFrame(
            {
                "from": cadres["id_number"],
                "to": _vid(cadres["town"], cadres["village"]),
                "position": cadres["position"],
                "town": cadres["town"],
                "village": cadres["village"],
                "term_start_date": cadres["term_start_date"],
                "term_start_day": cadres["term_start_day"],
                "term_end_date": cadres["term_end_date"],
                "term_end_day": cadres["term_end_day"],
                **_src(cadres),
            }
        )

    # -- programs and payments ----------------------------------------------------------------
    prog_nodes = pd.DataFrame(columns=["name"])
    if not programs.empty:
        g = programs.assign(exclusive_group=_nz(programs["exclusive_group"]), department=_nz(programs["department"])).groupby(
            "program", sort=False
        )
        prog_nodes = pd.DataFrame(
            {
                "means_tested": g["means_tested"].any(),  # listed twice: means-tested if any row says so
                "exclusive_group": g["exclusive_group"].first(),
                "min_age": g["min_age"].first(),
                "department": g["department"].first(),
                "listed": True,
                "src_fid": g["src_fid"].first(),
                "src_line": g["src_line"].first(),
            }
        ).reset_index(names="name")
    out.nodes["Program"] = prog_nodes

    # -- base data collided against payments --------------------------------------------------
    if not employees.empty:
        emp = employees.drop_duplicates("employer")
        out.nodes["Employer"] = pd.DataFrame({"name": emp["employer"], **_src(emp)})
        out.rels["EMPLOYED_AT"] = pd.DataFrame(
            {
                "from": employees["id_number"],
                "to": employees["employer"],
                "start_date": employees["start_date"],
                "start_day": employees["start_day"],
                "end_date": employees["end_date"],
                "end_day": employees["end_day"],
                **_src(employees),
            }
        )
    if not deaths.empty:
        did = deaths["src_fid"].astype(str) + ":" + deaths["src_line"].astype(str)
        out.nodes["Death"] = pd.DataFrame(
            {
                "did": did,
                "death_date": deaths["death_date"],
                "death_day": deaths["death_day"],
                "source": deaths["source"],
                **_src(deaths),
            }
        )
        out.rels["DIED"] = pd.DataFrame({"from": deaths["id_number"], "to": did, **_src(deaths)})
    if not vehicles.empty:
        veh = vehicles.drop_duplicates("plate")
        farm = veh["vehicle_type"].astype(str).apply(lambda t: any(w in t for w in FARM_VEHICLE_WORDS))
        out.nodes["Vehicle"] = pd.DataFrame(
            {
                "plate": veh["plate"],
                "vehicle_type": veh["vehicle_type"],
                "farm": farm,
                "registered_date": veh["registered_date"],
                "registered_day": veh["registered_day"],
                **_src(veh),
            }
        )
        out.rels["OWNS_VEHICLE"] = pd.DataFrame({"from": vehicles["owner_id_number"], "to": vehicles["plate"], **_src(vehicles)})
    if not businesses.empty:
        bid = businesses["credit_code"].where(businesses["credit_code"].notna(), "名称:" + businesses["company"])
        biz = businesses.assign(bid=bid)
        first_biz = biz.drop_duplicates("bid")
        out.nodes["Business"] = pd.DataFrame(
            {
                "bid": first_biz["bid"],
                "company": first_biz["company"],
                "credit_code": first_biz["credit_code"],
                "founded_date": first_biz["founded_date"],
                "founded_day": first_biz["founded_day"],
                "capital": first_biz["capital"],
                **_src(first_biz),
            }
        )
        out.rels["LEGAL_REP_OF"] = pd.DataFrame({"from": biz["legal_rep_id_number"], "to": biz["bid"], **_src(biz)})

    # the register's person rows come first and, when every registration has an id, are
    # its rows in order: the registrations' ids (MEMBER_OF from) are then those rows' ids
    register_rows = len(person_frames[0])
    # Each row's id_number is its pid (the placeholders', which are not, join later): left
    # out of the concatenation and the take of the first of each, and given back as the
    # pid's own column (two copies of a city's 9.1M ids at the build's highest point)
    person_rows = pd.concat([p.drop(columns="id_number") for p in person_frames if len(p)], ignore_index=True)
    del person_frames
    # the people's ids and the registrations' coded together, once (the register's ids
    # are most of both): each took a dictionary encoding of a city's 9M ids (3.6 s)
    member = out.rels.get("MEMBER_OF")
    if member is not None and register_rows == len(households):
        # coded with the people's rows already (coding them again: 2.9 s of a city's build)
        row_codes = text_codes([person_rows["pid"]])[0]
        member_codes = [row_codes[:register_rows]]
    else:
        row_codes, *member_codes = text_codes([person_rows["pid"], *([member["from"]] if member is not None else [])])
    persons = _first_of_each(person_rows, row_codes)
    del person_rows, row_codes
    persons.insert(1, "id_number", persons["pid"])
    persons = _with_birth(persons)
    # the persons' codes are 0, 1, 2 ... in their order (one row per code, by first appearance)
    out.nodes["Person"] = _with_home(persons, out, (np.arange(len(persons)), member_codes[0]) if member_codes else None)
    del member, member_codes, persons

    # -- declared relatives -------------------------------------------------------------------
    # Only here are identity resolution's links waited for (a streamed load's; a build from
    # whole files has them already): the people are built without the placeholders of the
    # declarations that match no one, which then join them. The people's build (9 s of a
    # city's) so runs beside the resolution instead of after it.
    links = links if links is not None else links_now()
    rel_pre = resolving.result()
    if rel_pre is not None:
        rel_table, placeholders, notes = _declared_relatives(relatives, cadres, rel_pre, links)
        out.rels["DECLARED_RELATIVE"] = rel_table
        out.nodes["Person"] = _with_placeholders(out.nodes["Person"], _text(placeholders, PERSON_TEXT))
        out.notes.extend(notes)
    if not cadres.empty:
        out.rels["RELATIVE_OF"] = _relatives_of(cadres, out.rels.get("DECLARED_RELATIVE"), out.rels.get("MEMBER_OF"), hh_nodes)
        by_basis = out.rels["RELATIVE_OF"]["basis"].value_counts()
        out.notes.append(
            "干部亲属关系："
            + "，".join(f"{b} {int(by_basis.get(b, 0)):,}" for b in ("申报", "户籍推断", "分户关联"))
            + "（户籍推断、分户关联为未申报但按户籍认定的亲属）"
        )

    if not payments.empty:
        ctx = PaymentContext.from_tables(out)
        # numbered in their order, as a streamed load numbers its chunks' (Payment.pay_no)
        payments = payments.assign(pay_no=np.arange(1, len(payments) + 1, dtype=np.int64))
        for name, df in payment_tables(payments, ctx).items():
            table = out.nodes if name in schema.nodes else out.rels
            table[name] = pd.concat([table[name], df], ignore_index=True) if name in table else df
        homes = ctx.final_homes()
        if len(homes):
            person = out.nodes["Person"].set_index("pid", drop=False)
            person.loc[homes["pid"], ["town", "village"]] = homes[["town", "village"]].to_numpy()
            out.nodes["Person"] = person.reset_index(drop=True)
        out.notes.extend(ctx.notes())

    _fill_missing_columns(out, schema)
    return out


def source_files(files: list[ParsedFile], batch: int | None = None) -> pd.DataFrame:
    """SourceFile rows of the files a load read (``batch``: the load batch, when known)."""
    return pd.DataFrame(
        [{"fid": f.fid, "name": f.name, "kind": f.kind, "sha256": f.sha256, "rows": f.rows_read, "batch": batch} for f in files],
        columns=["fid", "name", "kind", "sha256", "rows", "batch"],
    )


#: The node labels (and their keys) a payment may create: what a PaymentContext keeps known.
CONTEXT_KEYS = {"Person": "pid", "Household": "hid", "Village": "vid", "Town": "name", "Program": "name", "Account": "number"}


def payment_links(resolution: Resolution) -> pd.DataFrame:
    """The links identity resolution made (or a reviewer confirmed), by mention key."""
    links = resolution.outcomes
    return links[links["status"].isin(["linked", "confirmed"])].set_index("mkey")


@dataclass
class PaymentContext:
    """What the graph already holds when payments are added: the keys of the nodes a
    payment may create, the programs' flags, where people are registered, and for the
    people without a home yet the place of their earliest payment so far.

    One context serves every chunk of a streamed load (and an append), so that a chunk
    creates only nodes no earlier chunk created and the result equals one pass.
    """

    registrations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["person", "household_id"]))
    #: person ids -> their registrations (person, household_id) in a store, asked per chunk
    #: instead of holding a city's 9M registrations (an append reads a month, not the city)
    registrations_of: Callable[[list[str]], pd.DataFrame] | None = None
    known: dict[str, KeySet] = field(default_factory=lambda: {label: KeySet() for label in CONTEXT_KEYS})
    uses: KeySet = field(default_factory=lambda: KeySet())  # person + account of the USES_ACCOUNT present
    homeless: set[str] = field(default_factory=set)  # people present with no home (it comes from payments)
    batch: int = 1
    programs: dict[str, bool] = field(default_factory=dict)  # program -> means-tested
    #: program -> its minimum age (programs without one are absent)
    min_ages: dict[str, int] = field(default_factory=dict)
    best_home: dict[str, tuple] = field(default_factory=dict)  # pid -> (day, pay_id, town, village)
    written_home: dict[str, tuple] = field(default_factory=dict)  # pid -> (town, village) as written
    unlisted: list[str] = field(default_factory=list)

    @classmethod
    def from_tables(cls, out: GraphTables, batch: int = 1) -> PaymentContext:
        """The context of a graph built in memory (no payments yet)."""
        person = out.nodes.get("Person", pd.DataFrame(columns=["pid", "town"]))
        programs = out.nodes.get("Program", pd.DataFrame(columns=["name", "means_tested"]))
        member = out.rels.get("MEMBER_OF")
        regs = (
            member[["from", "to"]].rename(columns={"from": "person", "to": "household_id"})
            if member is not None
            else pd.DataFrame(columns=["person", "household_id"])
        )
        known = {
            label: KeySet(out.nodes[label][key].dropna()) if label in out.nodes else KeySet()
            for label, key in CONTEXT_KEYS.items()
        }
        ctx = cls(
            # as they are: _payment_households drops the duplicates of the few it takes
            # (dropping them here, of a city's 9.1M, took 8 s)
            registrations=regs,
            known=known,
            homeless=set(person.loc[person["town"].isna(), "pid"]) if "town" in person else set(),
            batch=batch,
        )
        ctx.add_programs(programs)
        return ctx

    def add_programs(self, programs: pd.DataFrame) -> None:
        """Take the means-tested flag and minimum age of programs (name, means_tested,
        min_age) not known yet; both are copied onto each payment."""
        for name, flag in _means_tested(programs).items():
            self.programs.setdefault(name, flag)
        for name, age in _min_ages(programs).items():
            self.min_ages.setdefault(name, age)

    def final_homes(self) -> pd.DataFrame:
        """pid, town, village of the people whose home (the earliest payment's place) is
        not what was written when their node was created."""
        rows = [
            (pid, best[2], best[3]) for pid, best in self.best_home.items() if self.written_home.get(pid) != (best[2], best[3])
        ]
        return pd.DataFrame(rows, columns=["pid", "town", "village"])

    def notes(self) -> list[str]:
        """Load-report notes of the payments seen through this context."""
        if not self.unlisted:
            return []
        return ["以下项目不在项目目录中，按非经济状况核查项目处理: " + "、".join(self.unlisted)]


class KeySet:
    """A set of text keys held as 64-bit hashes in sorted arrays: 8 bytes a key, where a
    Python set of a city's 9M person ids took about 1 GB through the payments' pass.

    Two different keys hashing alike (odds about 1 in 10^5 among 20M keys) would make the
    second look present: its node would not be created and the COPY of its relationships
    would stop the load with an error naming the missing end, so nothing is lost silently.
    """

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._main = _sorted_unique(_hashes(keys)[0])
        self._recent = np.zeros(0, np.uint64)  # merged into _main when it grows: no re-sort per chunk

    def __len__(self) -> int:
        return len(self._main) + len(self._recent)

    def __contains__(self, key: str) -> bool:
        return bool(self.contains([key])[0])

    def contains(self, keys: Iterable[str]) -> np.ndarray:
        """For each key, whether it is in the set (a missing value is in no set)."""
        h, present = _hashes(keys)
        found = np.zeros(len(present), dtype=bool)
        found[present] = self.has_hashes(h)
        return found

    def has_hashes(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash (as :func:`_hashes` gives them), whether its key is in the set."""
        if not len(hashes):
            return np.zeros(0, dtype=bool)
        # sorted once for both arrays (see _ordered_in); any order of equal hashes: each
        # is put back at its place
        order = np.argsort(hashes)
        ordered = hashes[order]
        found = np.empty(len(hashes), dtype=bool)
        found[order] = _ordered_in(self._main, ordered) | _ordered_in(self._recent, ordered)
        return found

    def update(self, keys: Iterable[str]) -> None:
        """Add ``keys`` (missing values are skipped)."""
        self.add_hashes(_hashes(keys)[0])

    def add_hashes(self, hashes: np.ndarray) -> None:
        """Add keys by their hashes (as :meth:`hashes` gives them)."""
        h = _sorted_unique(hashes)
        self._recent = _merged(self._recent, h[~_ordered_in(self._main, h)])
        if len(self._recent) > max(1 << 16, len(self._main) // 8):
            self._main = _merged(self._main, self._recent)
            self._recent = np.zeros(0, np.uint64)

    def hashes(self) -> np.ndarray:
        """The keys' hashes, sorted: what is saved beside a store for the next append."""
        return _sorted_unique(np.concatenate([self._main, self._recent]))


def _sorted_unique(h: np.ndarray) -> np.ndarray:
    """The distinct values of ``h``, sorted. ``np.unique`` (and ``union1d``) in numpy 2.4
    take 11 s for 9M 64-bit values where a sort and a neighbour comparison take 0.6 s:
    a city append spent 35 s in them before reading a single row. Hashes read back from
    beside a store are sorted and distinct already, and are taken as they are."""
    h = h.astype(np.uint64, copy=False)
    if len(h) < 2 or bool((h[1:] > h[:-1]).all()):
        return h
    s = np.sort(h)
    keep = np.ones(len(s), dtype=bool)
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


#: Keys hashed at a time: each slice is made Python text first, which for a city's 9M
#: person ids at once took 4 GB for a moment (the load's highest point after the build).
HASH_SLICE = 1 << 20


def _hashes(keys: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of the present keys (the same for a key as Python or Arrow text), and
    which of ``keys`` were present. A key's hash does not depend on the others (saved
    hashes beside a store are compared with new ones), so slices hash as the whole would."""
    values = keys if isinstance(keys, pd.Series) else pd.Series(list(keys), dtype=object)
    present = values.notna().to_numpy()
    kept = values[present]
    parts = [hash_text(kept.iloc[i : i + HASH_SLICE].to_numpy(dtype=object)) for i in range(0, len(kept), HASH_SLICE)]
    return (np.concatenate(parts) if parts else np.zeros(0, np.uint64)), present


def hash_text(values: np.ndarray) -> np.ndarray:
    """pandas' 64-bit hash of each value's text (``str(v)``; saved hashes beside a store
    were made so, and must stay comparable). Values that are text already are hashed as
    they are: ``astype(str)`` made pandas 3 build Arrow strings and turn them back into
    Python text for every key."""
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = np.array([str(v) for v in values], dtype=object)
    # Not factorised first (the same hashes): keys are mostly distinct, and factorising
    # 1M distinct ids took 0.78 s of the 0.88 s their hashing took (a city's 9.1M people
    # are hashed once for the payments' context, and every chunk hashes its keys)
    return pd.util.hash_array(values, categorize=False)


def _merged(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct values of two sorted arrays, sorted. The sort is numpy's stable one
    (timsort), which merges the two runs it finds in one pass: the default sort of the
    two put together, chunk after chunk of a city's second pass, took 8 s of its main
    process for the people's, accounts' and account uses' keys."""
    if not len(a) or not len(b):
        return a if len(b) == 0 else b
    s = np.concatenate([a, b])
    s.sort(kind="stable")
    keep = np.ones(len(s), dtype=bool)
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s if keep.all() else s[keep]


def _ordered_in(members: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """For each of ``ordered`` (sorted), whether sorted ``members`` holds it. Looked up in
    sorted order, each search starts where the last ended, in memory the last one touched
    (120k keys of a chunk in a city's 9.1M people: 0.074 -> 0.014 s)."""
    if not len(members) or not len(ordered):
        return np.zeros(len(ordered), dtype=bool)
    at = np.searchsorted(members, ordered).clip(max=len(members) - 1)
    return members[at] == ordered


def _new(df: pd.DataFrame, key: str, known: KeySet) -> pd.DataFrame:
    """Rows of ``df`` (unique by ``key``) whose key is not known yet; the keys become known."""
    return _new_of(keyed(df, df[key]), known)


def _new_of(rows: Keyed, known: KeySet) -> pd.DataFrame:
    """The rows whose key (hashed once, by :func:`keyed`) ``known`` does not have yet;
    their keys become known."""
    new = rows.lacking(known)
    known.add_hashes(new.hashes)
    return new.rows


def _in_set(values: pd.Series, members: set) -> np.ndarray:
    """``values.isin(members)`` for a chunk's values and a large set (a city's 9M people):
    one lookup per value, where ``isin`` first hashes every member again, chunk after chunk."""
    return np.fromiter((v in members for v in values), dtype=bool, count=len(values))


def isin(values: pd.Series, members: pd.Series) -> np.ndarray:
    """``values.isin(members)`` for two columns of text, in Arrow's hash join. pandas 3
    checks Arrow strings against members one Python scalar at a time: minutes for the
    9M people of a city. Missing values are in nothing."""
    return index_in(values, members) >= 0


def payment_tables(payments: pd.DataFrame, ctx: PaymentContext) -> dict[str, pd.DataFrame]:
    """Nodes and relationships that ``payments`` (normalised, links applied, numbered in
    ``pay_no``: the Payment key) add to the graph described by ``ctx``: places,
    households, programs, people and accounts not known yet, the payments and their
    relationships. ``ctx`` is updated.

    Two halves: :func:`payment_parts` (everything a row gives by itself, and the keys'
    hashes) and :func:`add_payment_parts` (which nodes are new, in chunk order). A
    streamed load runs the first half of its chunks in worker processes."""
    parts = payment_parts(payments, ctx)
    return {**add_payment_parts(parts, ctx), **parts.rows}


@dataclass
class Keyed:
    """Rows unique by a key, with the 64-bit hashes of the present keys (:func:`_hashes`)."""

    rows: pd.DataFrame
    hashes: np.ndarray
    present: np.ndarray

    def lacking(self, known: KeySet) -> Keyed:
        """The rows whose key ``known`` does not have (a missing key is never known)."""
        hit = known.has_hashes(self.hashes)
        drop = np.zeros(len(self.present), dtype=bool)
        drop[self.present] = hit
        return Keyed(self.rows[~drop], self.hashes[~hit], self.present[~drop])


def keyed(df: pd.DataFrame, keys: pd.Series, known: KeySet | None = None) -> Keyed:
    """The rows of ``df`` with their ``keys`` (a column, distinct) hashed; with ``known``,
    only the rows whose key it lacks (keys are never forgotten: one known now is known later)."""
    rows = Keyed(df, *_hashes(keys))
    return rows if known is None else rows.lacking(known)


@dataclass
class PaymentParts:
    """What a chunk of payments gives without looking at what earlier chunks added
    (:func:`payment_parts`): a worker process can make it while the main process adds
    the parts of earlier chunks to the context (:func:`add_payment_parts`)."""

    #: a row per payment: Payment, RECEIVED, FOR_HOUSEHOLD
    rows: dict[str, pd.DataFrame]
    #: node label -> the chunk's nodes the context did not know then, unique by key and hashed
    nodes: dict[str, Keyed]
    #: the chunk's (person, account) pairs the context did not know then, hashed (USES_ACCOUNT)
    uses: Keyed
    #: the chunk's people who may have no home yet: known without one, or new
    persons: list[str]
    #: their earliest payment with a place in the chunk (person, _day, payment_id, town, village)
    earliest: pd.DataFrame


def payment_parts(payments: pd.DataFrame, ctx: PaymentContext) -> PaymentParts:
    """The first half of :func:`payment_tables`: reads ``ctx`` (programs, registrations,
    the keys known) but changes nothing in it. The hashing of keys, most of what deciding
    which nodes are new costs, is done here."""
    pay_vid = _vid(payments["town"], payments["village"])
    places = payments.assign(vid=pay_vid).loc[pay_vid.notna(), ["vid", "town", "village", "household_id", *SRC]]
    known = ctx.known
    program = pd.factorize(payments["program"].to_numpy(dtype=object), use_na_sentinel=True)

    def new(df: pd.DataFrame, key: str, label: str) -> Keyed:
        # Only the columns add_payment_parts uses, of the rows whose key ``ctx`` lacks
        # now: what a worker process sends back for each chunk is small.
        df = df.drop_duplicates(key)
        return keyed(df, df[key], known[label])

    nodes = {
        "Village": new(places, "vid", "Village"),
        "Town": new(places, "town", "Town"),
        # A payment's 户号 that no household row has: a household with no resident member.
        "Household": new(places[places["household_id"].notna()], "household_id", "Household"),
        "Program": new(payments[["program", "department", *SRC]], "program", "Program"),
    }
    rows = {
        "Payment": pd.DataFrame(
            {
                "pay_no": payments["pay_no"],
                "pay_id": payments["payment_id"],
                "program": payments["program"],
                "department": payments["department"],
                "pid": payments["person"],
                "name": payments["name"],
                "id_number": payments["id_number"],
                "id_valid": payments["id_number_valid"].astype(bool),
                "id_problem": _nz(payments["id_number_problem"]),
                "resolved": payments["id_number_valid"].astype(bool) | payments["link_score"].notna(),
                "link_score": payments["link_score"],
                "link_reasons": payments["link_reasons"],
                "household_id": payments["household_id"],
                "town": payments["town"],
                "village": payments["village"],
                "vid": pay_vid,
                "amount": payments["amount"].astype(float),
                "pay_date": payments["pay_date"],
                "pay_day": payments["pay_day"],
                "pay_year": _year(payments["pay_date"]),
                "age": _age(payments["birth"], payments["pay_date"]),
                # a program no list names is not means-tested (add_payment_parts adds it so)
                "means_tested": _map_few(program, ctx.programs, payments.index).fillna(False).astype(bool),
                "min_age": _map_few(program, ctx.min_ages, payments.index),
                "period": payments["period"],
                "period_year": payments["period_year"],
                "account_number": payments["account_number"],
                "account_holder": payments["account_holder"],
                "batch": ctx.batch,
                **_src(payments),
            }
        ),
        # the payment's own row is the source of its edges (schema: provenance)
        "RECEIVED": pd.DataFrame({"from": payments["person"], "to": payments["pay_no"]}),
        "FOR_HOUSEHOLD": _payment_households(payments, ctx),
    }

    # a linked payment row's person is someone else's row already
    person = payments["person"]
    own = (person == payments["id_number"]).fillna(False).to_numpy(dtype=bool)
    # as Python text until the people the context knows are left out: most of a chunk's
    # are (made Arrow strings first, 120k rows were converted and then converted back to
    # be hashed, 0.11 s a chunk, for the few new ones)
    people = _person_rows(payments[own], "id_number", "name", text=False)
    if people.empty:
        people = pd.DataFrame(columns=["pid", "id_number", "id_valid", "id_problem", "name", "sex", "birth_date", *SRC])
    nodes["Person"] = new(people, "pid", "Person")
    nodes["Person"].rows = _text(nodes["Person"].rows, PERSON_TEXT)
    with_acc = payments.loc[payments["account_number"].notna(), ["person", "account_number", "account_holder", *SRC]]
    nodes["Account"] = new(with_acc, "account_number", "Account")
    uses = with_acc.drop_duplicates(["person", "account_number"])
    pairs = keyed(uses, use_keys(uses["person"], uses["account_number"]), ctx.uses)

    # Who may be without a home when add_payment_parts comes to this chunk: the people
    # ``ctx`` knows without one, and those it does not know (made new by this chunk or an
    # earlier one). Each person's earliest placed payment is found for them only.
    new_people = nodes["Person"]
    maybe = set(new_people.rows["pid"][new_people.present])
    linked = pd.Series(person[~own].dropna().unique(), dtype=object)
    linked_h, _ = _hashes(linked)
    maybe.update(linked[~known["Person"].has_hashes(linked_h)])
    maybe.update(person[_in_set(person, ctx.homeless)].dropna())
    mine = payments[_in_set(person, maybe) & payments["town"].notna().to_numpy()]
    order = mine.assign(_day=pd.to_numeric(mine["pay_day"], errors="coerce")).sort_values(
        ["_day", "payment_id"], na_position="last"
    )
    earliest = order.drop_duplicates("person")[["person", "_day", "payment_id", "town", "village"]]
    return PaymentParts(rows, nodes, pairs, sorted(maybe), earliest.reset_index(drop=True))


def _map_few(coded: tuple[np.ndarray, np.ndarray], mapping: dict, index: pd.Index) -> pd.Series:
    """``values.map(mapping)`` of a column with few distinct values (a chunk's programs),
    given as ``pd.factorize(values)`` (and their ``index``): each distinct value looked up once. ``map`` looked
    all 200k of a chunk's values up in an index of the keys: 45 ms a call."""
    codes, uniques = coded
    mapped = pd.Series([*uniques, None], dtype=object).map(mapping)  # the last: a missing value's
    return pd.Series(mapped.to_numpy()[codes], index=index)


def add_payment_parts(parts: PaymentParts, ctx: PaymentContext) -> dict[str, pd.DataFrame]:
    """The second half of :func:`payment_tables`: the nodes of ``parts`` ``ctx`` does not
    know yet, the homes of people placed by payments, and ``ctx`` updated. Chunks are
    added in their order, so that a node is made by the first chunk that has it."""
    out: dict[str, pd.DataFrame] = {}
    villages = _new_of(parts.nodes["Village"], ctx.known["Village"])
    out["Village"] = pd.DataFrame(
        {"vid": villages["vid"], "town": villages["town"], "name": villages["village"], **_src(villages)}
    )
    towns = _new_of(parts.nodes["Town"], ctx.known["Town"])
    out["Town"] = pd.DataFrame({"name": towns["town"], **_src(towns)})
    out["IN_TOWN"] = pd.DataFrame({"from": villages["vid"], "to": villages["town"], **_src(villages)})
    paid = _new_of(parts.nodes["Household"], ctx.known["Household"])
    out["Household"] = pd.DataFrame(
        {
            "hid": paid["household_id"], "town": paid["town"], "village": paid["village"], "vid": paid["vid"],
            "registered": False, **_src(paid),
        }
    )  # fmt: skip
    out["HOUSEHOLD_IN"] = pd.DataFrame({"from": paid["household_id"], "to": paid["vid"], **_src(paid)})

    unlisted = _new_of(parts.nodes["Program"], ctx.known["Program"])
    ctx.unlisted.extend(unlisted["program"].astype(str))
    out["Program"] = pd.DataFrame(
        {
            "name": unlisted["program"],
            "means_tested": False,
            "listed": False,
            "department": unlisted["department"],
            **_src(unlisted),
        }
    )
    for name in unlisted["program"]:
        ctx.programs.setdefault(name, False)

    people = _new_of(parts.nodes["Person"], ctx.known["Person"])
    ctx.homeless.update(people["pid"])
    _earliest_places(parts.earliest, ctx)
    home = {pid: ctx.best_home[pid][2:] for pid in people["pid"] if pid in ctx.best_home}
    for pid in ctx.homeless.intersection(parts.persons):
        if pid not in ctx.written_home:
            ctx.written_home[pid] = home.get(pid, (None, None))
    out["Person"] = people.assign(
        name=_nz(people["name"]),
        birth_day=_days(people["birth_date"]),
        birth_year=_year(people["birth_date"]),
        town=[home.get(p, (None, None))[0] for p in people["pid"]],
        village=[home.get(p, (None, None))[1] for p in people["pid"]],
    )

    accounts = _new_of(parts.nodes["Account"], ctx.known["Account"])
    out["Account"] = pd.DataFrame({"number": accounts["account_number"], **_src(accounts)})
    uses = _new_of(parts.uses, ctx.uses)
    out["USES_ACCOUNT"] = pd.DataFrame(
        {"from": uses["person"], "to": uses["account_number"], "holder_name": uses["account_holder"], **_src(uses)}
    )
    return out


def use_keys(person: pd.Series, account: pd.Series) -> pd.Series:
    """One key per (person, account) pair of USES_ACCOUNT, for :attr:`PaymentContext.uses`."""
    return person.astype(str) + "\x1f" + account.astype(str)


def _earliest_places(earliest: pd.DataFrame, ctx: PaymentContext) -> None:
    """Keep, for each person without a home, the place of the earliest payment seen (by
    pay day, then payment id, as one sort over all payments would). ``earliest``: the
    chunk's earliest placed payment of each person who may be without one
    (:attr:`PaymentParts.earliest`)."""
    first = earliest[_in_set(earliest["person"], ctx.homeless)]
    inf = float("inf")
    for pid, day, pay_id, town, village in zip(
        first["person"], first["_day"], first["payment_id"], first["town"], first["village"], strict=True
    ):
        cand = (inf if day != day else day, pay_id, town, village)
        best = ctx.best_home.get(pid)
        if best is None or cand[:2] < best[:2]:
            ctx.best_home[pid] = cand


def _with_home(persons: pd.DataFrame, out: GraphTables, codes: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """``persons`` with ``town`` and ``village``: the household registration (the first by
    household id), else the village of an office (else, set by :func:`payment_tables`,
    the place of the earliest payment).

    Stored on the person so that a jurisdiction is one property filter in every query,
    not a join through households, offices and payments. Found with Arrow lookups and
    integer sorts, not a merge and sort of text: for a city's 9.1M registrations the
    merge, sort and two ``map`` calls took the load's memory from 8.5 to 12.8 GB. Each
    person gets a position in the households (or, after them, the offices), and the
    towns and villages are taken once from those positions: copies of 9M ids, towns and
    villages on the way cost the build's highest point 1.1 GB more.

    ``codes``: the persons' ids and the registrations' (``MEMBER_OF`` from) as integers,
    alike for alike (:func:`~loaders.parse.text_codes`), when the caller has them already;
    else they are coded here, together.
    """
    home = np.full(len(persons), -1, dtype=np.int64)
    member, households = out.rels.get("MEMBER_OF"), out.nodes.get("Household")
    if households is None:
        households = pd.DataFrame(columns=["hid", "town", "village"])
    if member is not None and len(member) and len(households):
        pos = index_in(member["to"], households["hid"])
        ok = pos >= 0
        ok[ok] = households["town"].notna().to_numpy()[pos[ok]]
        rows = np.flatnonzero(ok)
        # the first registration by household id: rank the households once, sort integers
        rank = np.empty(len(households), dtype=np.int64)
        rank[_argsort_text(households["hid"])] = np.arange(len(households))
        person_code, code = codes if codes is not None else text_codes([persons["pid"], member["from"]])
        person = code[rows]
        order = np.lexsort((rank[pos[rows]], person))
        first = order[np.r_[True, person[order][1:] != person[order][:-1]]] if len(order) else order
        top = max(int(code.max()), int(person_code.max()) if len(person_code) else -1)
        chosen = np.full(top + 1, -1, dtype=np.int64)  # a person without a registration: -1
        chosen[person[first]] = pos[rows[first]]
        home[:] = chosen[person_code]
    towns, villages = [households["town"]], [households["village"]]
    office, places = out.rels.get("HOLDS_OFFICE"), out.nodes.get("Village")
    if office is not None and places is not None and len(office):
        o = office[["from", "to"]].merge(places[["vid", "town", "name"]], left_on="to", right_on="vid")
        o = o.sort_values(["from", "to"]).dropna(subset=["town"]).drop_duplicates("from")
        at = index_in(persons["pid"], o["from"])
        use = (home < 0) & (at >= 0)  # a registration comes first
        home[use] = len(households) + at[use]
        towns.append(o["town"])
        villages.append(o["name"])
    # by position (.array), whatever the index of ``persons``
    return persons.assign(
        town=_take(pd.concat(towns, ignore_index=True), home).array,
        village=_take(pd.concat(villages, ignore_index=True), home).array,
    )


def index_in(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """The position in ``keys`` of each of ``values`` (the first, if a key repeats), -1
    where it is not there or missing: ``Index(keys).get_indexer(values)`` in Arrow's hash
    table (see :func:`isin`)."""
    left = pa.array(values, from_pandas=True)
    right = pa.array(keys, from_pandas=True)
    if not len(left) or pa.types.is_null(left.type) or pa.types.is_null(right.type):
        return np.full(len(values), -1, dtype=np.int64)
    if left.type != right.type:
        right = right.cast(left.type)
    found = pc.index_in(left, value_set=right, skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _argsort_text(values: pd.Series) -> np.ndarray:
    """Positions of ``values`` in sorted order (code point order, as Python sorts text)."""
    return pc.sort_indices(pa.array(values, from_pandas=True)).to_numpy(zero_copy_only=False)


def _take(values: pd.Series, pos: np.ndarray) -> pd.Series:
    """``values`` at ``pos``, missing where ``pos`` is -1 (the ``map`` of a lookup)."""
    if not len(values):
        return pd.Series([None] * len(pos), dtype=object)
    taken = values.iloc[np.maximum(pos, 0)].reset_index(drop=True)
    return taken.where(pd.Series(pos >= 0))


def _with_placeholders(persons: pd.DataFrame, placeholders: pd.DataFrame) -> pd.DataFrame:
    """``persons`` (built, one row a pid) and after them the placeholder people of the
    declarations that match no one (one row a pid): the table the people's rows with the
    placeholders last give, built in one. A placeholder's id (``未匹配:`` and a hash) is
    no one else's, so it has no registration and no office (no home); should a file hold
    such an id all the same, that person's row stays first and takes the placeholder's
    name only where it has none, as :func:`_first_of_each` does."""
    if placeholders.empty:
        return persons
    placeholders = _first_of_each(placeholders)  # their names as the people's are (_nz)
    at = index_in(placeholders["pid"], persons["pid"])
    known = at >= 0
    if known.any():
        name = persons["name"].copy()
        fill = at[known]
        unnamed = name.iloc[fill].isna().to_numpy()
        name.iloc[fill[unnamed]] = placeholders["name"].to_numpy()[known][unnamed]
        persons = persons.assign(name=name)
        placeholders = placeholders[~known]
    rows = _with_birth(placeholders).assign(town=None, village=None)
    rows = rows.reindex(columns=persons.columns).astype(persons.dtypes.to_dict())
    return pd.concat([persons, rows], ignore_index=True)


def _with_birth(persons: pd.DataFrame) -> pd.DataFrame:
    """``persons`` with ``birth_day`` and ``birth_year`` from ``birth_date`` (read once for
    both: a city's 9.1M birth dates)."""
    birth = _ymd(persons["birth_date"])
    return persons.assign(birth_day=_days(persons["birth_date"], birth), birth_year=_year(persons["birth_date"], birth))


def _first_of_each(persons: pd.DataFrame, code: np.ndarray | None = None) -> pd.DataFrame:
    """One row per ``pid`` (its first), with the first non-empty name of its rows: what
    ``drop_duplicates("pid")`` and a ``groupby("pid").first()`` of the names give, in one
    Arrow dictionary encoding of the 9M ids of a city instead of three hash passes
    (``code``: that encoding, when the caller has made it)."""
    code = text_codes([persons["pid"]])[0] if code is None else code
    first = _first_rows(code)
    name = _nz(persons["name"])
    named = name.notna().to_numpy()
    # the first row of each with a name: its first row, but for the few whose first has none
    has = np.where(named[first], first, -1)
    lacking = np.flatnonzero(~named[first])
    if len(lacking):
        rows = np.flatnonzero(named & np.isin(code, lacking))
        c, i = np.unique(code[rows], return_index=True)
        has[c] = rows[i]
    out = _rows_at(persons, first)
    out["name"] = _take(name.reset_index(drop=True), has).array
    return out


def _rows_at(df: pd.DataFrame, rows: np.ndarray, most_runs: int = 256) -> pd.DataFrame:
    """``df.iloc[rows]`` (index reset) for increasing ``rows``: when they are a few runs of
    neighbours, as the first of each person of a register is (all its rows but the few
    repeated), the runs' slices put together. Arrow text columns then keep their buffers
    (chunks of them, not a copy): a city's 9.1M people taken by position copied 0.9 GB of
    text at the build's highest point."""
    step = np.diff(rows)
    breaks = np.flatnonzero(step != 1) + 1
    if not len(rows) or len(breaks) >= most_runs or (step <= 0).any():
        return df.iloc[rows].reset_index(drop=True)
    bounds = np.r_[0, breaks, len(rows)]
    runs = [df.iloc[rows[a] : rows[b - 1] + 1] for a, b in pairwise(bounds)]
    return runs[0].reset_index(drop=True) if len(runs) == 1 else pd.concat(runs, ignore_index=True)


def _first_rows(code: np.ndarray) -> np.ndarray:
    """The position of each code's first row, by code, of codes 0, 1, 2 ... that run in
    order of first appearance (:func:`~loaders.parse.text_codes`): where a code passes all
    before it, in one pass. ``np.unique`` sorted a city's 9.4M codes for it (1.2 s), and
    still does if the codes do not run so."""
    if not len(code):
        return np.zeros(0, dtype=np.int64)
    new = np.empty(len(code), dtype=bool)
    new[0] = True
    np.greater(code[1:], np.maximum.accumulate(code)[:-1], out=new[1:])
    first = np.flatnonzero(new)
    if not np.array_equal(code[first], np.arange(len(first))):
        first = np.unique(code, return_index=True)[1]
    return first


def _ymd(iso: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of date strings (ISO, ``YYYY-MM-DD``): the year, month × 100 + day, where the
    first four characters are digits, and where the whole value is such a date (elsewhere
    the numbers mean nothing). Read from the characters with numpy: pandas' string
    slicing and ``to_numeric`` took 0.2 s of each 200k-row chunk of the payments'
    second pass (a few dozen pay dates, 150k birth dates)."""
    chars = _leading_bytes(iso, 10)
    # each character's digit value (a byte below "0" wraps round to above 9), a column at a time
    d = [chars[:, j] - np.uint8(ord("0")) for j in range(10)]
    del chars
    has_year = (d[0] <= 9) & (d[1] <= 9) & (d[2] <= 9) & (d[3] <= 9)
    dash = np.uint8(ord("-") - ord("0") + 256)
    is_date = has_year & (d[5] <= 9) & (d[6] <= 9) & (d[8] <= 9) & (d[9] <= 9) & (d[4] == dash) & (d[7] == dash)
    return _digits(d[0:4]), _digits([d[5], d[6], d[8], d[9]]), has_year, is_date


def _digits(digits: list[np.ndarray]) -> np.ndarray:
    """The number written by these digit values (a column each, most significant first),
    added up in place in one array of 64-bit integers: every column made 64-bit at once
    was 0.7 GB for a moment over a city's 9.1M birth dates, the build's highest point."""
    out = digits[0].astype(np.int64)
    for d in digits[1:]:
        out *= 10
        out += d
    return out


def _leading_bytes(values: pd.Series, width: int) -> np.ndarray:
    """The first ``width`` bytes of each value's UTF-8 text (zeros after its end; a
    missing value is all zeros), read from its Arrow buffers: as Python text a city's 9.1M
    birth dates took a gigabyte for a moment. A character beyond ASCII is bytes none of
    which is a digit or a dash, as the character is neither."""
    arr = _text_array(values)
    n = len(arr)
    out = np.zeros((n, width), dtype=np.uint8)
    if not n:
        return out
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if arr.buffers()[2] is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else None
    if ((lengths == width) | (lengths == 0)).all():
        # all as long (ISO dates): their bytes lie side by side, a row each
        out[lengths == width] = data[offsets[0] : offsets[-1]].reshape(-1, width)
        if valid is not None:
            out[~valid] = 0  # a missing value may keep bytes in the buffer
        return out
    if valid is not None:
        lengths = np.where(valid, lengths, 0)
    starts = offsets[:-1]
    for j in range(width):
        has = np.flatnonzero(lengths > j)
        out[has, j] = data[starts[has] + j]
    return out


def _year(iso: pd.Series, ymd: tuple[np.ndarray, ...] | None = None) -> pd.Series:
    """Date strings → their year as an integer (nullable); ages are computed from it
    (``ymd``: the dates' :func:`_ymd`, when already read)."""
    year, _, has_year, _ = ymd if ymd is not None else _ymd(iso)
    return pd.Series(pd.arrays.IntegerArray(np.where(has_year, year, 0), ~has_year), index=iso.index)


def _age(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Age in full years on date ``on`` of someone born on ``birth`` (ISO strings; None when either is missing).

    Kept on each payment, from the birth date in the payment's own ID number, so that an
    age rule is a filter on one node rather than a join of every payment to its person.
    """
    by, bmd, b_year, b_date = _ymd(birth)
    dy, dmd, d_year, d_date = _ymd(on)
    ok = b_year & d_year
    # a year's difference, less one before the birthday (known only of two whole dates)
    age = dy - by - (b_date & d_date & (dmd < bmd))
    return pd.Series(pd.arrays.IntegerArray(np.where(ok, age, 0), ~ok), index=birth.index)


def _means_tested(programs: pd.DataFrame) -> dict[str, bool]:
    """Program name → means-tested flag, copied onto each payment (programs missing from the list: False)."""
    flags = programs["means_tested"] if "means_tested" in programs else pd.Series(False, index=programs.index)
    return {name: bool(v) and pd.notna(v) for name, v in zip(programs["name"], flags, strict=True)}


def _min_ages(programs: pd.DataFrame) -> dict[str, int]:
    """Program name → minimum age, for the programs that have one (copied onto each payment)."""
    if "min_age" not in programs:
        return {}
    return {n: int(a) for n, a in zip(programs["name"], programs["min_age"], strict=True) if a is not None and pd.notna(a)}


def _payment_households(payments: pd.DataFrame, ctx: PaymentContext) -> pd.DataFrame:
    """FOR_HOUSEHOLD rows: the row's 户号, else every household the recipient is registered in
    (``ctx.registrations`` and, for a store, ``ctx.registrations_of``)."""
    with_hh = payments[payments["household_id"].notna()]
    direct = pd.DataFrame({"from": with_hh["pay_no"], "to": with_hh["household_id"], "inferred": False})
    without = payments.loc[payments["household_id"].isna(), ["pay_no", "person"]]
    if without.empty or (ctx.registrations.empty and ctx.registrations_of is None):
        return direct
    # the chunk's people's registrations first: a merge with all of a city's 9M hashed
    # them all again for every chunk (the merge's order is the same either way)
    regs = ctx.registrations[isin(ctx.registrations["person"], without["person"])].drop_duplicates()
    if ctx.registrations_of is not None:
        people = sorted(set(without["person"].dropna()))
        regs = pd.concat([regs, ctx.registrations_of(people)], ignore_index=True).drop_duplicates()
    inferred = without.merge(regs, on="person")
    if inferred.empty:
        return direct
    extra = pd.DataFrame({"from": inferred["pay_no"], "to": inferred["household_id"], "inferred": True})
    return pd.concat([direct, extra], ignore_index=True)


HEADS = frozenset({"户主", "配偶"})
CHILDREN = {"子": "儿子", "女": "女儿", "儿子": "儿子", "女儿": "女儿", "儿媳": "儿媳", "女婿": "女婿"}
PARENTS = frozenset({"父亲", "母亲"})


def household_relation(cadre_rel: str | None, other_rel: str | None) -> tuple[str, bool]:
    """The relation of a household co-member to a cadre, from both ``与户主关系`` values.

    Close pairs per models.md: {户主, 配偶}; {户主 or 配偶, a child or child-in-law};
    {户主, 父亲 or 母亲}. Every other pair is an other relation (同户成员).
    """
    c, o = cadre_rel or "", other_rel or ""
    if {c, o} == {"户主", "配偶"}:
        return "配偶", True
    if c in HEADS and o in CHILDREN:
        return CHILDREN[o], True
    if o in HEADS and c in CHILDREN:
        return "父母", True
    if c == "户主" and o in PARENTS:
        return o, True
    if o == "户主" and c in PARENTS:
        return "子女", True
    return "同户成员", False


def _joinable(keys: pd.Series, other: pd.Series) -> np.ndarray:
    """Which ``keys`` a merge with ``other`` could join (a merge joins missing keys too)."""
    hit = isin(keys, other)
    return hit | keys.isna().to_numpy() if other.isna().any() else hit


def _relatives_of(
    cadres: pd.DataFrame, declared: pd.DataFrame | None, members: pd.DataFrame | None, hh_nodes: pd.DataFrame
) -> pd.DataFrame:
    """RELATIVE_OF rows: matched declarations, household co-members, split-household members."""
    cadre_ids = set(cadres["id_number"].dropna())
    frames = []
    if declared is not None and len(declared):
        d = declared[declared["from"].isin(cadre_ids) & ~declared["to"].astype(str).str.startswith("未匹配:")]
        frames.append(
            pd.DataFrame(
                {"from": d["from"], "to": d["to"], "basis": "申报", "relation": d["relation"], "close": d["close"], **_src(d)}
            )
        )
    if members is not None and len(members):
        m = members[["from", "to", "relation_to_head", *SRC]].rename(columns={"from": "pid", "to": "hid"})
        mine = m[isin(m["pid"], pd.Series(sorted(cadre_ids), dtype=object))][["pid", "hid", "relation_to_head"]]
        mine = mine.rename(columns={"pid": "cadre", "relation_to_head": "cadre_rel"})
        # the registrations of the households joined, in their order, before joining: a
        # merge hashes both sides, and a city's register is 9.1M rows
        co = mine.merge(m[_joinable(m["hid"], mine["hid"])], on="hid")
        co = co[co["pid"] != co["cadre"]]
        if len(co):
            rel = [household_relation(a, b) for a, b in zip(co["cadre_rel"], co["relation_to_head"], strict=True)]
            frames.append(
                pd.DataFrame(
                    {
                        "from": co["cadre"],
                        "to": co["pid"],
                        "basis": "户籍推断",
                        "relation": [r for r, _ in rel],
                        "close": [c for _, c in rel],
                        **_src(co),
                    }
                )
            )
        # one split step either way: households split from the cadre's, and the one it was split from
        splits = hh_nodes.reindex(columns=["hid", "split_from"]).dropna()
        pairs = pd.concat(
            [splits.rename(columns={"hid": "a", "split_from": "b"}), splits.rename(columns={"split_from": "a", "hid": "b"})]
        )
        linked = mine[["cadre", "hid"]].merge(pairs, left_on="hid", right_on="a")[["cadre", "b"]]
        sp = linked.merge(m[_joinable(m["hid"], linked["b"])], left_on="b", right_on="hid")
        sp = sp[sp["pid"] != sp["cadre"]]
        if len(sp):
            frames.append(
                pd.DataFrame(
                    {
                        "from": sp["cadre"],
                        "to": sp["pid"],
                        "basis": "分户关联",
                        "relation": "分户关联户成员",
                        "close": False,
                        **_src(sp),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["from", "to", "basis", "relation", "close", *SRC])
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(["from", "to", "basis"])


def _src(df: pd.DataFrame) -> dict[str, pd.Series]:
    return {"src_fid": df["src_fid"], "src_line": df["src_line"]}


@dataclass
class _DeclaredByRule:
    """Declarations matched by the contract's rule (valid ID, else a unique name in the
    villages), and mentions for identity resolution of the rest."""

    targets: list[str | None]
    matched: list[str]
    candidates: list[int]
    mkeys: list[str | None]
    mentions: pd.DataFrame


def _declared_by_rule(relatives: pd.DataFrame, cadres: pd.DataFrame, households: pd.DataFrame) -> _DeclaredByRule:
    """Match each declaration by valid ID, else by a unique name in the named villages.

    The villages are the ``亲属所在村`` value (by village name) or, when it is empty,
    the cadre's office villages (town and village). What stays unmatched becomes a
    mention for identity resolution, with those villages, the cadre's households (a
    close relative often shares one) and the cadre excluded as a candidate.
    """
    by_village_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_vid: dict[tuple[str, str], set[str]] = defaultdict(set)
    vids_of_village: dict[str, set[str]] = defaultdict(set)
    hh_of: dict[str, set[str]] = defaultdict(set)
    # Only the declarations without a valid ID need the households, and only the rows with
    # their names, villages and cadres: a county registers 600k people, and indexing every
    # row in Python dictionaries took most of a load's matching time.
    open_rows = relatives[~(relatives["id_number"].notna() & relatives["id_number_valid"].astype(bool))]
    offices: dict[str, set[str]] = defaultdict(set)
    if not cadres.empty:
        for pid, vid in zip(cadres["id_number"], _vid(cadres["town"], cadres["village"]), strict=True):
            offices[pid].add(vid)
    if not households.empty and not open_rows.empty:
        # Only the registrations a declaration can name: its (village, name), or (office
        # village, name) when it names no village. By name alone, a city's 4.5k open
        # declarations took 0.8M of 9.1M registrations into Python dictionaries (3 GB).
        in_village = open_rows[open_rows["village"].notna() & open_rows["name"].notna()]
        by_office = open_rows[open_rows["village"].isna() & open_rows["name"].notna()]
        wanted = {f"{v}\x1f{n}" for v, n in zip(in_village["village"], in_village["name"], strict=True)}
        for cadre, n in zip(by_office["cadre_id_number"], by_office["name"], strict=True):
            wanted |= {f"{vid}\x1f{n}" for vid in offices.get(cadre, ())}
        h = households[isin(households["name"], pd.Series(sorted({k.split("\x1f", 1)[1] for k in wanted}), dtype=object))]
        hvid = _vid(h["town"], h["village"])
        wanted_keys = pd.Series(sorted(wanted), dtype=object)
        h_key = h["village"].astype(object).astype(str) + "\x1f" + h["name"].astype(object).astype(str)
        vid_key = hvid.astype(object).astype(str) + "\x1f" + h["name"].astype(object).astype(str)
        keep = isin(h_key, wanted_keys) & h["village"].notna().to_numpy()
        keep |= isin(vid_key, wanted_keys) & hvid.notna().to_numpy()
        h, hvid = h[keep], hvid[keep]
        for pid, name, village, vid in zip(h["id_number"], h["name"], h["village"], hvid, strict=True):
            by_village_name[(village, name)].add(pid)
            by_vid[(vid, name)].add(pid)
        wanted_villages = pd.Series(sorted(set(open_rows["village"].dropna())), dtype=object)
        v = households.loc[isin(households["village"], wanted_villages), ["town", "village"]].drop_duplicates()
        for village, vid in zip(v["village"], _vid(v["town"], v["village"]), strict=True):
            vids_of_village[village].add(vid)
        cadre_ids = pd.Series(sorted(set(open_rows["cadre_id_number"].dropna())), dtype=object)
        c = households[isin(households["id_number"], cadre_ids)]
        for pid, hid in zip(c["id_number"], c["household_id"], strict=True):
            hh_of[pid].add(hid)
    targets: list[str | None] = []
    matched: list[str] = []
    counts: list[int] = []
    mkeys: list[str | None] = []
    mentions = []
    for row in relatives.itertuples(index=False):
        if row.id_number and row.id_number_valid:
            targets.append(row.id_number)
            matched.append("身份证号")
            counts.append(1)
            mkeys.append(None)
            continue
        candidates: set[str] = set()
        if row.village:
            candidates = by_village_name.get((row.village, row.name), set())
            vids = sorted(vids_of_village.get(row.village, set()))
        else:
            vids = sorted(offices.get(row.cadre_id_number, ()))
            for vid in vids:
                candidates = candidates | by_vid.get((vid, row.name), set())
        counts.append(len(candidates))
        if len(candidates) == 1:
            targets.append(next(iter(candidates)))
            matched.append("姓名唯一匹配")
            mkeys.append(None)
            continue
        targets.append(None)
        matched.append("")
        mkey = mention_key("relative", row.cadre_id_number, row.name, row.relation, row.id_number, row.village)
        mkeys.append(mkey)
        town, _, village = (vids[0] if vids else "/").partition("/")
        mentions.append(
            {
                "mkey": mkey,
                "kind": "relative",
                "id_value": row.id_number or "",
                "name": row.name,
                "vids": tuple(vids),
                "hids": tuple(sorted(hh_of.get(row.cadre_id_number, ()))),
                "accounts": (),
                "town": town or None,
                "village": row.village or village or None,
                "src_fid": row.src_fid,
                "src_line": row.src_line,
                "exclude": row.cadre_id_number,
            }
        )
    m = pd.DataFrame(mentions, columns=MENTION_COLUMNS).drop_duplicates("mkey")
    return _DeclaredByRule(targets, matched, counts, mkeys, m)


def apply_payment_links(payments: pd.DataFrame, mkeys: pd.Series, links: pd.DataFrame) -> pd.DataFrame:
    """``payments`` with ``person`` (the linked pid, else the row's own ID value), the
    link's score and reasons, and ``birth`` (the linked person's, else the row's)."""
    # Only the rows with a mention (an invalid ID) are looked up, and the rest filled in as
    # missing, as a look-up of theirs gives: three look-ups of a chunk's 200k rows in a
    # city's links took more than the rest of linking it.
    mentioned = mkeys[mkeys.notna().to_numpy()]

    def looked_up(column: str) -> pd.Series:
        return mentioned.map(links[column]).reindex(payments.index)

    pid = looked_up("pid") if len(links) else pd.Series(None, index=payments.index, dtype=object)
    linked = pid.notna()
    person = payments["id_number"].where(~linked, pid)
    # a linked pid is a valid ID number: its birth date as the loaders read it from any ID
    link_birth = pid[linked].map(lambda p: normalise_id(p).birth.isoformat())
    return payments.assign(
        person=person,
        link_score=looked_up("score").where(linked, None) if len(links) else None,
        link_reasons=looked_up("reasons").where(linked, None) if len(links) else None,
        birth=payments["id_number_birth"].where(~linked, link_birth.reindex(payments.index)),
    )


def _declared_relatives(
    relatives: pd.DataFrame, cadres: pd.DataFrame, pre: _DeclaredByRule, links: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """DECLARED_RELATIVE rows: the rule's matches, identity resolution's links, and for
    a declaration that matches no one a placeholder person of its own, so it stays
    visible and nothing is lost."""
    targets, matched, scores, reasons, placeholders = [], [], [], [], []
    for row, target, how, n, mkey in zip(
        relatives.itertuples(index=False), pre.targets, pre.matched, pre.candidates, pre.mkeys, strict=True
    ):
        if target is not None:
            targets.append(target)
            matched.append(how)
            scores.append(None)
            reasons.append(None)
            continue
        if mkey is not None and mkey in links.index:
            link = links.loc[mkey]
            targets.append(link["pid"])
            matched.append("身份解析")
            scores.append(float(link["score"]))
            reasons.append(link["reasons"])
            continue
        key = "|".join(str(x) for x in (row.cadre_id_number, row.name, row.relation, row.id_number or ""))
        pid = "未匹配:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        targets.append(pid)
        matched.append("未匹配" if not n else f"同名{n}人未匹配")
        scores.append(None)
        reasons.append(None)
        placeholders.append(
            {
                "pid": pid,
                "id_number": row.id_number,
                "id_valid": False,
                "id_problem": "申报亲属未匹配到人员",
                "name": row.name,
                "sex": None,
                "birth_date": None,
                "src_fid": row.src_fid,
                "src_line": row.src_line,
            }
        )
    table = pd.DataFrame(
        {
            "from": relatives["cadre_id_number"],
            "to": targets,
            "relation": relatives["relation"],
            "close": relatives["relation"].isin(CLOSE_RELATIONS),
            "declared_name": relatives["name"],
            "declared_id": relatives["id_number"],
            "declared_village": relatives["village"],
            "matched_by": matched,
            "match_score": scores,
            "match_reasons": reasons,
            **_src(relatives),
        }
    )
    notes = []
    known = set(cadres["id_number"]) if not cadres.empty else set()
    orphan = relatives[~relatives["cadre_id_number"].isin(known)]
    if len(orphan):
        names = sorted({f"{n or '?'}({i})" for n, i in zip(orphan["cadre_name"], orphan["cadre_id_number"], strict=True)})
        notes.append(f"亲属表中 {len(orphan)} 行的干部不在村干部花名册中（不参与模型）: " + "、".join(names[:20]))
    unmatched = sum(1 for m in matched if m not in ("身份证号", "姓名唯一匹配", "身份解析"))
    if unmatched:
        notes.append(f"申报亲属中 {unmatched} 人既无有效身份证号也无唯一同名人员，身份解析亦未关联，未能匹配")
    ph = pd.DataFrame(placeholders).drop_duplicates("pid") if placeholders else pd.DataFrame()
    return table, ph, notes


#: Tables built one row a key already: the people (one of each pid, and a payment's only
#: when its pid is not known yet), the households (grouped by 户号, then the ones only a
#: split or a payment names). Dropping duplicates again hashed a city's 9.1M pids (2 s);
#: a duplicate key would still stop the COPY, loudly.
_UNIQUE_BY_BUILD = {"Person", "Household"}


def _fill_missing_columns(out: GraphTables, schema: Schema) -> None:
    """Give every table all of its schema's columns (missing ones empty), in schema order."""
    for name, node in schema.nodes.items():
        df = out.nodes.get(name, pd.DataFrame())
        cols = [p.name for p in node.properties]
        df = _complete(df, cols)
        out.nodes[name] = df if name in _UNIQUE_BY_BUILD else df.drop_duplicates(node.key)
    for name, rel in schema.rels.items():
        df = out.rels.get(name, pd.DataFrame())
        out.rels[name] = _complete(df, ["from", "to", *[p.name for p in rel.properties]])


def _complete(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    df = df.reindex(columns=cols).reset_index(drop=True)
    if not len(df):
        return df.astype(object)
    # Object and float columns hold missing values as NaN in places; they become None.
    # Columns that mark missing values themselves (Arrow-backed text, Int64, boolean) or
    # cannot miss any (numpy integers and booleans) stay as they are: as Python objects a
    # city's 9M people took three times the memory, and pyarrow reads them as they are.
    for c in df.columns:
        dtype = df[c].dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) or dtype.kind in "biu":
            continue
        col = df[c].astype(object)
        df[c] = col.where(col.notna(), None)
    return df


__all__ = [
    "CONTEXT_KEYS", "GraphTables", "PaymentContext", "PaymentParts", "PaymentSummary", "add_payment_parts", "build_graph",
    "payment_parts", "payment_tables", "source_files",
]  # fmt: skip
