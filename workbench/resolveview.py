"""身份复核: identity resolution's review list as a user may see it, and their decisions.

Rows are cut to the user's jurisdiction by the place of the row under review (the
payment's town and village, the declared relative's village) and ID numbers are masked
for roles without the right to see them, as everywhere else.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from resolve.review import VERDICTS, decide, read_review
from workbench.access import User
from workbench.search import mask_id

KIND_LABELS = {"payment": "发放记录", "relative": "申报亲属"}


def review_rows(user: User, state_dir: Path, undecided_only: bool = True) -> pd.DataFrame:
    """The review list (one row per mention and candidate) inside ``user``'s jurisdiction, masked as their role requires."""
    review = read_review(state_dir)
    j = user.jurisdiction
    if j.town:
        review = review[review["town"].fillna("") == j.town]
    if j.village:
        review = review[review["village"].fillna("") == j.village]
    if undecided_only:
        decided = set(review.loc[review["verdict"] != "", "mkey"])
        review = review[~review["mkey"].isin(decided)]
    if user.masked:
        review = review.assign(id_value=review["id_value"].map(lambda v: mask_id(v) if v else ""))
        review = review.assign(shown_pid=review["pid"].map(mask_id))
    else:
        review = review.assign(shown_pid=review["pid"])
    return review.assign(kind_label=review["kind"].map(KIND_LABELS), verdict_label=review["verdict"].map(VERDICTS).fillna(""))


def mention_choices(rows: pd.DataFrame) -> dict[str, str]:
    """mkey → a one-line label: kind, name, (masked) ID value, place, source line."""
    first = rows.drop_duplicates("mkey")
    return {
        r.mkey: " · ".join(
            [r.kind_label, r.name, r.id_value or "无身份证号", f"{r.town or ''}{r.village or ''}", f"{r.src_file}:{r.src_line}"]
        )
        for r in first.itertuples(index=False)
    }


def record_decision(user: User, state_dir: Path, mkey: str, pid: str, verdict: str, note: str = "") -> None:
    """Record a verdict, refusing a row outside the user's jurisdiction (the list is cut the same way)."""
    allowed = review_rows(user, state_dir, undecided_only=False)
    if not ((allowed["mkey"] == mkey) & (allowed["pid"] == pid)).any():
        raise PermissionError("该记录不在您的辖区或复核清单中")
    decide(mkey, pid, verdict, user.username, state_dir, note)


__all__ = ["KIND_LABELS", "mention_choices", "record_decision", "review_rows"]
