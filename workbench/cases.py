"""Case work on warnings: status, assignee, due date, comments, notes, amount recovered, grade override.

A case is keyed by the stable warning id, so a reload and a re-scan keep it. After each
scan ``sync_warnings`` opens a case (待核查) for every new warning, marks a case whose
warning no longer fires as 已消失 (``gone``; its status and history stay), and clears
the mark if the warning fires again.

Edits are guarded by an optimistic version check: a save names the version it was made
on, and is refused with ``CaseConflict`` when someone saved in between, so nothing is
overwritten silently. Comments and notes only append and are never refused.

Who may do what (``workbench.access`` rights): ``case_work`` moves 待核查 → 核查中 →
属实 / 部分属实 / 不属实 and records notes and the amount recovered; ``assign`` sets the
assignee and due date; ``override`` changes the grade (a reason is required);
``dispose`` closes a verified case as 已整改 or 已移送 (or reopens it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.access import Jurisdiction, User
from workbench.db import case_events, cases

STATUSES = ("待核查", "核查中", "属实", "部分属实", "不属实", "已整改", "已移送")
GONE = "已消失"
VERDICTS = ("属实", "部分属实", "不属实")
#: statuses that count as "verified" in the funnel, and those that count as substantiated
VERIFIED = ("属实", "部分属实", "不属实", "已整改", "已移送")
SUBSTANTIATED = ("属实", "部分属实", "已整改", "已移送")

#: status → statuses it may move to, with the right each move needs
TRANSITIONS: dict[str, dict[str, str]] = {
    "待核查": {"核查中": "case_work"},
    "核查中": {"属实": "case_work", "部分属实": "case_work", "不属实": "case_work", "待核查": "case_work"},
    "属实": {"已整改": "dispose", "已移送": "dispose", "核查中": "dispose"},
    "部分属实": {"已整改": "dispose", "已移送": "dispose", "核查中": "dispose"},
    "不属实": {"核查中": "dispose"},
    "已整改": {"核查中": "dispose"},
    "已移送": {"核查中": "dispose"},
}
FIELD_RIGHTS = {
    "status": "",  # per transition
    "assignee": "assign",
    "due_date": "assign",
    "recovered": "case_work",
    "grade_override": "override",
}
FIELD_LABELS = {
    "status": "状态",
    "assignee": "承办人",
    "due_date": "办结期限",
    "recovered": "追缴金额（元）",
    "grade_override": "调整后等级",
    "override_reason": "调整理由",
}

#: Chinese names of the history's event kinds
EVENT_LABELS = {"created": "建立", "change": "变更", "comment": "意见", "note": "核查记录", "gone": "已消失", "back": "再次出现"}


class CaseError(ValueError):
    """A change the rules do not allow (wrong transition, missing right, bad value)."""


class CaseConflict(RuntimeError):
    """The case changed since the user loaded it; their save is refused."""


@dataclass(frozen=True)
class Case:
    """One warning's case as stored."""

    warning_id: str
    model: str
    grade: str
    town: str
    village: str
    status: str
    gone: bool
    assignee: str
    due_date: str
    recovered: Decimal
    grade_override: str
    override_reason: str
    version: int
    updated_at: str
    updated_by: str

    @property
    def shown_status(self) -> str:
        """The status as pages show it: 已消失 while the warning no longer fires."""
        return f"{GONE}（原{self.status}）" if self.gone else self.status

    @property
    def effective_grade(self) -> str:
        """The supervisor's grade if overridden, else the model's."""
        return self.grade_override or self.grade


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _case(row: sa.Row) -> Case:
    return Case(
        row.warning_id,
        row.model,
        row.grade,
        row.town,
        row.village,
        row.status,
        bool(row.gone),
        row.assignee,
        row.due_date,
        (Decimal(int(row.recovered_fen)) / 100).quantize(Decimal("0.01")),
        row.grade_override,
        row.override_reason,
        int(row.version),
        row.updated_at,
        row.updated_by,
    )


