"""The audit trail: one JSON line per event, each line chained to the one before by its SHA-256.

Every sign-in, search, view of a person or warning, graph expansion, export and case
change is appended with time, user, role, action, parameters and result count. A line
carries ``prev``, the SHA-256 of the previous line's bytes (64 zeros for the first), so
an edited, removed or reordered line breaks the chain at the line after it. The last
line has no line after it, so the SHA-256 of the last line and the line count are also
kept in ``<log>.head``; ``verify`` checks both. Appends take an exclusive ``flock`` on
the log, so several Streamlit sessions and the command line may write at once.

The log is tamper-*evident*, not tamper-proof: whoever can rewrite the whole file and
its head can rewrite history. Copy the head line elsewhere (a daily print or mail) to
pin it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
DEFAULT_LOG = "data/audit.jsonl"

#: Chinese names of the actions, for ``audit show`` and the pages.
ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "timeout": "超时退出",
    "view_page": "访问页面",
    "search": "检索人员",
    "view_person": "查看人员关系图",
    "view_warning": "查看预警",
    "expand": "展开节点",
    "path": "查询关系路径",
    "export": "导出",
    "case_change": "案件变更",
    "case_comment": "案件意见",
    "user_admin": "账户管理",
    "load": "加载数据",
    "scan": "扫描",
    "funds_drill": "查看发放明细",
}


class AuditError(RuntimeError):
    """The log cannot be read or written; nothing the user did may go unlogged, so callers stop."""


def log_path() -> Path:
    """``WORKBENCH_AUDIT``, or ``data/audit.jsonl``."""
    return Path(os.environ.get("WORKBENCH_AUDIT") or DEFAULT_LOG)


def _sha(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _head_path(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def _last_line(f: Any) -> bytes:
    """The last line of an open binary file (without its newline), read from the end."""
    f.seek(0, os.SEEK_END)
    end = f.tell()
    if end == 0:
        return b""
    block, data = 4096, b""
    pos = end
    while pos > 0:
        step = min(block, pos)
        pos -= step
        f.seek(pos)
        data = f.read(step) + data
        if data.rstrip(b"\n").count(b"\n") >= 1:
            break
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1]


def append(
    user: str,
    role: str,
    action: str,
    params: dict[str, Any] | None = None,
    count: int | None = None,
    path: Path | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Append one event; returns it as written. Raises AuditError when the log cannot be written."""
    path = path or log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                last = _last_line(f)
                n = _count_from_head(path, last)
                event = {
                    "n": n + 1,
                    "time": (at or datetime.now().astimezone()).isoformat(timespec="seconds"),
                    "user": user,
                    "role": role,
                    "action": action,
                    "params": params or {},
                    "count": count,
                    "prev": _sha(last) if last else GENESIS,
                }
                line = json.dumps(event, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
                f.seek(0, os.SEEK_END)
                f.write(line + b"\n")
                f.flush()
                os.fsync(f.fileno())
                _head_path(path).write_text(f"{event['n']} {_sha(line)}\n", encoding="ascii")
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    except OSError as e:
        raise AuditError(f"无法写入审计日志 {path}：{e}") from e
    return event


def _count_from_head(path: Path, last: bytes) -> int:
    """The number of lines so far: from the last line's own number (the head may be missing)."""
    if not last:
        return 0
    try:
        return int(json.loads(last)["n"])
    except (ValueError, KeyError, TypeError):
        return sum(1 for _ in open(path, "rb"))


@dataclass
class Verdict:
    """What ``verify`` found: ok, lines checked, and the problems (line number and what is wrong)."""

    ok: bool
    lines: int
    problems: list[str]


def verify(path: Path | None = None) -> Verdict:
    """Check every line's chain link, its number, and the head; report every break."""
    path = path or log_path()
    problems: list[str] = []
    if not path.exists():
        return Verdict(True, 0, [])
    prev, n = GENESIS, 0
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            line = raw.rstrip(b"\n")
            try:
                event = json.loads(line)
            except ValueError:
                problems.append(f"第 {n} 行不是有效的 JSON")
                prev = _sha(line)
                continue
            if event.get("prev") != prev:
                problems.append(f"第 {n} 行：与上一行的 SHA-256 不符（上一行被修改、删除或调换了顺序）")
            if event.get("n") != n:
                problems.append(f"第 {n} 行：序号为 {event.get('n')}，应为 {n}（有行被删除或调换）")
            prev = _sha(line)
    head = _head_path(path)
    if n:
        if not head.exists():
            problems.append(f"缺少 {head.name}：无法确认最后一行未被修改或删除")
        else:
            parts = head.read_text(encoding="ascii").split()
            if len(parts) != 2 or parts[0] != str(n) or parts[1] != prev:
                recorded = parts[0] if parts else "?"
                problems.append(f"{head.name} 与日志末行不符：末行被修改、删除或日志被截断（记录 {recorded} 行，实有 {n} 行）")
    return Verdict(not problems, n, problems)


def events(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Every event of the log, oldest first (lines that are not JSON are skipped; ``verify`` reports them)."""
    path = path or log_path()
    if not path.exists():
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                yield json.loads(line)
            except ValueError:
                continue


def select(user: str | None = None, since: str | None = None, action: str | None = None, path: Path | None = None) -> list[dict]:
    """The events of ``user`` (any if None) at or after ``since`` (an ISO date or time), of ``action``."""
    out = []
    for e in events(path):
        if user and e.get("user") != user:
            continue
        if since and str(e.get("time", ""))[: len(since)] < since:
            continue
        if action and e.get("action") != action:
            continue
        out.append(e)
    return out
