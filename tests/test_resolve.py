"""Identity resolution: each kind of damage is linked to the right person, ambiguity goes to review.

The reference below is a handful of people written out by hand; every mention is one
damaged row whose true person is known, so each test states which pid it must link to.
"""

from __future__ import annotations

import dataclasses
import random

import pandas as pd
import pytest

from loaders.normalize import id_check_char, normalise_id
from resolve.engine import Decision, Reference, candidate_pairs, resolve
from resolve.names import VARIANTS, canonical_name, homophones, surname_readings
from synth.noise import damage_id


def vid(first17: str) -> str:
    """A valid ID number from its first 17 digits."""
    return first17 + id_check_char(first17)


WANG = vid("37012319900101123")  # 王芳, 东村, H1
ZHANG = vid("37012319851212151")  # 张伟, 东村, H1
LI_A = vid("37012319700303161")  # 李娜 — two of them in 西村
LI_B = vid("37012319720505171")
YAN = vid("37012319660606181")  # 闫华, 西村
SHAN = vid("37012319880808191")  # 单丽, 北村
ZENG = vid("37012319770707201")  # 曾红, 东村, H9 — a cadre in the relative tests
ZENG_WIFE = vid("37012319790909211")  # 李桂兰, H9

REF = Reference(
    people=pd.DataFrame(
        [
            (WANG, "王芳"),
            (ZHANG, "张伟"),
            (LI_A, "李娜"),
            (LI_B, "李娜"),
            (YAN, "闫华"),
            (SHAN, "单丽"),
            (ZENG, "曾红"),
            (ZENG_WIFE, "李桂兰"),
        ],
        columns=["pid", "name"],
    ),
    places=pd.DataFrame(
        [
            (WANG, "青山镇/东村"),
            (ZHANG, "青山镇/东村"),
            (LI_A, "青山镇/西村"),
            (LI_B, "青山镇/西村"),
            (YAN, "青山镇/西村"),
            (SHAN, "白水镇/北村"),
            (ZENG, "青山镇/东村"),
            (ZENG_WIFE, "青山镇/东村"),
        ],
        columns=["pid", "vid"],
    ),
    households=pd.DataFrame([(WANG, "H1"), (ZHANG, "H1"), (ZENG, "H9"), (ZENG_WIFE, "H9")], columns=["pid", "hid"]),
    accounts=pd.DataFrame([(WANG, "6217000000000001")], columns=["pid", "account"]),
)


def mention(
    mkey: str,
    id_value: str,
    name: str,
    village: str = "青山镇/东村",
    hid: str = "",
    account: str = "",
    kind: str = "payment",
    exclude: str = "",
) -> dict:
    return {
        "mkey": mkey, "kind": kind, "id_value": normalise_id(id_value).value if id_value else "", "name": name,
        "vids": (village,) if village else (), "hids": (hid,) if hid else (), "accounts": (account,) if account else (),
        "town": village.split("/")[0], "village": village.split("/")[-1], "src_fid": 1, "src_line": 2, "exclude": exclude,
    }  # fmt: skip


def run(*mentions: dict, decisions: list[Decision] | None = None) -> pd.DataFrame:
    return resolve(pd.DataFrame(mentions), REF, decisions=decisions or []).outcomes.set_index("mkey")


def swap(s: str, i: int) -> str:
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


@pytest.mark.parametrize(
    ("damaged", "why"),
    [
        (WANG[:9] + str((int(WANG[9]) + 3) % 10) + WANG[10:], "身份证号仅一位之差"),  # a substituted birth digit
        (swap(WANG, 14), "身份证号仅一位之差"),  # two adjacent digits transposed
        (WANG[:11] + WANG[12:], "身份证号仅一位之差"),  # a digit lost
        (WANG[:15] + "000", "身份证号前14位"),  # Excel kept 15 digits of the number
    ],
)
def test_each_kind_of_id_damage_links_to_the_right_person(damaged: str, why: str) -> None:
    assert not normalise_id(damaged).valid
    out = run(mention("m", damaged, "王芳", hid="H1")).loc["m"]
    assert (out["status"], out["pid"]) == ("linked", WANG)
    assert why in out["reasons"] and out["score"] >= 0.95


