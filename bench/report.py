"""Shared by the benchmarks: print a result table and write it to ``bench/results/<name>.md``."""

from __future__ import annotations

import subprocess
import sys
import time
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


def ensure_dataset(data: Path, scale: str, seed: int) -> None:
    """Generate the scale's dataset into ``data`` unless it is there, in a child process
    so that its memory does not count as the benchmark's."""
    if (data / "truth" / "planted.csv").exists():
        return
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "workbench.cli", "demo-data", str(data), "--scale", scale, "--seed", str(seed)]
    subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parent.parent)
    print(f"generated {data} in {time.perf_counter() - t:.1f} s")
