"""Shared by the benchmarks: print a result table and write it to ``bench/results/<name>.md``."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(lines: list[str], name: str) -> Path:
    """Print the lines and write them to ``bench/results/<name>.md``; returns the path."""
    text = "\n".join(lines) + "\n"
    print(text)
    out = RESULTS / f"{name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")
    return out
