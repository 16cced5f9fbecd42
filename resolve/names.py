"""Names as identity resolution compares them: canonical characters, pinyin, surname readings.

The loaders' normalisation (NFKC, no white space, unified middle dots, traditional →
simplified) leaves characters that simplification does not unify: pairs that are
written both ways in registers (闫/阎, 萧/肖 …) and rare characters that clerks type as
a common look-alike or homophone (喆 → 哲, 堃 → 坤 …). ``canonical_name`` maps them to
one form, so both spellings block and score as one name.
"""

from __future__ import annotations

from functools import cache

from pypinyin import Style, lazy_pinyin, pinyin

from loaders.normalize import normalise_name

#: Character → the form it is compared as. Each pair is written both ways in registers
#: and OpenCC's traditional → simplified conversion leaves them apart (checked in tests).
VARIANTS: dict[str, str] = {
    "阎": "闫",
    "萧": "肖",  # 蕭 simplifies to 萧
    "喆": "哲",
    "堃": "坤",
    "甯": "宁",
    "锺": "钟",
    "凃": "涂",
    "冨": "富",
    "囯": "国",
    "斈": "学",
}
_TABLE = str.maketrans(VARIANTS)

#: Surnames read otherwise than the character's common reading (单 is shan as a surname).
SURNAME_HETERONYMS: dict[str, tuple[str, ...]] = {
    "单": ("shan", "dan"), "曾": ("zeng", "ceng"), "区": ("ou", "qu"), "朴": ("piao", "pu"), "解": ("xie", "jie"),
    "仇": ("qiu", "chou"), "查": ("zha", "cha"), "盖": ("ge", "gai"), "缪": ("miao", "miu"), "乐": ("yue", "le"),
    "覃": ("qin", "tan"), "折": ("she", "zhe"), "员": ("yun", "yuan"), "尉": ("yu", "wei"), "长": ("chang", "zhang"),
}  # fmt: skip


@cache
def canonical_name(name: str | None) -> str:
    """A name as identity resolution compares it: the loaders' normalisation, then the variant table."""
    return normalise_name(name or "").translate(_TABLE)


def canonical_of_normalised(name: str | None) -> str:
    """``canonical_name`` of a name the loaders have already normalised (every name in the
    parsed records): only the variant table. OpenCC costs ~20 µs a name, and a county's
    reference holds 170k distinct names."""
    return (name or "").translate(_TABLE)


@cache
def pinyin_of_canonical(cname: str) -> str:
    """Toneless pinyin of a canonical name, without separators."""
    return "".join(_char_pinyin(c) for c in cname)


@cache
def _char_pinyin(c: str) -> str:
    """The common toneless reading of one character ('' for what has none)."""
    out = lazy_pinyin(c, errors="ignore")
    return out[0].lower() if out else ""


@cache
def _char_heteronyms(c: str) -> tuple[str, ...]:
    """Every toneless reading pypinyin knows for one character."""
    readings = pinyin(c, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(sorted({r.lower() for r in readings[0]})) if readings else ()


# pypinyin takes about 2 ms a call on these machines: names are read character by
# character through the two caches above (a county has a few thousand distinct characters
# in 600k names), which costs the word segmentation nothing in names.


@cache
def name_pinyin(name: str | None) -> str:
    """Toneless pinyin of the canonical name, without separators (张三 → zhangsan)."""
    return pinyin_of_canonical(canonical_name(name))


def surname_readings(name: str | None) -> tuple[str, ...]:
    """Every pinyin reading of the name's first character (单 → dan, shan, chan; 区 → qu, ou).

    A surname may be read differently from the same character elsewhere (单 as a
    surname is shan), and a clerk typing by sound picks whichever reading they know;
    blocking on every reading keeps both spellings in one block.
    """
    return readings_of_first(canonical_name(name))


def readings_of_first(cname: str) -> tuple[str, ...]:
    """``surname_readings`` of a canonical name."""
    return _char_heteronyms(cname[0]) if cname else ()


@cache
def char_readings(name: str | None) -> tuple[frozenset[str], ...]:
    """The readings of each character of the canonical name: the common reading, and for the
    surname (the first character) also the readings it has as a surname.

    All of pypinyin's heteronym readings would be too loose for scoring (it lists a rare
    reading yu for 王, which would make 玉芳 a homophone of 王芳); the surname's readings
    come from ``SURNAME_HETERONYMS``.
    """
    cname = canonical_name(name)
    readings = [_char_pinyin(c) for c in cname]
    if not cname or not all(readings):
        return tuple(frozenset([r]) for r in readings if r)
    first = frozenset([readings[0], *SURNAME_HETERONYMS.get(cname[0], ())])
    return (first, *(frozenset([r]) for r in readings[1:]))


def homophones(a: str | None, b: str | None) -> bool:
    """Whether two names can be read alike, character by character (单丽 and 善丽: 单 reads shan too)."""
    ra, rb = char_readings(a), char_readings(b)
    return len(ra) == len(rb) > 0 and len(canonical_name(a)) == len(ra) and all(x & y for x, y in zip(ra, rb, strict=True))


__all__ = [
    "VARIANTS",
    "canonical_name",
    "canonical_of_normalised",
    "char_readings",
    "homophones",
    "name_pinyin",
    "pinyin_of_canonical",
    "readings_of_first",
    "surname_readings",
]