@pytest.mark.parametrize(
    ("name", "feature"),
    [
        ("章玮", "姓名同音"),  # homophones of both characters (a pinyin IME's slip)
        ("張 偉", "姓名一致"),  # traditional characters and a stray space: the loaders' normalisation
    ],
)
def test_a_damaged_name_with_a_damaged_id_still_links(name: str, feature: str) -> None:
    bad = damage_id(ZHANG, "substitution", __import__("random").Random(3))
    out = run(mention("m", bad, name, hid="H1")).loc["m"]
    assert (out["status"], out["pid"]) == ("linked", ZHANG)
    assert feature in out["reasons"]


def test_a_look_alike_character_links_through_the_id_and_household() -> None:
    out = run(mention("m", swap(WANG, 3), "玉芳", hid="H1")).loc["m"]  # 王 → 玉
    assert (out["status"], out["pid"]) == ("linked", WANG)
    assert "姓名一字之差" in out["reasons"]


def test_variant_characters_are_one_name() -> None:
    assert canonical_name("阎华") == canonical_name("闫华") == "闫华"
    assert all(canonical_name(a) == canonical_name(b) for a, b in VARIANTS.items())
    out = run(mention("m", YAN[:16] + "99", "阎华", village="青山镇/西村")).loc["m"]
    assert (out["status"], out["pid"]) == ("linked", YAN)
    assert "姓名一致" in out["reasons"]


def test_every_reading_of_a_heteronym_surname_blocks() -> None:
    """单 as a surname is shan; a clerk typing by sound writes 善. Region digits and the
    village are wrong too, so only birth date + a reading of the surname can meet them."""
    assert {"dan", "shan"} <= set(surname_readings("单丽")) and {"ceng", "zeng"} <= set(surname_readings("曾红"))
    assert homophones("单丽", "善丽")
    bad = "99" + SHAN[2:]
    m = pd.DataFrame([mention("m", bad, "善丽", village="白水镇/北村")])
    assert SHAN in set(candidate_pairs(m, REF)["pid"])
    out = run(mention("m", bad, "善丽", village="白水镇/北村")).loc["m"]
    assert out["pid"] == SHAN or out["status"] == "review"  # found either way; never someone else


def test_an_ambiguous_same_name_pair_in_one_village_is_not_linked() -> None:
    """Two 李娜 in 西村 and a row whose ID shares nothing with either: review, both listed."""
    res = resolve(pd.DataFrame([mention("m", "123456", "李娜", village="青山镇/西村")]), REF)
    out = res.outcomes.set_index("mkey").loc["m"]
    assert out["status"] == "review" and pd.isna(out["pid"])
    assert set(res.candidates["pid"]) == {LI_A, LI_B}
    assert "需人工确认" in out["reasons"] or out["score"] < 0.95


def test_one_of_the_pair_is_linked_when_the_id_tells_them_apart() -> None:
    out = run(mention("m", LI_B[:15] + "000", "李娜", village="青山镇/西村")).loc["m"]
    assert (out["status"], out["pid"]) == ("linked", LI_B)


def test_a_stranger_is_not_linked() -> None:
    out = run(mention("m", vid("37012320010101301")[:16] + "00", "赵强", village="青山镇/东村")).loc["m"]
    assert out["status"] == "none"


def test_a_declared_relative_without_id_links_through_village_and_the_cadres_household() -> None:
    m = mention("r", "", "李贵兰", hid="H9", kind="relative", exclude=ZENG)  # 桂 → 贵 (homophone)
    out = run(m).loc["r"]
    assert (out["status"], out["pid"]) == ("linked", ZENG_WIFE)
    assert "同户" in out["reasons"]
    # the declaring cadre is never his own relative, however well the name fits
    out = run(mention("r2", "", "曾红", hid="H9", kind="relative", exclude=ZENG)).loc["r2"]
    assert out["pid"] != ZENG


def test_reviewers_decisions_win_over_scores() -> None:
    m = mention("m", "123456", "李娜", village="青山镇/西村")
    assert run(m, decisions=[Decision("m", LI_A, "confirm", "审核员", "2026-11-22")]).loc["m", "pid"] == LI_A
    # rejecting one of the pair leaves the other a unique, but still weak, candidate
    out = run(m, decisions=[Decision("m", LI_A, "reject")]).loc["m"]
    assert out["pid"] != LI_A