def sync_warnings(eng: Engine, warnings: pd.DataFrame, by: str = "workbench scan") -> dict[str, int]:
    """Open cases for new warnings, mark vanished ones 已消失, revive returning ones; counts of each."""
    now = _now()
    current = {r.warning_id: r for r in warnings.itertuples()}
    made = gone = back = 0
    with eng.begin() as c:
        stored = {r.warning_id: r for r in c.execute(sa.select(cases.c.warning_id, cases.c.gone, cases.c.version))}
        for wid, w in current.items():
            place = {"model": w.model, "grade": w.grade, "town": str(w.town or ""), "village": str(w.village or "")}
            if wid not in stored:
                c.execute(
                    cases.insert().values(
                        warning_id=wid,
                        status="待核查",
                        gone=False,
                        assignee="",
                        due_date="",
                        recovered_fen=0,
                        grade_override="",
                        override_reason="",
                        version=1,
                        updated_at=now,
                        updated_by=by,
                        **place,
                    )
                )
                c.execute(case_events.insert().values(warning_id=wid, at=now, username=by, kind="created", new="待核查"))
                made += 1
            else:
                values = dict(place)
                if stored[wid].gone:
                    values |= {"gone": False, "version": stored[wid].version + 1, "updated_at": now, "updated_by": by}
                    c.execute(
                        case_events.insert().values(
                            warning_id=wid, at=now, username=by, kind="back", text="重新扫描后预警再次出现"
                        )
                    )
                    back += 1
                c.execute(cases.update().where(cases.c.warning_id == wid).values(**values))
        for wid, r in stored.items():
            if wid not in current and not r.gone:
                c.execute(
                    cases.update()
                    .where(cases.c.warning_id == wid)
                    .values(gone=True, version=r.version + 1, updated_at=now, updated_by=by)
                )
                c.execute(
                    case_events.insert().values(warning_id=wid, at=now, username=by, kind="gone", text="重新扫描后预警不再出现")
                )
                gone += 1
    return {"new": made, "gone": gone, "back": back}


def get_case(eng: Engine, warning_id: str) -> Case | None:
    """The case of a warning, or None when no scan has opened one."""
    with eng.connect() as c:
        row = c.execute(sa.select(cases).where(cases.c.warning_id == warning_id)).first()
    return _case(row) if row else None


def all_cases(eng: Engine, where: Jurisdiction | None = None) -> pd.DataFrame:
    """Every case (inside ``where``) as a table, one row per warning id."""
    with eng.connect() as c:
        df = pd.read_sql(sa.select(cases), c)
    df["recovered"] = df["recovered_fen"].astype("int64") / 100
    if where is not None and where.level != "county":
        df = df[[where.contains(t, v) for t, v in zip(df["town"], df["village"], strict=True)]]
    return df.drop(columns=["recovered_fen"])


def history(eng: Engine, warning_id: str) -> pd.DataFrame:
    """The case's events, oldest first."""
    with eng.connect() as c:
        q = sa.select(case_events).where(case_events.c.warning_id == warning_id).order_by(case_events.c.id)
        return pd.read_sql(q, c)


