"""Normalisation of the values department exports carry, as the data contract says.

Each parser takes the cell text and returns the normalised value or raises
``ValueError`` with a Chinese reason that ends up in the quarantine report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = date(1970, 1, 1)
EXCEL_EPOCH = date(1899, 12, 30)
MIN_BIRTH = date(1900, 1, 1)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# After NFKC the dots of minority names arrive as one of these; the contract unifies them.
_DOTS = re.compile(r"[·•.・‧∙⋅]")
_WS = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Full-width to half-width and compatibility forms folded (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def clean_text(text: str) -> str:
    """NFKC and surrounding white space removed: for free text such as addresses."""
    return nfkc(text).strip()


def compact(text: str) -> str:
    """NFKC with all white space removed: for codes, plates, account numbers."""
    return _WS.sub("", nfkc(text))


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1 << 18)  # bounded: a city has millions of names
def normalise_name(text: str) -> str:
    """A person's name: NFKC, no white space, one middle dot, simplified characters."""
    s = _DOTS.sub("·", _WS.sub("", nfkc(text)))
    return _t2s().convert(s) if s else s


#: Joins the values normalised as one string: a private-use character, which NFKC,
#: white space and OpenCC leave alone and which no phrase or composition reaches over.
_JOIN = "\ue001"


def normalise_texts(parse: str, texts: list[str]) -> list[str] | None:
    """Names, free text or codes (``parse``: ``name``, ``text``, ``code``) normalised as
    :func:`normalise_name`, :func:`clean_text` and :func:`compact` do one by one, with one
    call of each step over the values joined (a chunk of a city's files holds some 30k
    distinct names; a Python call each was a third of the chunk's normalising). None for
    another ``parse``, or when a value holds the joining character itself."""
    if parse not in ("name", "text", "code"):
        return None
    if not texts:
        return []
    joined = _JOIN.join(texts)
    if joined.count(_JOIN) != len(texts) - 1:
        return None
    joined = nfkc(joined)
    if parse == "name":
        joined = _t2s().convert(_DOTS.sub("·", _WS.sub("", joined)))
    elif parse == "code":
        joined = _WS.sub("", joined)
    parts = joined.split(_JOIN)
    if len(parts) != len(texts):
        return None
    return [t.strip() for t in parts] if parse == "text" else parts


def day_number(d: date) -> int:
    """Days since 1970-01-01: the integer form both stores compare and subtract."""
    return (d - EPOCH).days


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of GB 11643-1999."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


@dataclass
class IdColumn:
    """What :func:`normalise_id` gives for the values :func:`canonical_ids` decides."""

    done: np.ndarray  # bool: decided here; the rest go through normalise_id
    value: np.ndarray  # object: the 18-character number (a 15-digit one upgraded)
    valid: np.ndarray  # bool
    problem: np.ndarray  # object: the reason it is invalid, or None
    birth: np.ndarray  # object: ISO birth date of a valid one, or None
    sex: np.ndarray  # object: 男 / 女 of a valid one, or None


def canonical_ids(values: list[str], today: date | None = None, texts: pa.Array | None = None) -> IdColumn:
    """:func:`normalise_id` for a whole column at once, for the values that need no
    normalising: 17 ASCII digits and a digit or ``X``, or 15 ASCII digits (upgraded with
    their check character). Each is valid or has the problem normalise_id names (check
    character, a birth date that does not exist or is out of range). A city's 16M payment
    rows hold millions of distinct ID numbers, its register some 240k of 15 digits; one
    Python call each was the largest part of reading them. ``texts``: the same values as
    Arrow strings, when the caller has them.
    """
    n = len(values)
    out = IdColumn(
        np.zeros(n, bool), np.full(n, None, object), np.zeros(n, bool), np.full(n, None, object),
        np.full(n, None, object), np.full(n, None, object),
    )  # fmt: skip
    texts = pa.array(values, pa.string()) if texts is None else texts
    # ASCII digits only (RE2's [0-9]; Python's \d would take full-width digits)
    long = pc.match_substring_regex(texts, "^[0-9]{17}[0-9X]$").to_numpy(zero_copy_only=False)
    short = pc.match_substring_regex(texts, "^[0-9]{15}$").to_numpy(zero_copy_only=False)
    at = np.flatnonzero(long | short)
    if not len(at):
        return out
    chars = np.zeros((len(at), 18), dtype=np.uint8)
    is_long = long[at]
    if is_long.any():
        chars[is_long] = np.frombuffer("".join(texts.filter(pa.array(long)).to_pylist()).encode("ascii"), np.uint8).reshape(
            -1, 18
        )
    if (~is_long).any():
        fifteen = np.frombuffer("".join(texts.filter(pa.array(short)).to_pylist()).encode("ascii"), np.uint8).reshape(-1, 15)
        up = np.empty((len(fifteen), 18), dtype=np.uint8)
        up[:, :6], up[:, 6:8], up[:, 8:17] = fifteen[:, :6], np.frombuffer(b"19", np.uint8), fifteen[:, 6:]
        chars[~is_long] = up
    digits = chars[:, :17].astype(np.int64) - 48
    expected = np.frombuffer(_ID_CHECK.encode("ascii"), dtype=np.uint8)[(digits @ np.array(_ID_WEIGHTS)) % 11]
    chars[~is_long, 17] = expected[~is_long]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + ((month == 2) & leap)
    exists = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    last = today or date.today()
    ymd = year * 10000 + month * 100 + day
    in_range = (ymd >= MIN_BIRTH.year * 10000 + MIN_BIRTH.month * 100 + MIN_BIRTH.day) & (
        ymd <= last.year * 10000 + last.month * 100 + last.day
    )
    checked = chars[:, 17] == expected
    good = checked & exists & in_range
    problem = np.where(~checked, "校验位错误", np.where(~exists, "出生日期不存在", "出生日期超出范围")).astype(object)
    problem[good] = None
    out.done[at] = True
    # ASCII bytes to text by numpy's cast ("S" to "U"): np.char.decode calls the codec
    # once a value, 2.4 times as long
    out.value[at] = chars.view("S18").ravel().astype("U18").astype(object)
    out.valid[at] = good
    out.problem[at] = problem
    born = np.empty((len(at), 10), dtype=np.uint8)
    born[:, 0:4], born[:, 4], born[:, 5:7], born[:, 7], born[:, 8:10] = chars[:, 6:10], 45, chars[:, 10:12], 45, chars[:, 12:14]
    births = born.view("S10").ravel().astype("U10").astype(object)
    out.birth[at[good]] = births[good]
    out.sex[at[good]] = np.where(digits[good, 16] % 2 == 1, "男", "女").astype(object)
    return out


