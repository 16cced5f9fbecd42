"""One test per bad-input case of the data contract (shared/spec/data-contract.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import tiny_xlsx

from loaders.build import KeySet
from loaders.load import parse_folder
from loaders.parse import ParsedFile

PAY_HEADER = "发放流水号,项目名称,姓名,身份证号,乡镇,村,发放金额,发放日期,所属期"
PAY_ROW = "F1,最低生活保障,张小明,370123199506010316,青山镇,东村,300,2021-03-05,2021-03"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def only(folder: Path) -> ParsedFile:
    files, _ = parse_folder(folder)
    assert len(files) == 1
    return files[0]


def balanced(f: ParsedFile) -> bool:
    return f.rows_read == f.rows_loaded + len(f.quarantine) + f.duplicates


def test_gbk_file_is_decoded(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW}\n", "gbk")
    f = only(tmp_path)
    assert f.encoding == "gb18030"
    assert f.records["name"].tolist() == ["张小明"]


def test_bom_is_stripped_from_first_header(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW}\n", "utf-8-sig")
    f = only(tmp_path)
    assert f.encoding == "utf-8-sig"
    assert f.records["payment_id"].tolist() == ["F1"]


def test_undecodable_file_is_a_file_error_and_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "deaths.csv").write_bytes("姓名,身份证号,死亡日期\n".encode() + b"\xff\xfe\x80\x81\xff\n")
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW}\n")
    files, _ = parse_folder(tmp_path)
    by_name = {f.name: f for f in files}
    assert "deaths.csv" in by_name["deaths.csv"].error
    assert "编码" in by_name["deaths.csv"].error
    assert by_name["payments.csv"].error is None and by_name["payments.csv"].rows_loaded == 1


def test_numeric_id_cell_in_xlsx_is_invalid(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    tiny_xlsx.write_xlsx(
        tmp_path / "vehicles.xlsx",
        [
            ["所有人", "所有人身份证号", "车牌号", "车辆类型"],
            ["孙八", 370123195009091313, "鲁A1", "轿车"],
            ["钱七", "370123198507071124", "鲁A2", "轿车"],
        ],
    )
    f = only(tmp_path)
    assert f.records["owner_id_number_valid"].tolist() == [False, True]
    assert f.records["owner_id_number_problem"].iloc[0].startswith("Excel 数值单元格")
    # the value is the cell's integer digits as text (Excel already lost the last ones)
    assert f.records["owner_id_number"].iloc[0].isdigit()


def test_datetime_cell_in_xlsx_is_a_date(tmp_path: Path) -> None:
    tiny_xlsx.write_xlsx(
        tmp_path / "deaths.xlsx", [["姓名", "身份证号", "死亡日期"], ["赵六", "370123194002200914", dt.datetime(2022, 6, 30)]]
    )
    f = only(tmp_path)
    assert f.records[["death_date", "death_day"]].values.tolist() == [["2022-06-30", 19173]]


def test_fifteen_digit_id_links_to_the_same_person(tmp_path: Path) -> None:
    write(tmp_path, "deaths.csv", "姓名,身份证号,死亡日期\n孙八,370123500909131,2022-01-01\n")
    f = only(tmp_path)
    assert f.records["id_number"].tolist() == ["370123195009091313"]
    assert f.records["id_number_valid"].tolist() == [True]


def test_bad_checksum_row_is_loaded_and_marked(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW.replace('0316', '0317')}\n")
    f = only(tmp_path)
    assert f.rows_loaded == 1 and not f.quarantine
    assert f.records["id_number_valid"].tolist() == [False]
    assert f.records["id_number_problem"].tolist() == ["校验位错误"]


@pytest.mark.parametrize(
    "spelling", ["2021-03-05", "2021/3/5", "20210305", "2021年3月5日", "2021.03.05", "44260", "2021-03-05 08:30:00"]
)
def test_each_date_spelling_loads(tmp_path: Path, spelling: str) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW.replace('2021-03-05', spelling)}\n")
    f = only(tmp_path)
    assert f.records[["pay_date", "pay_day"]].values.tolist() == [["2021-03-05", 18691]]


def test_bad_date_goes_to_quarantine_with_line_and_raw_values(tmp_path: Path) -> None:
    write(
        tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW}\n{PAY_ROW.replace('F1', 'F2').replace('2021-03-05', '2021-02-30')}\n"
    )
    f = only(tmp_path)
    assert f.rows_loaded == 1 and balanced(f)
    (q,) = f.quarantine
    assert q["line"] == 3 and q["file"] == "payments.csv"
    assert "发放日期" in q["reason"] and "2021-02-30" in q["reason"]
    assert q["raw"]["发放流水号"] == "F2"


@pytest.mark.parametrize(("amount", "reason"), [("-50", "负数"), ("abc", "无法识别"), ('"1,2,3元x"', "无法识别")])
def test_bad_amount_is_quarantined(tmp_path: Path, amount: str, reason: str) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW.replace(',300,', f',{amount},')}\n")
    f = only(tmp_path)
    assert f.rows_loaded == 0 and balanced(f)
    assert reason in f.quarantine[0]["reason"]


def test_missing_required_field_is_quarantined(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW.replace('370123199506010316', '')}\n")
    f = only(tmp_path)
    assert f.quarantine[0]["reason"] == "缺少必填字段「身份证号」"


def test_missing_required_column_is_one_clear_file_error(tmp_path: Path) -> None:
    write(
        tmp_path, "payments.csv", "项目名称,姓名,身份证号,乡镇,村,发放日期\n低保,张三,370123197005010116,青山镇,东村,2021-01-01\n"
    )
    f = only(tmp_path)
    assert f.error is not None
    assert f.error.startswith("payments.csv: 缺少必填列 「发放金额」")


def test_unknown_extra_column_is_ignored_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER},备注\n{PAY_ROW},随便写\n")
    f = only(tmp_path)
    assert f.rows_loaded == 1
    assert f.notes == ["忽略未知列: 备注"]


def test_header_aliases_spaces_brackets_and_required_marker(tmp_path: Path) -> None:
    header = " 流水号 ,补贴项目*,领取人,公民身份号码,乡镇（街道）,村（社区）,金额（元）,拨付日期,补贴期间"
    write(tmp_path, "payments.csv", f"{header}\n{PAY_ROW}\n")
    f = only(tmp_path)
    assert f.error is None
    assert f.records[["payment_id", "program", "town", "village", "amount"]].values.tolist() == [
        ["F1", "最低生活保障", "青山镇", "东村", 300.0]
    ]


def test_duplicate_row_is_counted_and_loaded_once(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW}\n{PAY_ROW}\n")
    f = only(tmp_path)
    assert (f.rows_read, f.rows_loaded, f.duplicates) == (2, 1, 1)


def test_same_row_in_two_files_is_two_records(tmp_path: Path) -> None:
    row = PAY_ROW.replace("F1,", ",")
    write(tmp_path, "payments_1.csv", f"{PAY_HEADER}\n{row}\n")
    write(tmp_path, "payments_2.csv", f"{PAY_HEADER}\n{row}\n")
    files, _ = parse_folder(tmp_path)
    ids = [f.records["payment_id"].iloc[0] for f in files]
    assert len(set(ids)) == 2 and all(i.startswith("R") for i in ids)


def test_same_serial_with_other_content_in_another_file_is_quarantined(tmp_path: Path) -> None:
    write(tmp_path, "payments_1.csv", f"{PAY_HEADER}\n{PAY_ROW}\n")
    write(tmp_path, "payments_2.csv", f"{PAY_HEADER}\n{PAY_ROW.replace(',300,', ',900,')}\n{PAY_ROW}\n")
    files, _ = parse_folder(tmp_path)
    second = files[1]
    assert second.rows_loaded == 0 and second.duplicates == 1 and len(second.quarantine) == 1
    assert "F1 与 payments_1.csv 第 2 行重复但内容不同" in second.quarantine[0]["reason"]
    assert balanced(second)


def test_empty_file_is_a_file_error(tmp_path: Path) -> None:
    write(tmp_path, "deaths.csv", "")
    f = only(tmp_path)
    assert f.error == "deaths.csv: 文件为空（没有表头）"


def test_header_only_file_loads_nothing(tmp_path: Path) -> None:
    write(tmp_path, "deaths.csv", "姓名,身份证号,死亡日期\n\n")
    f = only(tmp_path)
    assert f.error is None and (f.rows_read, f.rows_loaded) == (0, 0)


def test_row_longer_than_header_is_quarantined(tmp_path: Path) -> None:
    write(tmp_path, "deaths.csv", "姓名,身份证号,死亡日期\n赵六,370123194002200914,2022-06-30,多余\n")
    f = only(tmp_path)
    assert f.quarantine[0]["reason"] == "本行列数多于表头"


def test_period_defaults_to_month_of_pay_date(tmp_path: Path) -> None:
    write(tmp_path, "payments.csv", f"{PAY_HEADER}\n{PAY_ROW.removesuffix('2021-03')}\n")
    f = only(tmp_path)
    assert f.records[["period", "period_year"]].values.tolist() == [["2021-03", "2021"]]


def test_dataset_yaml_names_kind_sheet_and_aliases(tmp_path: Path) -> None:
    tiny_xlsx.write_xlsx(
        tmp_path / "民政死亡名单.xlsx", [["逝者", "身份证号", "死亡日期"], ["赵六", "370123194002200914", "2022-06-30"]]
    )
    write(
        tmp_path,
        "dataset.yaml",
        "files:\n  民政死亡名单.xlsx: {kind: deaths, sheet: Sheet1}\naliases:\n  deaths:\n    姓名: [逝者]\n",
    )
    f = only(tmp_path)
    assert f.kind == "deaths" and f.records["name"].tolist() == ["赵六"]


def test_unknown_file_is_skipped_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, "说明.csv", "a,b\n1,2\n")
    files, notes = parse_folder(tmp_path)
    assert files == []
    assert notes == ["说明.csv: 无法从文件名判断数据类别，已跳过（可在 dataset.yaml 中指定）"]


def test_duplicate_rows_found_chunk_by_chunk_are_those_of_the_whole_file() -> None:
    """parse_table in chunks (a row hash per row, carried from chunk to chunk) finds the
    same duplicates, quarantine and records as over the whole file (exact comparison)."""
    import pandas as pd

    from loaders.parse import parse_table
    from loaders.read import RawTable

    headers = ["乡镇", "村", "项目名称", "姓名", "身份证号", "发放金额", "发放日期"]
    a = ["青山镇", "东村", "低保", "张三", "370123196001011459", "300", "2024-01-10"]
    b = ["青山镇", "东村", "低保", "李四", "370123196603031377", "300", "2024-01-10"]
    rows = [
        a, b, list(a),  # a duplicate in the first chunk
        ["青山镇", "东村", "低保", "王五", "370123195707071424", "abc", "2024-01-10"],  # quarantined
        list(b),  # a duplicate of a row of the first chunk
        ["青山镇", "东村", "低保", "赵六", "37012319670404138X", "300"],  # short: its date is missing
        ["青山镇", "东村", "低保", "王五", "370123195707071424", "abc", "2024-01-10"],  # a duplicate of a quarantined row
        [*a, "多"],  # a cell more than the header: not a duplicate of a
        ["青山镇", "东村", "低保", "张三", "370123196001011459", "300", "2024-01-11"],  # differs in one cell
    ]  # fmt: skip
    path = Path("payments.csv")

    def table(lo: int, hi: int) -> RawTable:
        return RawTable(headers, [list(r) for r in rows[lo:hi]], list(range(lo + 2, hi + 2)), "utf-8", "x")

    whole = parse_table(table(0, len(rows)), path, "payments")
    seen = KeySet()
    cache: dict = {}
    parts = [parse_table(table(lo, min(lo + 3, len(rows))), path, "payments", None, seen, cache) for lo in range(0, len(rows), 3)]
    assert whole.duplicates == sum(p.duplicates for p in parts) == 3
    assert [q["line"] for q in whole.quarantine] == [q["line"] for p in parts for q in p.quarantine] == [5, 7, 9]
    records = pd.concat([p.records for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(records, whole.records)
    assert records["src_line"].tolist() == [2, 3, 10]


def test_blank_lines_are_skipped_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    from loaders.read import iter_csv

    path = tmp_path / "payments.csv"
    # an empty line, a line of empty cells, a line of spaces in every cell, and one whose
    # first cell is empty but not the others: only the last is a row
    path.write_text("a,b,c\n1,2,3\n\n,,\n  , ,\t\n,x,\n4,5,6\n", encoding="utf-8")
    (raw,) = iter_csv(path)
    assert raw.rows == [["1", "2", "3"], ["", "x", ""], ["4", "5", "6"]]
    assert raw.lines == [2, 6, 7]


def _read_flat(chunks: list) -> tuple[list[str] | None, list[list[str]], list[int]]:
    headers, rows, lines = None, [], []
    for c in chunks:
        headers = c.headers
        rows += c.sample_rows(len(c))
        lines += [int(x) for x in c.lines]
    return headers, rows, lines


_CSV_CASES = {
    "plain": "a,b,c\n1,2,3\n4,5,6\n",
    "no final line break": "a,b,c\n1,2,3\n4,5,6",
    "blank lines": "\n\na,b,c\n1,2,3\n\n\n4,5,6\n\n",
    "CRLF, empty cells": "a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n,,\r\n , ,\r\n7,8,9",
    "spaces only": "a,b,c\n   \n1,2,3\n\t\n4,5,6\n",
    "ragged": "a,b,c\n1,2\n3,4,5,6\n7,8,9\n,,,\n10,11,12\n",
    "quoted amount": 'a,b,c\n1,"2,150.00",3\n"x","y","z"\n"a""b",",",""\n',
    "quoted line break": 'a,b,c\n1,2,3\n4,"5\n5",6\n7,8,9\n10,"11\r\n12",13\n14,15,16\n',
    "stray quotes": 'a,b,c\n1,2"x,3\n4,"5"y,6\nab",x,"y\nz",1,2\n3,4,5\n',
    "open quote at the end": 'a,b,c\n1,2,3\n4,5,"6\n',
    "lone CR": "a,b,c\n1,2,3\r4,5,6\n7,8,9\n",
    "NUL": "a,b,c\n1,2,3\n4,\x005,6\n",
    "quoted header": '"a","b","c"\n1,2,3\n',
    "header only": "a,b,c\n",
    "CJK": "姓名,身份证号,金额\n张三,370158197801058313,1.5\n李四 ,x,2\n\u3000,\u3000,\u3000\n",
    "one column": "a\n1\n \n2\n",
}


@pytest.mark.parametrize("case", list(_CSV_CASES))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_columnar_reading_gives_the_rows_and_lines_of_pythons_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, encoding: str
) -> None:
    """Chunks read by Arrow block by block (blocks of a few bytes here, so that lines,
    quotes and line breaks fall on every side of a block's end) hold exactly the rows and
    physical lines Python's csv reader gives for the whole file, in chunks of the size
    asked for."""
    from loaders import read

    path = tmp_path / "x.csv"
    path.write_bytes(_CSV_CASES[case].encode(encoding))
    want = _read_flat(list(read._iter_csv_rows(path, *read.sniff_csv(path), None)))
    for block in (1 << 20, 7, 12, 30):
        monkeypatch.setattr(read, "ARROW_BLOCK", block)
        for chunk in (1, 2, 1000):
            chunks = list(read.iter_csv(path, chunk))
            assert [len(c) for c in chunks[:-1]] == [chunk] * (len(chunks) - 1)
            assert _read_flat(chunks) == want, (block, chunk)
    # read in one block, the cases Arrow takes are Arrow's alone
    monkeypatch.setattr(read, "ARROW_BLOCK", 1 << 20)
    columnar = all(c.columns is not None for c in read.iter_csv(path, 1000))
    arrow_cases = {
        "plain",
        "no final line break",
        "blank lines",
        "CRLF, empty cells",
        "quoted amount",
        "CJK",
        "one column",
        "header only",
    }
    assert columnar == (case in arrow_cases)


def test_utf8_is_judged_as_pythons_decoder_judges_it_whatever_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sniff_csv checks UTF-8 with Arrow, block by block: the same verdict as Python's
    strict decoder on surrogates, overlong forms, truncated characters and bytes past
    U+10FFFF, with characters falling across the blocks' ends."""
    import random

    from loaders import read

    bad = [b"\xed\xa0\x80", b"\xc0\x80", b"\xe0\x80\x80", b"\xf4\x90\x80\x80", b"\xff", b"\xc3", b"\xe4\xb8"]
    good = ["中".encode(), b"\xf4\x8f\xbf\xbf", b"\x00", b"a"]
    for data in bad + good:
        assert read.valid_utf8(data) == (data in good)
    rnd = random.Random(3)
    path = tmp_path / "x.csv"
    for block in (1, 3, 16):
        monkeypatch.setattr(read, "_BLOCK", block)
        for _ in range(60):
            lines = ["姓名,金额"] + [rnd.choice(["张三,1", "李 四,2", "ab,3", ""]) for _ in range(rnd.randint(0, 8))]
            data = "\n".join(lines).encode()
            if rnd.random() < 0.5:
                at = rnd.randint(0, len(data))
                data = data[:at] + rnd.choice(bad) + data[at:]
            path.write_bytes(data)
            try:
                data.decode("utf-8")
                want = "utf-8"
            except UnicodeDecodeError:
                want = "gb18030"
            try:
                got = read.sniff_csv(path)[0]
            except read.FileError:
                got = "gb18030"  # neither: sniff_csv's error names GB18030's first bad byte
            assert got == want, (block, data)


def test_columnar_reading_of_a_file_with_random_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, on 300 files of random lines: blank, empty cells, short, quoted (some
    over a line break), stray quotes, CJK, LF or CRLF, UTF-8 or GB18030."""
    import random

    from loaders import read

    rnd = random.Random(7)
    path = tmp_path / "x.csv"
    odd = ['"q",2,3', '1,"2,3",4', '"a\nb",1,2', 'x"y,1,2', '"",1,"z"', '"p""q",1,2', '1,2,"3']
    for _ in range(300):
        lines = ["h1,h2,h3"]
        for i in range(rnd.randint(0, 30)):
            r = rnd.random()
            line = f"{i},{rnd.choice(['x', '甲', ' y '])},{i * 2}"
            lines.append(
                ""
                if r < 0.1
                else ",,"
                if r < 0.15
                else " "
                if r < 0.2
                else "1,2"
                if r < 0.25
                else rnd.choice(odd)
                if r < 0.35
                else line
            )
        sep = rnd.choice(["\n", "\r\n"])
        path.write_bytes((sep.join(lines) + rnd.choice(["", sep])).encode(rnd.choice(["utf-8", "gb18030"])))
        want = _read_flat(list(read._iter_csv_rows(path, *read.sniff_csv(path), None)))
        for block in (1 << 20, 5, 11, 64):
            monkeypatch.setattr(read, "ARROW_BLOCK", block)
            for chunk in (1, 4, 100):
                assert _read_flat(list(read.iter_csv(path, chunk))) == want


def test_byte_ranges_of_a_csv_file_hold_its_rows_and_lines_or_say_they_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file read in 1 to 6 byte ranges, on 300 files of random lines (as above, lone
    CRs and BOMs too): the ranges' rows one after the other are the whole file's, with its
    physical lines, and the first range carries its SHA-256. A range may give up
    (Unsplittable) only where a quoted cell holds a line break, or on a header Arrow does
    not read (here: quoted, or longer than the tiny blocks); plain lines are always read
    apart."""
    import random

    from loaders import read

    rnd = random.Random(11)
    path = tmp_path / "x.csv"
    odd = ['"q",2,3', '1,"2,3",4', '"a\nb",1,2', 'x"y,1,2', '"",1,"z"', '"p""q",1,2', "a\rb,1,2"]
    gave_up = split = 0
    for _ in range(300):
        lines = [rnd.choice(["h1,h2,h3", "h1,h2,h3", '"h1",h2,h3'])]
        plain = True
        for i in range(rnd.randint(0, 40)):
            r = rnd.random()
            if r < 0.1:
                lines.append(rnd.choice(["", ",,", " ", "1,2"]))
            elif r < 0.2:
                lines.append(rnd.choice(odd))
                plain = False
            else:
                lines.append(f"{i},{rnd.choice(['x', '甲', ' y '])},{i * 2}")
        sep = rnd.choice(["\n", "\r\n"])
        encoding = rnd.choice(["utf-8", "utf-8-sig", "gb18030"])
        path.write_bytes((sep.join(lines) + rnd.choice(["", sep])).encode(encoding))
        want = _read_flat(list(read._iter_csv_rows(path, *read.sniff_csv(path), None)))
        for parts in (1, 2, 3, 6):
            monkeypatch.setattr(read, "ARROW_BLOCK", rnd.choice([1 << 20, 7, 16]))
            monkeypatch.setattr(read, "_BLOCK", rnd.choice([1 << 24, 3, 8]))  # a CRLF over the end of a block
            try:
                ranges = [list(read.iter_csv_range(path, rnd.choice([1, 5, 100]), k, parts)) for k in range(parts)]
            except read.Unsplittable:
                assert not plain or read._iter_csv_columns(path, *read.sniff_csv(path), 5) is None  # the header
                gave_up += 1
                continue
            split += 1
            assert _read_flat([c for r in ranges for c in r]) == want, (parts, lines)
            assert ranges[0][0].sha256 == read.sniff_csv(path)[1]
            got = {c.encoding for r in ranges for c in r}
            assert read.sniff_csv(path)[0] in got  # other ranges may be ASCII only: then joined as read whole
    assert gave_up and split > 300


def test_columnar_and_row_tables_parse_alike(tmp_path: Path) -> None:
    """parse_table on Arrow columns and on rows of text of the same file: the same
    records, duplicates and quarantined rows (with their raw cells and lines)."""
    import pandas as pd

    from loaders.parse import parse_table
    from loaders.read import _iter_csv_rows, iter_csv, sniff_csv

    path = tmp_path / "payments.csv"
    path.write_text(
        "发放流水号,乡镇,村,项目名称,姓名,身份证号,发放金额,发放日期,银行账号\n"
        'F1,青山镇,东村,低保,张三,370123196001011459,"1,200.50",2024-01-10,6217 0001\n'
        "F2,青山镇,东村,低保,張 三,370123196001011459,300元,2024/1/10,62170001\n"
        'F1,青山镇,东村,低保,张三,370123196001011459,"1,200.50",2024-01-10,6217 0001\n'
        "F3,青山镇,东村,低保,李四,370123196603031377,abc,2024-01-10,62170002\n"
        ",青山镇,东村,低保,王五,370123195707071424,300,2024年1月10日,\n"
        "F4,青山镇,东村,低保,,370123195707071424,-5,2024-01-10,62170003\n",
        encoding="utf-8",
    )
    (rows,) = _iter_csv_rows(path, *sniff_csv(path), None)
    (columns,) = iter_csv(path, 100)
    assert columns.columns is not None and rows.columns is None
    a = parse_table(rows, path, "payments", None, KeySet(), {})
    b = parse_table(columns, path, "payments", None, KeySet(), {})
    pd.testing.assert_frame_equal(a.records, b.records)
    assert (a.duplicates, a.quarantine) == (b.duplicates, b.quarantine)
    assert a.duplicates == 1 and [q["line"] for q in a.quarantine] == [5, 7]
    assert a.records["amount"].tolist() == [1200.5, 300.0, 300.0]
    assert a.records["name"].tolist() == ["张三", "张三", "王五"]
