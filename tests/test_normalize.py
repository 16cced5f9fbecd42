"""The contract's normalisation rules, value by value."""

from __future__ import annotations

from datetime import date

import pytest

from loaders.normalize import (
    age_on,
    normalise_id,
    normalise_name,
    parse_amount,
    parse_bool,
    parse_date,
    parse_int,
    parse_period,
)


def test_valid_id_gives_birth_and_sex() -> None:
    info = normalise_id("370123197005010116")
    assert (info.value, info.valid, info.birth, info.sex) == ("370123197005010116", True, date(1970, 5, 1), "男")


def test_fifteen_digit_id_is_upgraded_with_check_character() -> None:
    info = normalise_id("370123500909131")
    assert info.value == "370123195009091313"
    assert info.valid


def test_full_width_spaces_and_lower_x_are_normalised() -> None:
    info = normalise_id(" ３７０１２３ １９４５０３０３１９１x ")
    assert info.value == "37012319450303191X"
    assert info.valid


def test_bad_checksum_is_kept_and_marked() -> None:
    info = normalise_id("370123198507071125")
    assert info.value == "370123198507071125"
    assert not info.valid
    assert info.problem == "校验位错误"


def test_impossible_birth_date_is_invalid() -> None:
    from loaders.normalize import id_check_char

    first17 = "37012319990231001"  # 1999-02-31
    info = normalise_id(first17 + id_check_char(first17))
    assert not info.valid and info.problem == "出生日期不存在"


def test_future_birth_date_is_invalid() -> None:
    from loaders.normalize import id_check_char

    first17 = "37012321000101001"
    info = normalise_id(first17 + id_check_char(first17))
    assert not info.valid and info.problem == "出生日期超出范围"


def test_numeric_xlsx_cell_is_invalid_whatever_its_checksum() -> None:
    info = normalise_id("370123197005010116", numeric_cell=True)
    assert info.value == "370123197005010116"
    assert not info.valid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 張 三 ", "张三"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("劉德華", "刘德华"),
    ],
)
def test_names(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2021-03-01", "2021/3/1", "20210301", "2021年3月1日", "2021.03.01", "44256", "2021-03-01 00:00:00", "２０２１-０３-０１"],
)
def test_every_date_spelling(raw: str) -> None:
    assert parse_date(raw) == date(2021, 3, 1)


