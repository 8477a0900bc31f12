"""Bulk account import: the hostile corpus is refused row by row in Chinese with nothing applied;
a good file applies all or nothing, and importing it again creates nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from kaifang.accounts.models import User, UserImport
from kaifang.accounts.services.imports import import_accounts
from kaifang.accounts.tests.workbooks import accounts_bytes
from kaifang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = [
    ["gd.hunnan", "刘一", "210112", "浑南区", "填报员", "13900000001"],
    ["gd.shenyang", "张二", "210100", "沈阳市", "市级管理员", "024-22223333"],
    ["gd.swt", "周三", "SWT", "", "reporter", ""],
]

# Each hostile file: its rows, where the problem is (row as Excel shows it, column letter) and
# what the message says. Row 2 is always a good row, so "nothing applied" means it is not created.
HOSTILE = {
    "wrong_code": ([GOOD[0], ["x.bad", "王", "219999", "", "填报员", ""]], "第3行C列", "单位代码“219999”不存在"),
    "duplicate_username": ([GOOD[0], ["GD.Hunnan ", "王", "210103", "", "填报员", ""]], "第3行A列", "与第 2 行重复"),
    "role_outside_kind": (
        [GOOD[0], ["x.city", "王", "210112", "", "市级管理员", ""]],
        "第3行E列",
        "不能绑定到县（市、区）“浑南区”",
    ),
    "admin_role": ([GOOD[0], ["x.admin", "王", "210000", "", "安全管理员", ""]], "第3行E列", "不能批量导入"),
    "unknown_role": ([GOOD[0], ["x.role", "王", "210112", "", "科员", ""]], "第3行E列", "未知角色“科员”"),
    "name_mismatch": ([GOOD[0], ["x.name", "王", "210112", "沈河区", "填报员", ""]], "第3行D列", "与单位代码 210112"),
    "bad_phone": ([GOOD[0], ["x.phone", "王", "210112", "", "填报员", "call me"]], "第3行F列", "电话号码"),
    "no_name": ([GOOD[0], ["x.noname", "", "210112", "", "填报员", ""]], "第3行B列", "请填写姓名"),
    "bad_username": ([GOOD[0], ["x y/z", "王", "210112", "", "填报员", ""]], "第3行A列", "账号只能包含"),
}


def _import(actor, rows, commit=True, **kw):
    return import_accounts(actor=actor, data=accounts_bytes(rows, **kw), filename="accounts.xlsx", commit=commit)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_rows_are_refused_by_row_and_column_and_nothing_is_applied(admin_user, case):
    rows, where, message = HOSTILE[case]
    before = User.objects.count()
    result = _import(admin_user, rows)
    texts = [str(p) for p in result.problems]
    assert any(t.startswith(f"工作表「账号」{where}") and message in t for t in texts), texts
    assert not result.committed and User.objects.count() == before
    assert not User.objects.filter(username="gd.hunnan").exists()


def test_an_existing_account_that_differs_is_a_problem_not_a_silent_move(admin_user):
    result = _import(admin_user, [["hunnan", "刘填报", "210103", "", "填报员", ""]])
    assert "账号“hunnan”已存在（单位为“浑南区”" in str(result.problems[0])
    assert User.objects.get(username="hunnan").unit.code == "210112"


def test_a_formula_in_a_cell_is_refused_where_it_is(admin_user):
    result = _import(admin_user, GOOD, formula_at=(3, 1))
    formula = "工作表「账号」第3行B列：单元格 B3 含公式，请复制后“选择性粘贴—数值”再上传。"
    assert [str(p) for p in result.problems] == [formula]
    assert not User.objects.filter(username__startswith="gd.").exists()


def test_a_file_that_is_not_a_workbook_is_refused(admin_user):
    result = import_accounts(actor=admin_user, data=b"username,name\nx,y\n", filename="accounts.xlsx", commit=True)
    assert "不是有效的 .xlsx" in str(result.problems[0])


def test_a_good_file_applies_all_rows_and_a_rerun_creates_nothing(admin_user):
    first = _import(admin_user, GOOD)
    assert first.committed and [r.username for r in first.new] == ["gd.hunnan", "gd.shenyang", "gd.swt"]
    created = User.objects.filter(username__startswith="gd.")
    assert created.count() == 3 and not created.filter(scope_granted_at__isnull=False).exists()
    assert User.objects.get(username="gd.swt").unit.code == "SWT"
    again = _import(admin_user, GOOD)
    assert again.committed and again.new == [] and sorted(again.unchanged) == ["gd.hunnan", "gd.shenyang", "gd.swt"]
    assert again.earlier == first.batch and "已于" in again.summary()
    assert User.objects.filter(username__startswith="gd.").count() == 3
    assert AuditEvent.objects.filter(action="accounts.user.import_duplicate").count() == 1
    assert UserImport.objects.count() == 2


def test_only_the_system_admin_imports(secadmin, hunnan):
    for who in (secadmin, hunnan):
        with pytest.raises(PermissionDenied):
            _import(who, GOOD)
    assert not User.objects.filter(username__startswith="gd.").exists()


def test_the_command_checks_commits_and_writes_the_password_sheet(tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(accounts_bytes([GOOD[0], ["x.bad", "王", "219999", "", "填报员", ""]]))
    with pytest.raises(CommandError, match="第3行C列"):
        call_command("import_users", str(bad), "--commit")
    good = tmp_path / "good.xlsx"
    good.write_bytes(accounts_bytes(GOOD))
    call_command("import_users", str(good))  # dry run
    assert not User.objects.filter(username__startswith="gd.").exists()
    sheet = tmp_path / "passwords.xlsx"
    call_command("import_users", str(good), "--commit", "--grant", "--sheet", str(sheet))
    granted = User.objects.filter(username__startswith="gd.", scope_granted_at__isnull=False)
    assert granted.count() == 3 and sheet.stat().st_size > 0
    from kaifang.core.spreadsheets import read_workbook

    lines = read_workbook(sheet.read_bytes(), filename="passwords.xlsx").sheets[0].rows[1:]
    by_user = {line[2]: line[4] for line in lines}
    assert User.objects.get(username="gd.swt").check_password(by_user["gd.swt"])
