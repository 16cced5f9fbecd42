"""The data contract's file kinds and columns, as data (``shared/spec/data-contract.md``).

Each column names its canonical Chinese header, its aliases, the field it fills,
whether it is required and how its cells are parsed:

``id`` ID number · ``name`` person name · ``text`` free text · ``code`` compact code
(account, plate, household id) · ``date`` · ``amount`` · ``period`` · ``bool`` · ``int``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.normalize import nfkc


@dataclass(frozen=True)
class Column:
    """One column of a file kind."""

    field: str
    canonical: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: str = "text"


def _c(field: str, canonical: str, aliases: str = "", required: bool = False, parse: str = "text") -> Column:
    return Column(field, canonical, tuple(a for a in aliases.split(",") if a), required, parse)


_ID = "公民身份号码,身份证号码,证件号码"
_TOWN = "乡镇(街道),镇街,乡镇街道"
_VILLAGE = "村(社区),村居,行政村,村社区"

KINDS: dict[str, tuple[Column, ...]] = {
    "cadres": (
        _c("name", "姓名", "干部姓名", True, "name"),
        _c("id_number", "身份证号", _ID, True, "id"),
        _c("town", "乡镇", _TOWN, True),
        _c("village", "村", _VILLAGE, True),
        _c("position", "职务", "现任职务", True),
        _c("term_start_date", "任职开始", "任职时间,任职起始日期,任职日期", parse="date"),
        _c("term_end_date", "任职结束", "离任时间,离任日期,任职终止日期", parse="date"),
    ),
    "relatives": (
        _c("cadre_id_number", "干部身份证号", "干部公民身份号码", True, "id"),
        _c("cadre_name", "干部姓名", "", parse="name"),
        _c("name", "亲属姓名", "", True, "name"),
        _c("id_number", "亲属身份证号", "亲属公民身份号码", parse="id"),
        _c("relation", "关系", "与干部关系,亲属关系", True, "code"),
        _c("village", "亲属所在村", "亲属村(社区)"),
    ),
    "households": (
        _c("household_id", "户号", "户编号", True, "code"),
        _c("town", "乡镇", _TOWN, True),
        _c("village", "村", _VILLAGE, True),
        _c("address", "住址", "户籍地址,详细地址"),
        _c("name", "姓名", "", True, "name"),
        _c("id_number", "身份证号", _ID, True, "id"),
        _c("relation_to_head", "与户主关系", "与户主的关系", True, "code"),
        _c("household_created_date", "立户日期", "建户日期", parse="date"),
        _c("split_from", "原户号", "分户来源户号", parse="code"),
        _c("status", "人员状态", "户籍状态", parse="code"),
        _c("status_date", "状态变更日期", "迁出日期,注销日期", parse="date"),
    ),
    "payments": (
        _c("payment_id", "发放流水号", "流水号,发放编号", parse="code"),
        _c("program", "项目名称", "补贴项目,资金项目,补贴名称", True),
        _c("department", "主管部门", "发放单位,发放部门"),
        _c("name", "姓名", "领取人,补贴对象,领取人姓名", True, "name"),
        _c("id_number", "身份证号", _ID + ",领取人身份证号", True, "id"),
        _c("household_id", "户号", "", parse="code"),
        _c("town", "乡镇", _TOWN, True),
        _c("village", "村", _VILLAGE, True),
        _c("amount", "发放金额", "金额(元),补贴金额,发放金额(元)", True, "amount"),
        _c("pay_date", "发放日期", "发放时间,拨付日期", True, "date"),
        _c("period", "所属期", "所属期间,补贴期间", parse="period"),
        _c("account_number", "银行账号", "一卡通账号,社保卡号,卡号", parse="code"),
        _c("account_holder", "账户户名", "开户人,户名", parse="name"),
    ),
    "programs": (
        _c("program", "项目名称", "补贴项目", True),
        _c("means_tested", "是否经济状况核查", "家计调查,是否家计调查", True, "bool"),
        _c("exclusive_group", "互斥组"),
        _c("min_age", "最低年龄", "年龄下限", parse="int"),
        _c("department", "主管部门"),
    ),
    "public_employees": (
        _c("name", "姓名", "", True, "name"),
        _c("id_number", "身份证号", _ID, True, "id"),
        _c("employer", "工作单位", "单位名称", True),
        _c("start_date", "入职日期", "参加工作时间", parse="date"),
        _c("end_date", "离职日期", "退休日期", parse="date"),
    ),
    "deaths": (
        _c("name", "姓名", "", True, "name"),
        _c("id_number", "身份证号", _ID, True, "id"),
        _c("death_date", "死亡日期", "", True, "date"),
        _c("source", "来源", "数据来源"),
    ),
    "vehicles": (
        _c("owner_name", "车主姓名", "所有人", True, "name"),
        _c("owner_id_number", "车主身份证号", "所有人身份证号", True, "id"),
        _c("plate", "号牌号码", "车牌号", True, "code"),
        _c("vehicle_type", "车辆类型", "", True),
        _c("registered_date", "登记日期", "初次登记日期", parse="date"),
    ),
    "businesses": (
        _c("company", "企业名称", "市场主体名称", True),
        _c("credit_code", "统一社会信用代码", "", parse="code"),
        _c("legal_rep_name", "法定代表人", "经营者", True, "name"),
        _c("legal_rep_id_number", "法定代表人身份证号", "经营者身份证号", True, "id"),
        _c("founded_date", "成立日期", "", parse="date"),
        _c("capital", "注册资本(万元)", "注册资本", parse="amount"),
    ),
}

#: Kind names in the order their files are loaded and reported.
KIND_ORDER = tuple(KINDS)

CLOSE_RELATIONS = frozenset({"配偶", "父亲", "母亲", "儿子", "女儿", "子女", "儿媳", "女婿"})
FARM_VEHICLE_WORDS = ("拖拉机", "三轮汽车", "低速货车", "农用车")


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width brackets fold), no white space, no trailing ``*``."""
    s = re.sub(r"\s+", "", nfkc(str(text)))
    return s.rstrip("*")


def kind_of_filename(stem: str) -> str | None:
    """The kind a file's stem names: ``payments``, ``payments_2021``, ``payments-03`` → payments."""
    s = stem.lower()
    for kind in sorted(KINDS, key=len, reverse=True):
        if s == kind or re.match(rf"{kind}(?:[_\-\s.]|\d)", s):
            return kind
    return None
