"""Page-load benchmark: every workbench page in a real browser, on a warm server.

Serves the store (default: the demo, ``make demo`` builds it) with ``workbench serve``'s
command on a free port, opens each page once to warm the server's caches, then
measures ``--runs`` loads per page: from the click on the sidebar link (or the Enter
in the person search) until Streamlit has finished the run and drawn the page (and,
for maps, the map's canvas). Prints the median and the slowest, and writes the table
to ``bench/results/pages_<name>.md``. Target: every page under 2 s on the demo.

    python bench/pages.py [--store ladybug:data/graph] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import publish  # noqa: E402  (bench/report.py, beside this script)

from workbench.serving import launch_chromium, running_workbench, settle, sign_in  # noqa: E402

TARGET_SECONDS = 2.0
LONG = 900_000  # ms: the first runs on a cold machine import pandas, pyvis, fpdf2…


def person_to_search(store_uri: str) -> str:
    """The name of the first cadre in the store (the map page is measured with a person on it)."""
    from graph.store import open_store
    from workbench.access import Jurisdiction, ScopedStore

    store = open_store(store_uri)
    people = ScopedStore(store, Jurisdiction()).query("search/person_index")
    store.close()  # before the server opens it
    cadres = people[people["position"].notna()].sort_values("pid")
    return str(cadres["name"].iloc[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="ladybug:data/graph")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--name", default="demo", help="results file suffix")
    args = ap.parse_args()
    name = person_to_search(args.store)
    # an account of its own, in a database and audit log of its own (the server inherits the environment)
    work = ROOT / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    os.environ["WORKBENCH_DB"] = f"sqlite:///{work / 'bench_accounts.db'}"
    os.environ["WORKBENCH_AUDIT"] = str(work / "bench_audit.jsonl")
    from workbench.access import Jurisdiction, Role
    from workbench.accounts import upsert_demo_user
    from workbench.db import engine

    password = upsert_demo_user(engine(), "bench", "基准测试", Role.SUPERVISOR, Jurisdiction())

    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    log = ROOT / "bench" / "work" / "pages-server.log"
    with running_workbench(args.store, log, timeout=900) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(LONG)
        page.set_default_navigation_timeout(LONG)
        page.goto(url, wait_until="domcontentloaded")
        sign_in(page, "bench", password, LONG)
        page.get_by_role("heading", name="预警总览").wait_for()

        def open_page(title: str) -> None:
            page.get_by_role("link", name=title).click()
            page.get_by_role("heading", name=title).wait_for()
            settle(page, LONG)

        def warning_detail() -> None:  # the start page draws the first warning's detail and map
            open_page("预警总览")
            page.frame_locator('iframe[data-testid="stIFrame"]').first.locator("canvas").wait_for()

        def search_person() -> None:
            box = page.get_by_label("查找人员")
            box.fill(name)
            box.press("Enter")
            page.get_by_text("个节点").first.wait_for()
            settle(page, LONG)
            page.frame_locator('iframe[data-testid="stIFrame"]').first.locator("canvas").wait_for()

        steps = [
            ("预警总览（含预警详情与关系图）", warning_detail, None),
            ("关系图谱（空白检索页）", lambda: open_page("关系图谱"), None),
            (f"关系图谱：检索“{name}”并绘图（深度 2）", search_person, lambda: open_page("关系图谱")),
            ("资金统计", lambda: open_page("资金统计"), None),
            ("证据包", lambda: open_page("证据包"), None),
            ("核查成效", lambda: open_page("核查成效"), None),
        ]
        for run in range(args.runs + 1):  # run 0 warms the server's caches
            for label, step, before in steps:
                if before:
                    before()
                else:
                    open_page("核查成效" if label != "核查成效" else "证据包")  # start elsewhere
                t = time.monotonic()
                step()
                if run:
                    times.setdefault(label, []).append(time.monotonic() - t)
        browser.close()

    lines = [
        f"# Page loads — `{args.store}`",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {len(os.sched_getaffinity(0))} cores · "
        f"Python {platform.python_version()} · chromium (headless) via Playwright · warm server, {args.runs} runs each",
        "",
        "| page | median s | slowest s |",
        "|---|---:|---:|",
    ]
    for label, ts in times.items():
        lines.append(f"| {label} | {statistics.median(ts):.2f} | {max(ts):.2f} |")
    worst = max(statistics.median(ts) for ts in times.values())
    verdict = "met" if worst < TARGET_SECONDS else "NOT met"
    lines += ["", f"Target: every page under {TARGET_SECONDS:.0f} s (median): **{verdict}** (slowest median {worst:.2f} s)."]
    publish(lines, f"pages_{args.name}")


if __name__ == "__main__":
    main()