def _money_fen(value: object) -> int:
    try:
        amount = Decimal(str(value).replace(",", "").strip() or "0")
    except InvalidOperation as e:
        raise CaseError(f"追缴金额不是数字：{value}") from e
    if amount < 0:
        raise CaseError("追缴金额不能为负数")
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def update_case(
    eng: Engine,
    warning_id: str,
    version: int,
    user: User,
    changes: dict[str, object],
    comment: str = "",
) -> Case:
    """Apply ``changes`` made on ``version`` of the case, in one transaction; the case as saved.

    Raises CaseError for a change the user's rights or the workflow do not allow, and
    CaseConflict when the case is no longer at ``version``.
    """
    if not user.can("case_work"):
        raise CaseError("您的角色不能处理案件")
    case = get_case(eng, warning_id)
    if case is None:
        raise CaseError(f"没有预警 {warning_id} 的案件记录")
    if not user.jurisdiction.contains(case.town, case.village):
        raise CaseError("该案件不在您的辖区内")
    values: dict[str, object] = {}
    events: list[dict[str, str]] = []

    def change(field: str, old: object, new: object, stored: object | None = None) -> None:
        if str(old) == str(new):
            return
        values[field] = new if stored is None else stored
        events.append({"kind": "change", "field": field, "old": str(old), "new": str(new)})

    for field, new in changes.items():
        if field not in FIELD_RIGHTS and field != "override_reason":
            raise CaseError(f"未知字段 {field}")
        if field == "status":
            if new == case.status:
                continue
            need = TRANSITIONS.get(case.status, {}).get(str(new))
            if need is None:
                raise CaseError(f"状态不能从“{case.status}”变为“{new}”")
            if not user.can(need):
                raise CaseError(f"您的角色不能把状态改为“{new}”")
            change("status", case.status, new)
        elif field == "recovered":
            fen = _money_fen(new)  # case_work, which any change needs, covers it: checked above
            change("recovered_fen", f"{case.recovered:.2f}", f"{Decimal(fen) / 100:.2f}", fen)
        elif field == "due_date":
            text = str(new or "")
            if text:
                try:
                    date.fromisoformat(text)
                except ValueError as e:
                    raise CaseError(f"办结期限不是日期：{text}") from e
            if text != case.due_date and not user.can("assign"):
                raise CaseError("您的角色不能设置办结期限")
            change("due_date", case.due_date, text)
        elif field == "assignee":
            if str(new or "") != case.assignee and not user.can("assign"):
                raise CaseError("您的角色不能分派案件")
            change("assignee", case.assignee, str(new or ""))
        elif field == "grade_override":
            new = str(new or "")
            if new == case.grade_override:
                continue
            if not user.can("override"):
                raise CaseError("您的角色不能调整预警等级")
            if new not in ("", "red", "orange", "yellow"):
                raise CaseError(f"未知等级 {new}")
            reason = str(changes.get("override_reason") or "").strip()
            if new and not reason:
                raise CaseError("调整等级须写明理由")
            change("grade_override", case.grade_override, new)
            values["override_reason"] = reason
    comment = comment.strip()
    if not values and not comment:
        return case
    now = _now()
    with eng.begin() as c:
        if values:
            done = c.execute(
                cases.update()
                .where(cases.c.warning_id == warning_id, cases.c.version == version)
                .values(**values, version=version + 1, updated_at=now, updated_by=user.username)
            )
            if done.rowcount != 1:
                latest = c.execute(
                    sa.select(cases.c.updated_by, cases.c.updated_at).where(cases.c.warning_id == warning_id)
                ).first()
                who = f"{latest.updated_by} 于 {latest.updated_at}" if latest else "他人"
                raise CaseConflict(f"保存被拒绝：此案件已被 {who} 修改。请刷新查看最新内容后重新填写，您的修改未保存。")
        for e in events:
            c.execute(case_events.insert().values(warning_id=warning_id, at=now, username=user.username, **e))
        if comment:
            c.execute(
                case_events.insert().values(warning_id=warning_id, at=now, username=user.username, kind="comment", text=comment)
            )
    saved = get_case(eng, warning_id)
    assert saved is not None
    return saved


def add_comment(eng: Engine, warning_id: str, user: User, text: str, kind: str = "comment") -> None:
    """Append a comment or a verification note (kind ``note``); never refused by a version check."""
    if not user.can("case_work"):
        raise CaseError("您的角色不能填写案件意见")
    if kind not in ("comment", "note"):
        raise CaseError(f"未知类型 {kind}")
    text = text.strip()
    if not text:
        raise CaseError("内容不能为空")
    case = get_case(eng, warning_id)
    if case is None or not user.jurisdiction.contains(case.town, case.village):
        raise CaseError("该案件不存在或不在您的辖区内")
    with eng.begin() as c:
        c.execute(case_events.insert().values(warning_id=warning_id, at=_now(), username=user.username, kind=kind, text=text))


def precision(eng: Engine, where: Jurisdiction | None = None) -> pd.DataFrame:
    """Per model and grade: clues, under verification, verified, substantiated, share substantiated, recovered.

    The clue-to-case funnel of the seed counties (1,211 clues → 240 cases). Gone warnings
    count where they were verified (work done on them is real), not as open clues.
    """
    df = all_cases(eng, where)
    cols = ["model", "grade", "线索", "核查中", "已核查", "属实", "属实率", "追缴金额（元）"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df[~df["gone"].astype(bool) | df["status"].isin(VERIFIED)]
    g = df.groupby(["model", "grade"], sort=True)
    out = pd.DataFrame(
        {
            "线索": g.size(),
            "核查中": g["status"].agg(lambda s: int((s == "核查中").sum())),
            "已核查": g["status"].agg(lambda s: int(s.isin(VERIFIED).sum())),
            "属实": g["status"].agg(lambda s: int(s.isin(SUBSTANTIATED).sum())),
            "追缴金额（元）": g["recovered"].sum().round(2),
        }
    ).reset_index()
    out["属实率"] = (out["属实"] / out["已核查"]).where(out["已核查"] > 0)
    return out[cols]


def funnel(table: pd.DataFrame) -> dict[str, int]:
    """Totals of a ``precision`` table: 线索 → 核查中 → 已核查 → 属实."""
    return {k: int(table[k].sum()) for k in ("线索", "核查中", "已核查", "属实")}