def test_blocking_never_compares_all_pairs() -> None:
    m = pd.DataFrame([mention("m", swap(WANG, 14), "王芳", hid="H1")])
    pairs = candidate_pairs(m, REF)
    assert 0 < len(pairs) < len(REF.people)


# -- in the load: the golden fixture's planted case, the switch, reviewers' decisions ---------------
GOLDEN = __import__("pathlib").Path(__file__).parent / "fixtures" / "golden"
LI_GUILAN, LI_GUILAN_BAD = "370123194503011249", "370123194503101249"


@pytest.fixture(scope="module")
def golden_parsed() -> list:
    from loaders.load import parse_folder

    return [f for f in parse_folder(GOLDEN)[0] if f.error is None]


def test_a_mistyped_id_is_linked_at_load_and_the_switch_turns_it_off(golden_parsed) -> None:
    from loaders.build import ResolveOptions, build_graph

    on = build_graph(golden_parsed)
    pay = on.nodes["Payment"].set_index("pay_id").loc["G053"]
    assert pay["pid"] == LI_GUILAN and pay["id_number"] == LI_GUILAN_BAD and not pay["id_valid"] and pay["resolved"]
    assert pay["link_score"] >= 0.95 and "身份证号仅一位之差" in pay["link_reasons"]
    assert LI_GUILAN_BAD not in set(on.nodes["Person"]["pid"])  # no person of its own
    received = on.rels["RECEIVED"]  # its end is the payment's key: the number the load gave it
    assert received.loc[received["to"] == pay["pay_no"], "from"].tolist() == [LI_GUILAN]

    off = build_graph(golden_parsed, resolution=ResolveOptions(enabled=False))
    pay = off.nodes["Payment"].set_index("pay_id").loc["G053"]
    assert pay["pid"] == LI_GUILAN_BAD and not pay["resolved"] and pd.isna(pay["link_score"])
    assert LI_GUILAN_BAD in set(off.nodes["Person"]["pid"])


def test_household_relatives_are_inferred_and_counted_apart_from_declared_ones(golden_parsed) -> None:
    from loaders.build import build_graph

    rel = build_graph(golden_parsed).rels["RELATIVE_OF"]
    cadre = "370123197005011039"  # 张建国
    mine = rel[rel["from"] == cadre]
    by_basis = mine.groupby("basis")["to"].apply(set).to_dict()
    assert "370123199506011079" in by_basis["户籍推断"]  # 张伟, his son: never declared
    assert "370123199506011079" not in by_basis["申报"]
    assert LI_GUILAN in by_basis["申报"]  # declared without ID, unique name in 东村


def test_a_reviewers_confirmation_is_applied_by_the_next_load(tmp_path) -> None:
    """A row the scores cannot decide goes to the review list; confirmed, the next load links it."""
    import shutil

    from loaders.build import ResolveOptions, build_graph
    from loaders.load import parse_folder
    from resolve.review import decide, load_decisions, read_review, write_review

    data = tmp_path / "data"
    shutil.copytree(GOLDEN, data)
    with (data / "payments.csv").open("a", encoding="utf-8") as fh:
        # 王秀英's name and village, but only the first six digits of an ID: one candidate, too weak to link
        fh.write("G054,临时救助,王秀英,370123,,青山镇,东村,500,2022-02-10,2022-02,,\n")
    files = [f for f in parse_folder(data)[0] if f.error is None]
    first = build_graph(files)
    write_review(tmp_path, first.resolution, first.mentions, {f.fid: f.name for f in files})
    review = read_review(tmp_path)
    row = review[review["id_value"] == "370123"]
    assert row["pid"].tolist() == ["370123197203021043"] and row["verdict"].tolist() == [""]
    assert first.nodes["Payment"].set_index("pay_id").loc["G054", "pid"] == "370123"  # not linked yet
    mkey = row["mkey"].iloc[0]

    decide(mkey, "370123197203021043", "confirm", "李办案", tmp_path)
    assert read_review(tmp_path).set_index("mkey").loc[mkey, "verdict"] == "confirm"
    again = build_graph(files, resolution=ResolveOptions(decisions=load_decisions()))
    out = again.resolution.outcomes.set_index("mkey").loc[mkey]
    assert (out["status"], out["pid"]) == ("confirmed", "370123197203021043") and "李办案" in out["reasons"]
    assert again.nodes["Payment"].set_index("pay_id").loc["G054", "pid"] == "370123197203021043"
    with pytest.raises(ValueError, match="复核清单中没有"):
        decide(mkey, "370123197005011039", "confirm", "李办案", tmp_path)  # not a candidate of that row


