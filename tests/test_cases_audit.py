"""Accounts, case work that survives rescans, and the hash-chained audit log (issue 5)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench import audit
from workbench.access import Jurisdiction, Role, User
from workbench.accounts import (
    MAX_FAILURES,
    AccountError,
    LoginError,
    SsoMapping,
    add_user,
    authenticate,
    list_accounts,
    set_disabled,
    set_password,
    sso_user,
)
from workbench.cases import (
    CaseConflict,
    CaseError,
    add_comment,
    get_case,
    history,
    precision,
    sync_warnings,
    update_case,
)
from workbench.cli import app
from workbench.db import engine

runner = CliRunner()
OFFICER = User("officer", "李办案", frozenset({Role.CASE_OFFICER}))
OFFICER2 = User("officer2", "张办案", frozenset({Role.CASE_OFFICER}))
SUPERVISOR = User("boss", "王监督", frozenset({Role.SUPERVISOR}))
INVESTIGATOR = User("look", "赵调查", frozenset({Role.INVESTIGATOR}))


@pytest.fixture
def eng(tmp_path: Path):
    return engine(f"sqlite:///{tmp_path / 'w.db'}")


def warnings(*ids: str, town: str = "青山镇") -> pd.DataFrame:
    return pd.DataFrame(
        [{"warning_id": w, "model": "RELATIVE_BENEFIT", "grade": "red", "town": town, "village": "东村"} for w in ids]
    )


# -- accounts -------------------------------------------------------------------------------------
def test_passwords_are_hashed_and_checked(eng) -> None:
    add_user(eng, "a1", "甲", frozenset({Role.INVESTIGATOR}), Jurisdiction("青山镇"), "long enough")
    with eng.connect() as c:
        stored = c.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert stored.startswith("$argon2id$") and "long enough" not in stored
    u = authenticate(eng, "a1", "long enough")
    assert (u.username, u.role_label(), u.jurisdiction.label()) == ("a1", "调查员", "青山镇")
    with pytest.raises(LoginError, match="用户名或密码错误"):
        authenticate(eng, "a1", "wrong one")
    with pytest.raises(LoginError, match="用户名或密码错误"):  # the same words for a name that does not exist
        authenticate(eng, "nobody", "whatever")
    with pytest.raises(AccountError):
        add_user(eng, "a1", "again", frozenset({Role.ADMIN}), Jurisdiction(), "long enough")
    with pytest.raises(AccountError):
        add_user(eng, "short", "x", frozenset({Role.ADMIN}), Jurisdiction(), "1234567")


def test_failed_logins_lock_the_account_for_a_while(eng) -> None:
    add_user(eng, "a2", "乙", frozenset({Role.CASE_OFFICER}), Jurisdiction(), "right password")
    t = 1_000_000.0
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            authenticate(eng, "a2", "bad", now=t)
    with pytest.raises(LoginError, match="锁定"):  # even the right password, while locked
        authenticate(eng, "a2", "right password", now=t + 60)
    assert authenticate(eng, "a2", "right password", now=t + 301).username == "a2"
    assert list_accounts(eng)[0].failed_logins == 0  # a success resets the count


def test_disabled_accounts_cannot_sign_in_and_a_new_password_works(eng) -> None:
    add_user(eng, "a3", "丙", frozenset({Role.SUPERVISOR}), Jurisdiction(), "first password")
    set_disabled(eng, "a3")
    with pytest.raises(LoginError, match="停用"):
        authenticate(eng, "a3", "first password")
    set_disabled(eng, "a3", False)
    set_password(eng, "a3", "second password")
    with pytest.raises(LoginError):
        authenticate(eng, "a3", "first password")
    assert authenticate(eng, "a3", "second password").can("override")


def test_single_sign_on_claims_map_to_role_and_jurisdiction() -> None:
    mapping = SsoMapping(roles={"jw-dc": "investigator", "jw-jd": "监督审核"})
    u = sso_user(
        {"preferred_username": "zhao", "name": "赵", "workbench_roles": ["jw-dc", "other"], "workbench_town": "青山镇"}, mapping
    )
    assert (u.username, u.display_name, u.role_label(), u.jurisdiction.label()) == ("zhao", "赵", "调查员", "青山镇")
    assert sso_user({"preferred_username": "w", "workbench_roles": "jw-jd"}, mapping).can("override")
    with pytest.raises(LoginError):
        sso_user({"preferred_username": "x", "workbench_roles": ["unknown"]}, mapping)


# -- case work ------------------------------------------------------------------------------------
def test_the_workflow_follows_the_roles(eng) -> None:
    sync_warnings(eng, warnings("W1"))
    c = get_case(eng, "W1")
    assert (c.status, c.version, c.gone) == ("待核查", 1, False)
    with pytest.raises(CaseError, match="不能处理"):
        update_case(eng, "W1", 1, INVESTIGATOR, {"status": "核查中"})
    with pytest.raises(CaseError, match="不能从"):
        update_case(eng, "W1", 1, OFFICER, {"status": "属实"})  # not before 核查中
    c = update_case(eng, "W1", 1, OFFICER, {"status": "核查中"}, comment="已约谈村支书")
    c = update_case(eng, "W1", c.version, OFFICER, {"status": "属实", "recovered": "1,300.50"})
    assert (c.status, str(c.recovered), c.version) == ("属实", "1300.50", 3)
    with pytest.raises(CaseError, match="不能把状态改为"):
        update_case(eng, "W1", c.version, OFFICER, {"status": "已移送"})  # disposition is the supervisor's
    with pytest.raises(CaseError, match="不能分派"):
        update_case(eng, "W1", c.version, OFFICER, {"assignee": "officer2"})
    with pytest.raises(CaseError, match="理由"):
        update_case(eng, "W1", c.version, SUPERVISOR, {"grade_override": "yellow"})
    c = update_case(
        eng, "W1", c.version, SUPERVISOR,
        {"status": "已移送", "assignee": "officer", "due_date": "2026-12-31",
         "grade_override": "orange", "override_reason": "金额已退回"},
    )  # fmt: skip
    assert (c.status, c.assignee, c.due_date, c.effective_grade) == ("已移送", "officer", "2026-12-31", "orange")
    h = history(eng, "W1")
    assert list(h["kind"]) == ["created", "change", "comment", "change", "change", "change", "change", "change", "change"]
    assert "已约谈村支书" in set(h["text"])
    town_user = User("t", "t", frozenset({Role.SUPERVISOR}), Jurisdiction("白水镇"))
    with pytest.raises(CaseError, match="辖区"):
        update_case(eng, "W1", c.version, town_user, {"status": "核查中"})


def test_the_second_of_two_concurrent_saves_is_refused(eng) -> None:
    sync_warnings(eng, warnings("W2"))
    first = get_case(eng, "W2")
    second = get_case(eng, "W2")  # both opened the same version
    update_case(eng, "W2", first.version, OFFICER, {"status": "核查中"})
    with pytest.raises(CaseConflict, match="officer"):
        update_case(eng, "W2", second.version, OFFICER2, {"recovered": "100"})
    c = get_case(eng, "W2")
    assert (c.status, str(c.recovered), c.version) == ("核查中", "0.00", 2)  # the first save, untouched


def test_many_sessions_saving_at_once_lose_nothing(eng) -> None:
    sync_warnings(eng, warnings("W3"))
    start = get_case(eng, "W3").version
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        who = User(f"u{i}", f"u{i}", frozenset({Role.CASE_OFFICER}))
        add_comment(eng, "W3", who, f"意见{i}")  # appends are never refused
        try:
            update_case(eng, "W3", start, who, {"recovered": str(i + 1)})
            outcome = "saved"
        except CaseConflict:
            outcome = "refused"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused"] * 7 + ["saved"]
    h = history(eng, "W3")
    assert sorted(h.loc[h["kind"] == "comment", "text"]) == sorted(f"意见{i}" for i in range(8))
    c = get_case(eng, "W3")
    saved_by = h.loc[h["kind"] == "change"].iloc[-1]
    assert c.version == start + 1 and saved_by["username"] == c.updated_by
    assert f"{c.recovered:.2f}" == saved_by["new"]


def test_a_rescan_keeps_case_work_and_marks_vanished_warnings(eng) -> None:
    sync_warnings(eng, warnings("W4", "W5"))
    update_case(eng, "W4", 1, OFFICER, {"status": "核查中"}, comment="保留这条意见")
    assert sync_warnings(eng, warnings("W4")) == {"new": 0, "gone": 1, "back": 0}
    assert get_case(eng, "W4").status == "核查中" and get_case(eng, "W5").shown_status == "已消失（原待核查）"
    assert sync_warnings(eng, warnings("W4", "W5", "W6")) == {"new": 1, "gone": 0, "back": 1}
    assert not get_case(eng, "W5").gone and "保留这条意见" in set(history(eng, "W4")["text"])


def test_reload_and_rescan_of_real_data_keep_every_case(tiny_dir: Path, tmp_path: Path, eng) -> None:
    from graph.ladybug_store import LadybugStore
    from loaders.load import load_dataset
    from scan.runner import run_scan, save_scan

    store = LadybugStore(tmp_path / "g")
    load_dataset(tiny_dir, store, reset=True)
    stored, _ = save_scan(run_scan(store), store.state_dir)
    sync_warnings(eng, stored)
    for wid in stored["warning_id"]:
        update_case(eng, wid, 1, OFFICER, {"status": "核查中"}, comment=f"核查 {wid}")
    load_dataset(tiny_dir, store, reset=True)  # the graph is rebuilt from scratch
    again, _ = save_scan(run_scan(store), store.state_dir)
    store.close()
    assert sync_warnings(eng, again) == {"new": 0, "gone": 0, "back": 0}
    assert sorted(again["warning_id"]) == sorted(stored["warning_id"])
    for wid in stored["warning_id"]:
        c = get_case(eng, wid)
        assert c.status == "核查中" and f"核查 {wid}" in set(history(eng, wid)["text"])


def test_precision_per_model_and_grade(eng) -> None:
    df = pd.DataFrame(
        [{"warning_id": f"P{i}", "model": m, "grade": g, "town": "青山镇", "village": "东村"} for i, (m, g) in
         enumerate([("RELATIVE_BENEFIT", "red")] * 4 + [("SHARED_ACCOUNT", "orange")] * 2)]
    )  # fmt: skip
    sync_warnings(eng, df)
    for wid, verdict in (("P0", "属实"), ("P1", "不属实"), ("P2", "部分属实")):
        c = update_case(eng, wid, 1, OFFICER, {"status": "核查中"})
        update_case(eng, wid, c.version, OFFICER, {"status": verdict, "recovered": "10"})
    table = precision(eng).set_index(["model", "grade"])
    rb = table.loc[("RELATIVE_BENEFIT", "red")]
    assert (rb["线索"], rb["核查中"], rb["已核查"], rb["属实"], rb["追缴金额（元）"]) == (4, 0, 3, 2, 30.0)
    assert rb["属实率"] == pytest.approx(2 / 3)
    assert pd.isna(table.loc[("SHARED_ACCOUNT", "orange")]["属实率"])  # nothing verified yet
    assert precision(eng, Jurisdiction("白水镇")).empty


# -- the audit trail ------------------------------------------------------------------------------
def _log(tmp_path: Path, n: int = 5) -> Path:
    path = tmp_path / "audit.jsonl"
    for i in range(n):
        audit.append(f"user{i}", "调查员", "view_person", {"pid": f"37012319900101{i:04d}"}, count=i, path=path)
    return path


def test_an_intact_log_verifies_and_every_line_names_the_one_before(tmp_path: Path) -> None:
    path = _log(tmp_path)
    v = audit.verify(path)
    assert (v.ok, v.lines, v.problems) == (True, 5, [])
    lines = path.read_text(encoding="utf-8").splitlines()
    import hashlib

    assert json.loads(lines[0])["prev"] == audit.GENESIS
    assert json.loads(lines[3])["prev"] == hashlib.sha256(lines[2].encode()).hexdigest()
    assert [e["user"] for e in audit.select(user="user2", path=path)] == ["user2"]


@pytest.mark.parametrize("damage", ["edit_one_char", "remove_middle", "swap", "edit_last", "drop_last"])
def test_verify_finds_every_kind_of_tampering(tmp_path: Path, damage: str) -> None:
    path = _log(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if damage == "edit_one_char":
        lines[1] = lines[1].replace("user1", "user7")
    elif damage == "remove_middle":
        del lines[2]
    elif damage == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    elif damage == "edit_last":
        lines[-1] = lines[-1].replace('"count": 4', '"count": 0')
    else:
        del lines[-1]
    path.write_text("".join(lines), encoding="utf-8")
    v = audit.verify(path)
    assert not v.ok and v.problems
    result = runner.invoke(app, ["audit", "verify", "--log", str(path)])
    assert result.exit_code == 1 and "校验失败" in result.output


def test_concurrent_appends_keep_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    threads = [
        threading.Thread(target=lambda i=i: [audit.append(f"t{i}", "r", "search", {"k": j}, path=path) for j in range(10)])
        for i in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = audit.verify(path)
    assert v.ok and v.lines == 60, v.problems


# -- the command line -----------------------------------------------------------------------------
def test_user_commands_and_audit_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DB", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WORKBENCH_AUDIT", str(tmp_path / "cli_audit.jsonl"))
    add = ["user", "add", "zhou", "--role", "investigator", "--name", "周调查", "--jurisdiction", "青山镇/东村"]
    r = runner.invoke(app, [*add, "--password", "password one"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, [*add, "--password", "password one"]).exit_code == 2  # exists
    assert runner.invoke(app, ["user", "add", "x", "--role", "boss", "--password", "password one"]).exit_code == 2
    listed = runner.invoke(app, ["user", "list"]).output
    assert "周调查" in listed and "青山镇东村" in listed and "argon2" not in listed
    assert runner.invoke(app, ["user", "disable", "zhou"]).exit_code == 0
    eng = engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with pytest.raises(LoginError, match="停用"):
        authenticate(eng, "zhou", "password one")
    assert runner.invoke(app, ["user", "disable", "zhou", "--enable"]).exit_code == 0
    assert runner.invoke(app, ["user", "passwd", "zhou", "--password", "password two"]).exit_code == 0
    assert authenticate(eng, "zhou", "password two").jurisdiction == Jurisdiction("青山镇", "东村")
    shown = runner.invoke(app, ["audit", "show", "--action", "user_admin", "--since", "2000-01-01"])
    assert shown.exit_code == 0 and shown.output.count("账户管理") >= 4
    assert "审计日志完好" in runner.invoke(app, ["audit", "verify"]).output