@dataclass(frozen=True)
class IdInfo:
    """A normalised ID number: the value, whether it is valid, and what it tells."""

    value: str
    valid: bool
    problem: str = ""
    birth: date | None = None
    sex: str = ""


@lru_cache(maxsize=1 << 18)  # bounded: a city has millions of distinct ID numbers
def normalise_id(raw: str, numeric_cell: bool = False, today: date | None = None) -> IdInfo:
    """Normalise and validate a resident ID number; invalid ones are kept and marked.

    ``numeric_cell``: the value came from an xlsx cell stored as a number, which has
    lost digits in Excel already and so is invalid whatever its checksum says.
    """
    s = compact(raw).upper()
    if not s:
        return IdInfo("", False, "身份证号为空")
    if numeric_cell:
        return IdInfo(s, False, "Excel 数值单元格（已丢失位数）")
    if re.fullmatch(r"\d{15}", s):
        s17 = s[:6] + "19" + s[6:]
        s = s17 + id_check_char(s17)
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return IdInfo(s, False, f"格式错误（{len(s)}位）")
    if s[17] != id_check_char(s[:17]):
        return IdInfo(s, False, "校验位错误")
    try:
        birth = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return IdInfo(s, False, "出生日期不存在")
    if not MIN_BIRTH <= birth <= (today or date.today()):
        return IdInfo(s, False, "出生日期超出范围")
    return IdInfo(s, True, "", birth, "男" if int(s[16]) % 2 else "女")


_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT_YMD = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,5})(?:\.\d+)?")


@cache
def parse_date(raw: str) -> date:
    """A date in any spelling the contract lists (ISO, 2021/3/1, 20210301, 2021年3月1日,
    2021.03.01, Excel serial number, datetime text)."""
    s = compact(raw) if "日" in raw or "年" in raw else nfkc(raw).strip()
    m = re.fullmatch(_YMD.pattern + _TIME.pattern, s)
    if not m:
        m = re.fullmatch(_COMPACT_YMD.pattern, s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _SERIAL.fullmatch(s)
        if m and int(m[1]) > 0:
            return EXCEL_EPOCH + timedelta(days=int(m[1]))
    except ValueError:
        raise ValueError(f"日期不存在: {raw}") from None
    raise ValueError(f"日期无法识别: {raw}")


_YEAR = re.compile(r"(\d{4})\s*年?(?:度)?")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_COMPACT_YM = re.compile(r"(\d{4})(\d{2})")


@cache
def parse_period(raw: str) -> str:
    """所属期: ``YYYY`` for a year, ``YYYY-MM`` for a month; a full date means its month."""
    s = compact(raw)
    if m := _YEAR.fullmatch(s):
        return m[1]
    m = _MONTH.fullmatch(s) or _COMPACT_YM.fullmatch(s)
    if m:
        if 1 <= int(m[2]) <= 12:
            return f"{m[1]}-{int(m[2]):02d}"
        raise ValueError(f"所属期月份不存在: {raw}")
    if s.isdigit() and len(s) < 5:  # too short for a serial date of this century
        raise ValueError(f"所属期无法识别: {raw}")
    try:
        d = parse_date(raw)
    except ValueError:
        raise ValueError(f"所属期无法识别: {raw}") from None
    return f"{d.year:04d}-{d.month:02d}"


@cache
def parse_amount(raw: str) -> float:
    """Yuan: ``1200``, ``1,200.00``, ``1200元``, ``¥1200``, full-width digits. Negative is an error."""
    s = compact(raw).replace(",", "").removesuffix("元").removeprefix("¥").removeprefix("￥")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"金额无法识别: {raw}") from None
    if not value.is_finite():
        raise ValueError(f"金额无法识别: {raw}")
    if value < 0:
        raise ValueError(f"金额为负数: {raw}")
    return float(round(value, 2))


_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", "×"}


@cache
def parse_bool(raw: str) -> bool:
    """是 / 否 (and the obvious spellings of yes/no)."""
    s = compact(raw).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"应为 是 或 否: {raw}")


@cache
def parse_int(raw: str) -> int:
    """A whole number such as 最低年龄 (``80``, ``80岁``, ``80.0``)."""
    s = compact(raw).removesuffix("周岁").removesuffix("岁")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"整数无法识别: {raw}") from None
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"应为非负整数: {raw}")
    return int(value)


def age_on(birth: date, day: date) -> int:
    """Age in full years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