def test_person_search_uses_the_same_normalisation() -> None:
    """Searching 阎華 (variant + traditional) finds 闫华 first, with a full score."""
    from workbench.search import PersonIndex

    class Store:
        def query(self, name: str, **params: object) -> pd.DataFrame:
            return pd.DataFrame(
                {"pid": [YAN, WANG], "name": ["闫华", "王芳"], "id_valid": [True, True], "town": ["青山镇"] * 2,
                 "village": ["西村", "东村"], "position": [None, None]}
            )  # fmt: skip

    hits = PersonIndex.build(Store()).search("阎華")
    assert hits.iloc[0]["pid"] == YAN and hits.iloc[0]["score"] == 100.0


def test_the_review_page_shows_a_town_user_only_their_town_masked_and_refuses_the_other(tmp_path) -> None:
    from resolve.engine import Resolution
    from resolve.review import write_review
    from workbench.access import Jurisdiction, Role, User
    from workbench.resolveview import record_decision, review_rows

    ms = pd.DataFrame(
        [mention("a", "370123", "李娜", village="青山镇/西村"), mention("b", "370123", "单丽", village="白水镇/北村")]
    )
    cands = pd.DataFrame(
        [("a", 1, LI_A, "李娜", 0.7, 9.0, "姓名一致、同村"), ("a", 2, LI_B, "李娜", 0.7, 9.0, "姓名一致、同村"),
         ("b", 1, SHAN, "单丽", 0.7, 9.0, "姓名一致、同村")],
        columns=["mkey", "rank", "pid", "name", "score", "bits", "reasons"],
    )  # fmt: skip
    outcomes = pd.DataFrame(
        [("a", "review", None, 0.7, ""), ("b", "review", None, 0.7, "")], columns=["mkey", "status", "pid", "score", "reasons"]
    )
    write_review(tmp_path, Resolution(outcomes, cands), ms, {1: "payments.csv"})

    officer = User("banan", "办案", frozenset({Role.CASE_OFFICER}), Jurisdiction("青山镇"))
    rows = review_rows(officer, tmp_path)
    assert set(rows["mkey"]) == {"a"} and set(rows["pid"]) == {LI_A, LI_B}
    assert all("*" in p for p in rows["shown_pid"])  # a case officer sees masked numbers
    with pytest.raises(PermissionError):
        record_decision(officer, tmp_path, "b", SHAN, "confirm")  # 白水镇 is not theirs
    record_decision(officer, tmp_path, "a", LI_B, "confirm", "入户核实")
    assert review_rows(officer, tmp_path).empty  # decided: off the list of undecided rows
    assert review_rows(officer, tmp_path, undecided_only=False).set_index("pid").loc[LI_B, "verdict"] == "confirm"


def test_the_review_commands_list_masked_candidates_and_record_a_decision(tmp_path) -> None:
    from typer.testing import CliRunner

    from resolve.engine import Resolution
    from resolve.review import read_review, write_review
    from workbench.cli import app

    ms = pd.DataFrame([mention("cli", "370123", "李娜", village="青山镇/西村")])
    cands = pd.DataFrame(
        [("cli", 1, LI_A, "李娜", 0.7, 9.0, "姓名一致、同村"), ("cli", 2, LI_B, "李娜", 0.7, 9.0, "姓名一致、同村")],
        columns=["mkey", "rank", "pid", "name", "score", "bits", "reasons"],
    )
    # mkey "cli": the session's database already holds a decision on "a" (the page test)
    outcomes = pd.DataFrame([("cli", "review", None, 0.7, "")], columns=["mkey", "status", "pid", "score", "reasons"])
    folder = tmp_path / "store"
    write_review(folder, Resolution(outcomes, cands), ms, {1: "payments.csv"})
    store = f"ladybug:{folder}"
    runner = CliRunner()

    listed = runner.invoke(app, ["resolve", "review", "--store", store], terminal_width=300)
    assert listed.exit_code == 0, listed.output
    assert "发放记录" in listed.output and "payments.csv:2" in listed.output
    assert LI_A[:6] + "********" + LI_A[-4:] in listed.output and LI_A not in listed.output  # masked by default

    done = runner.invoke(app, ["resolve", "decide", "cli", LI_B, "confirm", "--store", store])
    assert done.exit_code == 0, done.output
    assert read_review(folder).set_index("pid").loc[LI_B, "verdict"] == "confirm"
    refused = runner.invoke(app, ["resolve", "decide", "cli", ZHANG, "confirm", "--store", store])
    assert refused.exit_code == 2 and "复核清单中没有" in refused.output


