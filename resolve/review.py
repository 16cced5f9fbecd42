"""The review list of identity resolution and the reviewers' decisions.

Each load writes the mentions it could not decide, with their best candidates, beside
the store (``resolve/review.parquet``): the list belongs to that graph. A reviewer's
confirmation or rejection goes to the workbench database (``resolve_decisions``),
which no load touches, keyed by the mention key and the candidate's pid, so it is
applied by every later load of the same rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from resolve.engine import Decision, Resolution
from workbench import db

REVIEW_DIR = "resolve"
REVIEW_FILE = "review.parquet"
OUTCOMES_FILE = "outcomes.parquet"
VERDICTS = {"confirm": "确认为同一人", "reject": "不是同一人"}

decisions_table = sa.Table(
    "resolve_decisions",
    db.metadata,
    sa.Column("mkey", sa.String(32), primary_key=True),
    sa.Column("pid", sa.String(64), primary_key=True),
    sa.Column("verdict", sa.String(8), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
)

REVIEW_COLUMNS = [
    "mkey", "kind", "name", "id_value", "town", "village", "src_file", "src_line",
    "rank", "pid", "candidate_name", "score", "reasons",
]  # fmt: skip


class ReviewError(ValueError):
    """A decision that cannot be recorded (unknown mention, candidate or verdict)."""


def write_review(
    state_dir: Path, resolution: Resolution, mentions: pd.DataFrame, file_names: dict[int, str], append: bool = False
) -> Path:
    """Write the review list (one row per undecided mention and candidate) and every outcome.

    ``append`` (an appended batch): the earlier loads' lists stay, this batch's rows are added.
    """
    folder = Path(state_dir) / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    cand = resolution.candidates.rename(columns={"name": "candidate_name"})
    m = mentions.drop(columns=["vids", "hids", "accounts", "exclude"], errors="ignore").drop_duplicates("mkey")
    review = cand.merge(m, on="mkey", how="left")
    review["src_file"] = review["src_fid"].map(file_names) if len(review) else []
    review = review.reindex(columns=REVIEW_COLUMNS).sort_values(["town", "village", "name", "mkey", "rank"], kind="stable")
    review = review.astype({"src_line": "Int64", "rank": "Int64"})
    outcomes = resolution.outcomes.merge(m[["mkey", "kind", "name", "id_value", "town", "village"]], on="mkey", how="left")
    if append and (folder / REVIEW_FILE).exists() and (folder / OUTCOMES_FILE).exists():
        old_review, old_outcomes = pd.read_parquet(folder / REVIEW_FILE), pd.read_parquet(folder / OUTCOMES_FILE)
        review = pd.concat([old_review[~old_review["mkey"].isin(review["mkey"])], review], ignore_index=True)
        outcomes = pd.concat([old_outcomes[~old_outcomes["mkey"].isin(outcomes["mkey"])], outcomes], ignore_index=True)
    review.to_parquet(folder / REVIEW_FILE, index=False)
    outcomes.to_parquet(folder / OUTCOMES_FILE, index=False)
    return folder / REVIEW_FILE


def read_review(state_dir: Path) -> pd.DataFrame:
    """The review list of the last load, with each row's decision so far (``verdict``, empty if none)."""
    path = Path(state_dir) / REVIEW_DIR / REVIEW_FILE
    review = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=REVIEW_COLUMNS)
    decided = pd.DataFrame(
        [(d.mkey, d.pid, d.verdict, d.by, d.at) for d in load_decisions()], columns=["mkey", "pid", "verdict", "by", "at"]
    )
    out = review.merge(decided, on=["mkey", "pid"], how="left")
    out["verdict"] = out["verdict"].fillna("")
    return out


def read_outcomes(state_dir: Path) -> pd.DataFrame:
    """Every mention of the last load with its outcome (linked, confirmed, review, none)."""
    path = Path(state_dir) / REVIEW_DIR / OUTCOMES_FILE
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["mkey", "status", "pid", "score", "reasons"])


def _engine(url: str | None) -> sa.engine.Engine:
    eng = db.engine(url)
    decisions_table.create(eng, checkfirst=True)  # the engine may predate this module's import
    return eng


def load_decisions(url: str | None = None) -> list[Decision]:
    """Every recorded decision."""
    with _engine(url).connect() as conn:
        rows = conn.execute(sa.select(decisions_table)).all()
    return [Decision(r.mkey, r.pid, r.verdict, r.username, r.at) for r in rows]


def decide(mkey: str, pid: str, verdict: str, username: str, state_dir: Path, note: str = "", url: str | None = None) -> Decision:
    """Record a reviewer's verdict on one candidate of one mention of the current review list.

    A confirmation withdraws any other confirmation of that mention (a row is one
    person); it takes effect at the next load, as does a rejection.
    """
    if verdict not in VERDICTS:
        raise ReviewError(f"未知的复核结论：{verdict}（应为 confirm 或 reject）")
    review = read_review(state_dir)
    if not ((review["mkey"] == mkey) & (review["pid"] == pid)).any():
        raise ReviewError(f"复核清单中没有记录 {mkey} 的候选人 {pid}")
    at = datetime.now().astimezone().isoformat(timespec="seconds")
    with _engine(url).begin() as conn:
        if verdict == "confirm":
            conn.execute(
                sa.delete(decisions_table).where(
                    (decisions_table.c.mkey == mkey) & (decisions_table.c.verdict == "confirm") & (decisions_table.c.pid != pid)
                )
            )
        conn.execute(sa.delete(decisions_table).where((decisions_table.c.mkey == mkey) & (decisions_table.c.pid == pid)))
        conn.execute(sa.insert(decisions_table).values(mkey=mkey, pid=pid, verdict=verdict, username=username, at=at, note=note))
    return Decision(mkey, pid, verdict, username, at)


__all__ = [
    "REVIEW_COLUMNS",
    "VERDICTS",
    "ReviewError",
    "decide",
    "decisions_table",
    "load_decisions",
    "read_outcomes",
    "read_review",
    "write_review",
]
