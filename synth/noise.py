"""Noise mode of the demo generator: damage a known share of ID numbers and names.

Damage is applied the way real exports carry it: per person and program (every row of
one person's program carries the same mistake, as the payment system holds it), and to
declared relatives' names. The truth — which rows were damaged, how, and whose they
really are — goes to ``truth/noise.csv`` for ``bench/resolve.py``; the loaders never
read it.

ID damage always leaves a number that fails validation (a damaged number that happens
to pass the checksum is damaged again): one digit substituted, two adjacent digits
transposed, one digit lost, or the last digits zeroed as an Excel cell stored as a
number leaves them. Name damage: a homophone (same pinyin), a look-alike character, a
variant the simplification does not unify, traditional characters, a stray space.
"""

from __future__ import annotations

import random
from collections import defaultdict

from loaders.normalize import normalise_id
from resolve.names import VARIANTS

HOMOPHONES = {
    "伟": "玮", "芳": "方", "娜": "纳", "秀": "绣", "英": "瑛", "敏": "民", "静": "靖", "丽": "莉", "强": "墙",
    "磊": "垒", "军": "君", "洋": "阳", "勇": "永", "艳": "燕", "杰": "洁", "娟": "涓", "涛": "滔", "明": "鸣",
    "超": "潮", "兰": "岚", "霞": "侠", "平": "萍", "刚": "钢", "桂": "贵", "华": "花", "玉": "宇", "萍": "平",
    "红": "宏", "娥": "鹅", "玲": "铃", "芬": "分", "燕": "艳", "鹏": "朋", "辉": "慧", "建": "健", "国": "果",
    "志": "智", "海": "亥", "春": "纯", "梅": "玫", "小": "晓", "文": "雯", "凤": "风", "永": "勇", "德": "得",
    "王": "汪", "张": "章", "徐": "许", "何": "贺", "杨": "阳", "刘": "柳", "周": "州", "朱": "诸", "郑": "正",
}  # fmt: skip
LOOKALIKES = {
    "王": "玉", "玉": "王", "明": "朋", "辉": "挥", "娟": "捐", "梅": "海", "海": "梅", "未": "末", "土": "士",
    "日": "曰", "人": "入", "大": "太", "天": "夭", "己": "已", "住": "往", "春": "椿", "萍": "苹", "杰": "木",
}  # fmt: skip
_UNVARIANT = {v: k for k, v in VARIANTS.items()}  # 闫 → 阎: written the other way
TRADITIONAL = {
    "张": "張", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙", "华": "華", "国": "國", "红": "紅", "丽": "麗",
}  # fmt: skip

ID_DAMAGE = ("substitution", "transposition", "lost_digit", "excel")
NAME_DAMAGE = ("homophone", "lookalike", "variant", "traditional", "space")


def damage_id(pid: str, kind: str, r: random.Random) -> str:
    """``pid`` damaged by ``kind``; always fails validation."""
    for _ in range(50):
        s = list(pid)
        if kind == "substitution":
            i = r.randrange(17)
            s[i] = r.choice([d for d in "0123456789" if d != s[i]])
        elif kind == "transposition":
            pairs = [i for i in range(16) if s[i] != s[i + 1]]
            i = r.choice(pairs)
            s[i], s[i + 1] = s[i + 1], s[i]
        elif kind == "lost_digit":
            del s[r.randrange(18)]
        elif kind == "excel":
            digits = pid[:17] + ("0" if pid[17] == "X" else pid[17])
            s = list(f"{float(int(digits)):.0f}")  # what a double keeps of 18 digits
        out = "".join(s)
        if out != pid and not normalise_id(out).valid:
            return out
        kind = "substitution"  # the rare damage that still passes the checksum: damage again
    raise RuntimeError(f"cannot damage {pid}")


def damage_name(name: str, kind: str, r: random.Random) -> tuple[str, str]:
    """``name`` damaged by ``kind`` if the name allows it, else by a homophone or a space; (name, kind used)."""
    if kind == "variant":
        hits = [i for i, c in enumerate(name) if c in _UNVARIANT]
        if hits:
            i = r.choice(hits)
            return name[:i] + _UNVARIANT[name[i]] + name[i + 1 :], kind
        kind = "homophone"
    table = {"homophone": HOMOPHONES, "lookalike": LOOKALIKES, "traditional": TRADITIONAL}.get(kind)
    if table is not None:
        hits = [i for i, c in enumerate(name) if c in table]
        if hits:
            i = r.choice(hits)
            return name[:i] + table[name[i]] + name[i + 1 :], kind
    i = r.randrange(1, len(name)) if len(name) > 1 else 1
    return name[:i] + " " + name[i:], "space"


def add_noise(payments: list[dict], relatives: list[dict], rate: float, seed: int) -> list[dict]:
    """Damage a share ``rate`` of (person, program) payment groups and of ID-less declared
    relatives in place; return the truth rows."""
    r = random.Random(seed)
    truth: list[dict] = []
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in payments:
        if normalise_id(row["身份证号"]).valid:
            groups[(row["身份证号"], row["项目"])].append(row)
    for (pid, _), rows in sorted(groups.items()):
        if r.random() >= rate:
            continue
        id_kind = r.choice(ID_DAMAGE)
        bad_id = damage_id(pid, id_kind, r)
        name, name_kind = rows[0]["姓名"], ""
        if r.random() < 0.3:
            name, name_kind = damage_name(name, r.choice(NAME_DAMAGE), r)
        for row in rows:
            row["身份证号"], row["姓名"] = bad_id, name
        first = rows[0]
        truth.append(
            {
                "kind": "payment", "id_value": bad_id, "name": name, "town": first["乡镇"], "village": first["村"],
                "true_pid": pid, "id_damage": id_kind, "name_damage": name_kind, "rows": len(rows),
            }
        )  # fmt: skip
    for row in relatives:
        # declarations without an ID (a name unique in the village links them by rule):
        # damage their name; of those with an ID, drop it and damage the name
        if row["亲属身份证号"]:
            if r.random() >= rate * 2:
                continue
            row["亲属身份证号"] = ""
        elif r.random() >= rate * 4:
            # left as declared, without an ID: the truth still says whose it is, because
            # the contract's rule leaves it open where the name is not unique
            truth.append(
                {
                    "kind": "relative", "id_value": "", "name": row["亲属姓名"], "town": "", "village": row["亲属所在村"],
                    "true_pid": row["_true_pid"], "id_damage": "", "name_damage": "", "rows": 1,
                    "cadre": row["干部身份证号"], "relation": row["关系"],
                }
            )  # fmt: skip
            continue
        true_name = row["亲属姓名"]
        name, name_kind = damage_name(true_name, r.choice(NAME_DAMAGE), r)
        row["亲属姓名"] = name
        truth.append(
            {
                "kind": "relative", "id_value": "", "name": name, "town": "", "village": row["亲属所在村"],
                "true_pid": row["_true_pid"], "id_damage": "", "name_damage": name_kind, "rows": 1,
                "cadre": row["干部身份证号"], "relation": row["关系"],
            }
        )  # fmt: skip
    return truth


__all__ = ["ID_DAMAGE", "NAME_DAMAGE", "add_noise", "damage_id", "damage_name"]