@pytest.mark.parametrize("dtype", ["str", object])
def test_the_reference_is_each_source_s_valid_rows_without_missing_values_the_first_of_each_alike(dtype) -> None:
    from resolve.records import reference_from

    def rows(**cols) -> pd.DataFrame:
        df = pd.DataFrame(cols)
        return df.astype({c: dtype for c in df if df[c].dtype == object})

    a, b, c, bad = "110101199001011234", "110101199001012345", "11010119900101345X", "123"
    records = {
        "households": rows(
            id_number=[a, b, a, bad, c], id_number_valid=[True, True, True, False, True], name=["甲", "乙", "甲", "丙", None],
            town=["东镇", "东镇", "西镇", "东镇", None], village=["一村", "二村", "三村", "一村", None],
            household_id=["H1", "H2", "H1", "H3", "H4"],
        ),
        "cadres": rows(id_number=[b], id_number_valid=[True], name=["乙二"], town=["东镇"], village=["二村"]),
        "payments": rows(
            id_number=[a, a, c], id_number_valid=[True, True, True], name=["甲", "甲", "丁"], town=["东镇", "东镇", "南镇"],
            village=["一村", "一村", None], household_id=["H1", "H1", None], account_number=["62", "62", "63"],
        ),
        "vehicles": rows(owner_id_number=[c, bad], owner_id_number_valid=[True, False], owner_name=["丁", "戊"]),
    }  # fmt: skip
    ref = reference_from(records)
    kinds = ("people", "places", "households", "accounts")
    table = {k: [tuple(r) for r in getattr(ref, k).astype(object).values.tolist()] for k in kinds}
    # in source order (register, cadres, payments, vehicles), the first of each alike; no invalid ID, no missing value
    assert table["people"] == [(a, "甲"), (b, "乙"), (b, "乙二"), (c, "丁")]
    assert table["places"] == [(a, "东镇/一村"), (b, "东镇/二村"), (a, "西镇/三村")]
    assert table["households"] == [(a, "H1"), (b, "H2"), (c, "H4")]
    assert table["accounts"] == [(a, "62"), (c, "63")]
    assert all(str(d) == "str" for k in kinds for d in getattr(ref, k).dtypes)
    # payment rows repeated month after month, or kept one of each by the first pass: the same reference
    once = {**records, "payments": records["payments"].iloc[[0, 2]]}
    again = reference_from(once, payments_distinct=True)
    assert all(getattr(again, k).equals(getattr(ref, k)) for k in kinds)
    # as they come (a load's): the same rows in the same order, repeats kept; one of each alike is the distinct reference
    raw = reference_from(records, distinct=False)
    rows_of = {k: [tuple(r) for r in getattr(raw, k).astype(object).values.tolist()] for k in kinds}
    assert rows_of["people"] == [(a, "甲"), (b, "乙"), (a, "甲"), (b, "乙二"), (a, "甲"), (c, "丁"), (c, "丁")]
    assert rows_of["places"] == [(a, "东镇/一村"), (b, "东镇/二村"), (a, "西镇/三村"), (b, "东镇/二村"), (a, "东镇/一村")]
    assert rows_of["households"] == [(a, "H1"), (b, "H2"), (a, "H1"), (c, "H4"), (a, "H1")]
    assert rows_of["accounts"] == [(a, "62"), (c, "63")]
    assert all(str(d) == "str" for k in kinds for d in getattr(raw, k).dtypes)
    assert all(getattr(raw, k).drop_duplicates().reset_index(drop=True).equals(getattr(ref, k)) for k in kinds)


