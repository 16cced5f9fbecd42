"""Finding a person: by ID number, or by a name as an investigator types it.

A name may be typed with a typo, in traditional characters, with a variant character
(阎 for 闫), or as pinyin initials ("zsm" for 张三明); candidates are ranked by
`rapidfuzz` over the names normalised as identity resolution compares them
(``resolve.names.canonical_name``: the loaders' normalisation plus the variant table),
with their village, masked ID number and role so that namesakes can be told apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from graph.store import GraphStore
from loaders.normalize import normalise_id
from resolve.names import canonical_name

_ID_LIKE = re.compile(r"^[0-9０-９]{14,17}[0-9０-９xX]?$")
_LATIN = re.compile(r"^[A-Za-z]+$")


def mask_id(pid: str | None) -> str:
    """An ID number with the birth date and sequence hidden: first 6 and last 4 characters kept."""
    if not pid:
        return ""
    pid = str(pid)
    return pid if len(pid) <= 10 else pid[:6] + "*" * (len(pid) - 10) + pid[-4:]


def mask_account(value: object) -> object:
    """A bank account shown by its last four digits."""
    if not isinstance(value, str) or len(value) <= 4:
        return value
    return "*" * (len(value) - 4) + value[-4:]


_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{12,19}[0-9Xx]?(?![0-9])")


def mask_text(text: object) -> str:
    """A text (a reason, a subject) with every ID or account number in it masked.

    18 characters that look like an ID number are masked as one; any other run of 12
    or more digits is taken for an account and shown by its last four.
    """

    def hide(m: re.Match[str]) -> str:
        value = m.group(0)
        return mask_id(value) if len(value) == 18 and _ID_LIKE.match(value) else str(mask_account(value))

    return _LONG_NUMBER.sub(hide, "" if text is None else str(text))


def spelled(name: str) -> str:
    """Toneless pinyin of a name (张三 → zhangsan): a typo made with a pinyin IME is a homophone or near one."""
    return "".join(lazy_pinyin(name or "", errors="ignore")).lower()


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name, lower case (张三明 → zsm); other characters dropped."""
    return "".join(s[0] for s in lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore") if s).lower()


@dataclass
class PersonIndex:
    """The searchable people of one store: one row per person, with name initials precomputed."""

    people: pd.DataFrame  # pid, name, id_valid, town, village, position, initials, pinyin

    @classmethod
    def build(cls, store: GraphStore) -> PersonIndex:
        """Read every person once (query ``search/person_index``) and precompute the initials."""
        df = store.query("search/person_index")
        df["name"] = df["name"].fillna("")
        df["cname"] = [canonical_name(n) for n in df["name"]]
        df["initials"] = [initials(n) for n in df["cname"]]
        df["pinyin"] = [spelled(n) for n in df["cname"]]
        return cls(df.reset_index(drop=True))

    def search(self, text: str, limit: int = 10, min_score: float = 60.0) -> pd.DataFrame:
        """Ranked candidates for an ID number or a name; columns add ``score`` (0–100) and ``masked_id``."""
        text = (text or "").strip()
        if not text:
            return self._frame([], [])
        if _ID_LIKE.match(text.replace(" ", "")):
            pid = normalise_id(text).value
            hits = self.people.index[self.people["pid"] == pid].tolist()
            return self._frame(hits, [100.0] * len(hits))
        if _LATIN.match(text):
            found = process.extract(text.lower(), self.people["initials"], scorer=fuzz.ratio, limit=limit, score_cutoff=min_score)
        else:
            query = canonical_name(text)
            by_chars = process.extract(query, self.people["cname"], scorer=fuzz.WRatio, limit=limit, score_cutoff=min_score)
            # by sound: slightly below an exact character match, so 张三 ranks above 张山 for 张三
            by_sound = process.extract(
                spelled(query), self.people["pinyin"], scorer=fuzz.ratio, limit=limit, score_cutoff=min_score
            )
            best: dict[int, float] = {}
            for _, score, i in [*by_chars, *[(n, 0.95 * s, i) for n, s, i in by_sound]]:
                best[i] = max(best.get(i, 0.0), score)
            found = [(None, s, i) for i, s in best.items() if s >= min_score]
        return self._frame([i for _, _, i in found], [s for _, s, _ in found]).head(limit)

    def _frame(self, rows: list[int], scores: list[float]) -> pd.DataFrame:
        out = self.people.loc[rows].copy()
        out["score"] = [round(float(s), 1) for s in scores]
        out["masked_id"] = out["pid"].map(mask_id)
        # best first; on equal scores, cadres first (the people investigators look for), then by name
        out["_cadre"] = out["position"].isna()
        out = out.sort_values(["score", "_cadre", "name"], ascending=[False, True, True], kind="stable")
        return out.drop(columns=["_cadre"]).reset_index(drop=True)