@pytest.mark.parametrize("raw", ["2021-02-30", "2021-13-01", "abc", "2021-3", ""])
def test_bad_dates_raise(raw: str) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021", "2021"),
        ("2021年", "2021"),
        ("2021-03", "2021-03"),
        ("2021/3", "2021-03"),
        ("202103", "2021-03"),
        ("2021年3月", "2021-03"),
        ("2021.03", "2021-03"),
        ("2021-03-15", "2021-03"),
        ("2021年3月15日", "2021-03"),
    ],
)
def test_periods(raw: str, expected: str) -> None:
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2021-13", "三月", "21"])
def test_bad_periods_raise(raw: str) -> None:
    with pytest.raises(ValueError, match="所属期"):
        parse_period(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1200", 1200.0), ("1,200.00", 1200.0), ("1200元", 1200.0), ("１２００", 1200.0), ("¥30.456", 30.46)]
)
def test_amounts(raw: str, expected: float) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [("-50", "负数"), ("abc", "无法识别"), ("壹佰元", "无法识别"), ("NaN", "无法识别")])
def test_bad_amounts_raise(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(raw)


def test_bool_and_int() -> None:
    assert parse_bool("是") is True and parse_bool(" 否 ") is False
    assert parse_int("80岁") == 80
    with pytest.raises(ValueError):
        parse_bool("也许")
    with pytest.raises(ValueError):
        parse_int("八十")


def test_age_in_full_years() -> None:
    assert age_on(date(1941, 5, 10), date(2021, 5, 10)) == 80
    assert age_on(date(1941, 5, 10), date(2021, 5, 9)) == 79


def test_payment_age_is_full_years_from_the_id_birth_date() -> None:
    """The age kept on each payment agrees with age_on, including the day before a birthday and 29 Feb."""
    import pandas as pd

    from loaders.build import _age

    birth = pd.Series(["1941-05-10", "1941-05-10", "2000-02-29", "2000-02-29", None, "1950-01-01"])
    on = pd.Series(["2021-05-10", "2021-05-09", "2021-02-28", "2021-03-01", "2021-01-01", None])
    # Int64: a missing age is pandas' NA (pyarrow writes it as null)
    assert [None if pd.isna(a) else a for a in _age(birth, on)] == [80, 79, 20, 21, None, None]
    assert age_on(date(2000, 2, 29), date(2021, 2, 28)) == 20


def test_the_column_check_of_id_numbers_agrees_with_normalise_id() -> None:
    """canonical_ids decides the 18- and 15-digit ASCII values exactly as normalise_id
    does (value, validity, problem, birth, sex), and leaves every other value to it."""
    import random
    from datetime import date

    from loaders.normalize import canonical_ids, id_check_char

    rnd = random.Random(3)
    values = []
    for _ in range(3000):
        year = rnd.choice([rnd.randint(1890, 2030), rnd.randint(0, 9999)])
        birth = f"{year:04d}{rnd.randint(0, 13):02d}{rnd.randint(0, 32):02d}"
        first17 = f"{rnd.randint(110000, 659999)}{birth}{rnd.randint(0, 999):03d}"
        check = id_check_char(first17) if rnd.random() < 0.8 else rnd.choice("0123456789X")
        values.append(first17 + check)
        values.append(first17[:6] + first17[8:])  # the 15-digit form: its year in the 1900s
    values += ["19000101".join(["370123", "0010"]), "370123190002290013", "370123200002290013", "370123000001010012"]
    values += ["37012319900101001x", " 370123199001010012", "3701231990010100", "", "370123900101001"]
    values.append("３７０１２３１９９００１０１００１２")  # full-width digits: normalise_id's work
    values = list(dict.fromkeys(values))
    today = date(2026, 11, 22)
    ids = canonical_ids(values, today=today)
    for i, v in enumerate(values):
        if not ids.done[i]:
            assert not (v.isascii() and v.isdigit() and len(v) in (15, 18)), v
            continue
        info = normalise_id(v, today=today)
        want = (info.value, info.valid, info.problem or None, info.birth.isoformat() if info.birth else None, info.sex or None)
        assert (ids.value[i], bool(ids.valid[i]), ids.problem[i], ids.birth[i], ids.sex[i]) == want, v
    problems = {normalise_id(v, today=today).problem for v in values}
    assert {"", "校验位错误", "出生日期不存在", "出生日期超出范围"} <= problems  # every outcome is there
    assert ids.done.sum() > 5000


def _noisy_texts(seed: int, n: int) -> list[str]:
    """Random short texts from what department files hold and what NFKC, white space and
    OpenCC change: full-width forms, traditional characters, dots, ligatures, combining
    marks (also first), half-width kana and its voicing mark, spaces of every kind."""
    import random

    rnd = random.Random(seed)
    alphabet = list("张三李四王五赵六青山镇东村") + list("張劉陳國開發銀發臺灣") + list("ＡＢ１２３４ａｂ")
    alphabet += ["·", "•", ".", "・", "‧", "ﬁ", "Ⅻ", "㈱", "e\u0301", "\u0301", "ｶ", "ﾞ", "\u3000", " ", "\t", "\x1c", "\u00a0"]
    alphabet += [*"0123456789X-,", "", "\ue000"]
    return [("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))) for _ in range(n)]


def test_normalising_together_equals_one_by_one() -> None:
    from loaders.normalize import clean_text, compact, normalise_texts

    texts = _noisy_texts(5, 4000)
    for parse, one in (("name", normalise_name), ("text", clean_text), ("code", compact)):
        assert normalise_texts(parse, texts) == [one(t) for t in texts], parse
    assert normalise_texts("name", ["张三", "a\ue001b"]) is None  # holds the joining character
    assert normalise_texts("amount", ["1"]) is None
    assert normalise_texts("name", []) == []


@pytest.mark.parametrize("parse", ["amount", "code", "name", "text", "id", "date"])
def test_column_normalising_equals_the_value_parser(parse: str) -> None:
    """_normalise_uniques' whole-column paths (Arrow checks for plain amounts, codes and
    canonical ID numbers; joined normalising) give each value what its parser gives."""
    import random

    from loaders.contract import Column
    from loaders.parse import _normalise_uniques, _parser

    rnd = random.Random(11)
    values = _noisy_texts(9, 1500)
    values += ["1200", "1,200.50", "2,150.00", "0.5", "00012", "1.", ".5", "1e5", "12.345", "-5", "１２", "١٢", "1" * 20]
    values += ["1" * 14 + ".99", "9" * 16, "300元", "¥1,200", " 12 ", "1,,2", ",1", "370123196001011459", "370123196001011458"]
    values += [f"{rnd.randint(0, 99999)}.{rnd.randint(0, 99):02d}" for _ in range(500)]
    values += ["2024-01-10", "2024/1/10", "20240110", "2024年1月10日", "2024-02-30", "45000"]
    values = list(dict.fromkeys(values))  # distinct, as the parser is given them
    for required in (True, False):
        col = Column("field_date" if parse == "date" else "field", "字段", (), required, parse)
        names, fn = _parser(col)
        outs, errs = _normalise_uniques(col, names, fn, values, None)
        for i, v in enumerate(values):
            want_out, want_err = fn(v)
            assert tuple(o[i] for o in outs) == want_out and errs[i] == want_err, (parse, v)


def test_a_payment_without_serial_gets_the_sha1_of_its_file_and_raw_row(tmp_path) -> None:
    import hashlib

    import pyarrow as pa

    from loaders.parse import derived_ids, parse_table
    from loaders.read import read_table

    header = "项目名称,主管部门,姓名,身份证号,户号,乡镇,村,发放金额,发放日期"
    lines = [
        "低保,民政局,张三,110101199003071234,H1,青山镇,上村,300,2023-05-20",
        "临时救助,民政局,李四,,H2,青山镇,下村,50.5,2023年6月1日",
    ]
    path = tmp_path / "payments_x.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    records = parse_table(read_table(path), path, "payments").records
    # the id users' files and saved keys rely on: "R" + 20 hex digits of SHA-1 of
    # "<file name>\x1e<the row's cells joined by \x1f>"
    want = ["R" + hashlib.sha1(f"payments_x.csv\x1e{line.replace(',', chr(0x1F))}".encode()).hexdigest()[:20] for line in lines]
    assert len(records) and records["payment_id"].tolist() == [want[line - 2] for line in records["src_line"]]
    # a slice of Arrow text (an offset into its buffers) hashes as the whole would
    texts = pa.array(["甲\x1f乙", "", "丙"])
    assert derived_ids(texts.slice(1), "f\x1e") == ["R" + hashlib.sha1(f"f\x1e{t}".encode()).hexdigest()[:20] for t in ["", "丙"]]