def test_resolution_on_the_reference_with_its_repeats_is_resolution_on_the_distinct_one(golden_parsed) -> None:
    """A load resolves against the sources' rows as they come (``distinct=False``): the
    same candidates, scores and outcomes as against one row of each, including a person
    whose first name is repeated after a later one and places repeated in every source."""
    from loaders.build import _declared_by_rule, _records
    from resolve.records import payment_mentions, reference_from

    records = {
        k: _records(golden_parsed, k)
        for k in ("households", "cadres", "public_employees", "deaths", "payments", "relatives", "vehicles", "businesses")
    }
    pre = _declared_by_rule(records["relatives"], records["cadres"], records["households"])
    distinct = reference_from(records)
    raw = reference_from(records, distinct=False)
    # and a mistyped ID, a relative declared by surname and village, a household, an account
    # for each of the first registered people: mentions that meet each kind of blocking key
    rng = random.Random(7)
    extra = []
    for i, (pid, vid) in enumerate(distinct.places[["pid", "vid"]].drop_duplicates("pid").head(6).values.tolist()):
        name = distinct.people.set_index("pid")["name"].groupby(level=0).first()[pid]
        hid = distinct.households.set_index("pid")["hid"].groupby(level=0).first().get(pid, "")
        kind = "relative" if i % 2 else "payment"
        extra.append(mention(f"x{i}", damage_id(pid, "substitution", rng) if i % 3 else "", name, vid, hid, kind=kind))
    mentions = pd.concat([payment_mentions(records["payments"])[0], pre.mentions, pd.DataFrame(extra)], ignore_index=True)
    assert len(raw.people) > len(distinct.people) and len(raw.places) > len(distinct.places)
    # every row again at the end, and a second name of a person after their first: still the first name counts
    first = distinct.people.iloc[0]
    doubled = Reference(
        pd.concat([raw.people, raw.people, pd.DataFrame({"pid": [first["pid"]], "name": ["另名"]})], ignore_index=True).astype(
            "str"
        ),
        pd.concat([raw.places, raw.places], ignore_index=True),
        pd.concat([raw.households, raw.households], ignore_index=True),
        pd.concat([raw.accounts, raw.accounts], ignore_index=True),
        repeats=True,
    )
    want = resolve(mentions, distinct)
    assert want.stats.get("linked", 0) >= 1
    assert raw.repeats and not distinct.repeats
    # told it holds no repeats, resolution skips making its rows distinct: still the same
    for ref in (raw, doubled, dataclasses.replace(doubled, repeats=False)):
        got = resolve(mentions, ref)
        assert got.candidates.equals(want.candidates)
        assert got.outcomes.equals(want.outcomes) and got.pairs == want.pairs
    # an append's merge keeps the repeats too: resolved alike
    from loaders.load import _merge_reference

    merged = _merge_reference(raw, raw)
    assert len(merged.people) == 2 * len(raw.people)
    assert resolve(mentions, merged).outcomes.equals(want.outcomes)


def test_a_mention_whose_keys_no_reference_row_can_share_has_no_candidates() -> None:
    from resolve.engine import _keys_of_reference

    ref = Reference(
        pd.DataFrame({"pid": ["110101199001011234"], "name": ["张三"]}, dtype="str"),
        pd.DataFrame({"pid": ["110101199001011234"], "vid": ["东镇/一村"]}, dtype="str"),
        pd.DataFrame({"pid": ["110101199001011234"], "hid": ["H1"]}, dtype="str"),
        pd.DataFrame({"pid": pd.Series([], dtype="str"), "account": pd.Series([], dtype="str")}),
    )
    # a name and a village no one in the reference has, and no ID prefix to block on
    got = _keys_of_reference(ref, {"n李四|西镇/二村", "p li si|西镇/二村"})
    assert got.empty and list(got.columns) == ["key", "pid"]
    mention = pd.DataFrame(
        [{"mkey": "m1", "kind": "payment", "id_value": "12", "name": "李四", "vids": ("西镇/二村",), "hids": (), "accounts": ()}]
    )
    assert candidate_pairs(mention, ref).empty
