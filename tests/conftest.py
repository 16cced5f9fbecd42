"""Shared fixtures: the tiny hand-written dataset, built into a temporary store once per session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import tiny_xlsx  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def own_case_db_and_audit_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Accounts, cases and the audit log of the test session live in a temporary folder, never in data/."""
    import os

    folder = tmp_path_factory.mktemp("workbench_state")
    before = {k: os.environ.get(k) for k in ("WORKBENCH_DB", "WORKBENCH_AUDIT")}
    os.environ["WORKBENCH_DB"] = f"sqlite:///{folder / 'workbench.db'}"
    os.environ["WORKBENCH_AUDIT"] = str(folder / "audit.jsonl")
    yield folder
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


_LINT = {}

#: Texts the linter must flag (and one it must pass), linted in the same Node run as the
#: stored queries: a run of its own costs half a minute of start-up here.
LINT_PROBES = [
    {"name": "probe:label", "text": "MATCH (p:Persn) RETURN p.pid AS pid", "params": []},
    {"name": "probe:param", "text": "MATCH (p:Person) WHERE p.pid = $nope RETURN p.pid AS pid", "params": []},
    {"name": "probe:syntax", "text": "MATCH (p:Person RETURN p", "params": []},
    {"name": "probe:ok", "text": "MATCH (p:Person) WHERE p.pid = $pid RETURN p.name AS name", "params": ["pid"]},
]


#: Test files that run longest, longest first (measured on a 2-core machine): with xdist's
#: one-file-per-worker scheduling a long file that starts last keeps one worker busy after
#: the others have finished (the browser test alone takes about six minutes there, the
#: Neo4j lint three). make test passes --no-loadscope-reorder, else xdist would order
#: the files by their number of tests instead.
FIRST = (
    "test_e2e.py",
    "test_query_lint.py",
    "test_access.py",
    "test_cases_audit.py",
    "test_demo.py",
    "test_packet.py",
    "test_app.py",
    "test_cli.py",
    "test_models.py",
    "test_resolve.py",
    "test_funds.py",
    "test_tiny_graph.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest test files at the head of the run, in the same order in every worker."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return FIRST.index(name) if name in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the order within each file is kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start Neo4j's linter at once when its tests were collected: it runs for minutes beside the others.

    Not in an xdist worker: every worker collects every test, and only one will run the lint tests
    (they start the linter themselves then).
    """
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if any("test_query_lint" in item.nodeid for item in session.items):
        from queries.lint import PendingLint

        try:
            _LINT["pending"] = PendingLint(extra=LINT_PROBES)
        except RuntimeError as e:  # reported by the test that needs it
            _LINT["error"] = e


def neo4j_diagnostics() -> dict[str, list[dict]]:
    """The diagnostics of the lint started at collection (or started now)."""
    if "error" in _LINT:
        raise _LINT["error"]
    if "pending" not in _LINT:
        from queries.lint import PendingLint

        _LINT["pending"] = PendingLint(extra=LINT_PROBES)
    return _LINT["pending"].result()


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fixture folder: hand-written CSVs plus its XLSX files."""
    folder = tmp_path_factory.mktemp("tiny") / "data"
    shutil.copytree(FIXTURES / "tiny", folder)
    tiny_xlsx.write_all(folder)
    return folder


def loaded_store(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(store, report) of ``folder`` loaded into a fresh LadybugDB store, closed afterwards."""
    from graph.ladybug_store import LadybugStore
    from loaders.load import load_dataset

    store = LadybugStore(tmp_path_factory.mktemp("store"))
    report = load_dataset(folder, store, reset=True)
    yield store, report
    store.close()


@pytest.fixture(scope="session")
def tiny_loaded(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(store, report) of the tiny dataset loaded into a fresh LadybugDB store."""
    yield from loaded_store(tiny_dir, tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_store(tiny_loaded):
    """The loaded tiny store."""
    return tiny_loaded[0]


@pytest.fixture(scope="session")
def tiny_view(tiny_store):
    """The tiny store as a county-wide user session sees it (every query with its jurisdiction)."""
    from workbench.access import Jurisdiction, ScopedStore

    return ScopedStore(tiny_store, Jurisdiction())


#: A relative of cadre 张三 (青山镇东村) who lives in 白水镇南村: 吴十, paid 15,000 there.
CROSS_RELATIVE = "370123197005010116,张三,吴十,370123199001011719,表弟,南村\n"


@pytest.fixture(scope="session")
def cross_dir(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dataset plus one relative of a 青山镇 cadre living in 白水镇 (for jurisdictions)."""
    folder = tmp_path_factory.mktemp("cross") / "data"
    shutil.copytree(tiny_dir, folder)
    with open(folder / "relatives.csv", "a", encoding="utf-8") as f:
        f.write(CROSS_RELATIVE)
    return folder


@pytest.fixture(scope="session")
def cross_store(cross_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """``cross_dir`` loaded and scanned (warnings saved in the store's state folder, cases opened)."""
    from scan.runner import run_scan, save_scan
    from workbench.cases import sync_warnings
    from workbench.db import engine

    for store, _ in loaded_store(cross_dir, tmp_path_factory):
        stored, _ = save_scan(run_scan(store), store.state_dir)
        sync_warnings(engine(), stored)
        store.flush()
        yield store


GOLDEN_DIR = FIXTURES / "golden"


@pytest.fixture(scope="session")
def golden_loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(store, report) of the golden model fixture loaded into a fresh LadybugDB store."""
    yield from loaded_store(GOLDEN_DIR, tmp_path_factory)


@pytest.fixture(scope="session")
def golden_store(golden_loaded):
    """The loaded golden store."""
    return golden_loaded[0]


@pytest.fixture(scope="session")
def golden_view(golden_store):
    """The golden store as a county-wide user session sees it."""
    from workbench.access import Jurisdiction, ScopedStore

    return ScopedStore(golden_store, Jurisdiction())


@pytest.fixture(scope="session")
def golden_scan(golden_store):
    """A full scan of the golden store, saved where the workbench pages read it (the store's state folder)."""
    from scan.runner import run_scan, save_scan

    result = run_scan(golden_store)
    save_scan(result, golden_store.state_dir)
    return result


@pytest.fixture(scope="session")
def golden_warnings(golden_scan):
    """The warnings of the golden scan, as the export table."""
    from scan.warnings import warnings_frame

    return warnings_frame(golden_scan.warnings)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset as ``make demo`` generates it (seed 7)."""
    from synth.generator import generate

    out = tmp_path_factory.mktemp("demo") / "data"
    generate(out, "demo", seed=7)
    return out


@pytest.fixture(scope="session")
def demo_loaded(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(store, report) of the demo dataset loaded into a fresh LadybugDB store."""
    yield from loaded_store(demo_dir, tmp_path_factory)


@pytest.fixture(scope="session")
def demo_scan(demo_loaded):
    """A full scan of the demo store, saved in its state folder as ``workbench scan`` does."""
    from scan.runner import run_scan, save_scan

    result = run_scan(demo_loaded[0])
    save_scan(result, demo_loaded[0].state_dir)
    return result
