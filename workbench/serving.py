"""The workbench served in the background and a local browser to drive it.

Used by the end-to-end browser test and the page-load benchmark: both start
``workbench serve``'s own command line on a free local port, wait for Streamlit's
health endpoint, and drive Debian's chromium through Playwright (never a browser
Playwright downloads: the machines this runs on reach no download site).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.cli import serve_command

CHROMIUM = "/usr/bin/chromium"
#: Flags for a headless chromium that runs as root in a container and calls nowhere.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Wait until ``url``/_stcore/health answers ok; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"工作台进程已退出（{proc.returncode}）：\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"工作台 {timeout:.0f} 秒内未就绪：\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def running_workbench(store_uri: str, log: Path, timeout: float = 300) -> Iterator[str]:
    """Serve the workbench on ``store_uri`` at a free local port; yields its base URL, stops it afterwards."""
    port = free_port()
    env = {**os.environ, "WORKBENCH_STORE": store_uri}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            serve_command(store_uri, port, "127.0.0.1"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so that stopping it stops its children too
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout, log)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium under Playwright, headless; a clear error when it is not installed."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"没有找到 {CHROMIUM}：请以 root 运行 apt-get install chromium（make test 会自动安装）")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def settle(page: Any, timeout: float = 180_000) -> None:
    """Wait until Streamlit has finished running the page's script and drawing its elements.

    While a script runs Streamlit shows a running icon in the toolbar and marks the
    previous run's elements stale; an element whose code the browser is still fetching
    (the frontend loads them on demand) is drawn as a grey placeholder (skeleton).
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector(
            '[data-testid="stStatusWidgetRunningIcon"], [data-testid^="stSkeleton"], [data-testid="stAppSkeleton"],'
            + ' .stSkeleton, [data-stale="true"]')""",
        timeout=timeout,
        polling=100,
    )


def sign_in(page: Any, username: str, password: str, timeout: float = 900_000) -> None:
    """Sign in on the login page (the only page before that) and wait for the start page to be drawn."""
    page.get_by_label("用户名").wait_for(timeout=timeout)
    settle(page, timeout)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=timeout)
    settle(page, timeout)
