"""Ledger imports: dry run, row-precise errors, idempotent, all or nothing; hostile files refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.core.spreadsheets import SheetSpec, write_workbook
from kaifang.ledgers.exports import PROJECT_COLUMNS, TALENT_COLUMNS
from kaifang.ledgers.models import InvestmentProject, TalentRecord
from kaifang.ledgers.services.imports import import_ledger

pytestmark = pytest.mark.django_db


def project_row(
    ext: str, *, unit: str = "210211", stage: str = "签约", signed: str = "2018-03-10", amount: object = 12000
):
    return [
        ext,
        f"项目{ext}",
        "大连某某有限公司",
        "",
        "日本",
        "C",
        unit,
        "",
        "",
        "",
        "万元",
        amount,
        "2018-03-01",
        stage,
        signed,
        "",
        "",
    ]


def talent_row(ext: str, *, unit: str = "210211"):
    return [ext, f"人才{ext}", "个人", 1, "智能制造", "省级", "", "某研究院", unit, "", "2018-04-02", "北京市"]


def workbook(projects: list[list[object]], talents: list[list[object]] | None = None) -> bytes:
    sheets = [SheetSpec("项目台账", PROJECT_COLUMNS, projects)]
    if talents is not None:
        sheets.append(SheetSpec("人才台账", TALENT_COLUMNS, talents))
    return write_workbook(sheets)


def test_a_dry_run_checks_everything_and_saves_nothing(dalian):
    result = import_ledger(
        user=dalian, data=workbook([project_row("A1")], [talent_row("T1")]), filename="a.xlsx", commit=False
    )
    assert result.ok and (result.created_projects, result.created_talents) == (1, 1)
    assert not InvestmentProject.objects.exists() and not TalentRecord.objects.exists()


def test_a_committed_import_goes_through_the_services_and_twice_changes_nothing(dalian):
    data = workbook([project_row("A1"), project_row("A2", stage="线索", signed="")], [talent_row("T1")])
    first = import_ledger(user=dalian, data=data, filename="a.xlsx", commit=True)
    again = import_ledger(user=dalian, data=data, filename="a.xlsx", commit=True)
    assert first.committed and (first.created_projects, first.created_talents) == (2, 1)
    assert (again.created_projects, again.created_talents, again.skipped) == (0, 0, 3)
    signed = InvestmentProject.objects.get(external_id="A1")
    assert signed.stage == "signed" and str(signed.first_signed_on) == "2018-03-10"
    assert signed.stage_changes.count() == 3  # created, 在谈, 签约


def test_one_bad_row_rejects_the_whole_file_with_its_sheet_row_and_column(dalian):
    data = workbook([project_row("A1"), project_row("A2", amount="一百万"), project_row("A3", signed="2018-13-40")])
    result = import_ledger(user=dalian, data=data, filename="a.xlsx", commit=True)
    assert not result.committed
    assert [str(p) for p in result.problems] == [
        "工作表「项目台账」第3行L列：“协议投资额”应为数字（0 至 1,000,000,000,000）。",  # the range is stated
        "工作表「项目台账」第4行O列：“首次签约日期”应为日期，如 2018-06-30。",
    ]
    assert not InvestmentProject.objects.exists()


def test_rows_for_units_outside_the_users_scope_are_refused_and_nothing_is_applied(hunnan):
    data = workbook([project_row("H1", unit="210112"), project_row("D1", unit="210211")])
    result = import_ledger(user=hunnan, data=data, filename="a.xlsx", commit=True)
    assert [str(p) for p in result.problems] == ["工作表「项目台账」第3行：您无权为该责任单位导入台账。"]
    assert not InvestmentProject.objects.exists()


def test_hostile_files_are_refused_before_parsing(dalian):
    assert not import_ledger(user=dalian, data=b"not a workbook", filename="a.xlsx", commit=True).ok
    assert not import_ledger(
        user=dalian, data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, filename="a.xls", commit=True
    ).ok
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("项目台账")
    for j, col in enumerate(PROJECT_COLUMNS):
        sheet.write_string(0, j, col.header)
    sheet.write_formula(1, 11, "=1+1")
    book.close()
    result = import_ledger(user=dalian, data=buffer.getvalue(), filename="a.xlsx", commit=True)
    assert not result.ok and "公式" in str(result.problems[0])
    assert not InvestmentProject.objects.exists()


def test_future_dates_and_unknown_units_are_row_errors(dalian):
    data = workbook([project_row("F1", signed="2030-01-01"), project_row("U1", unit="999999")])
    result = import_ledger(user=dalian, data=data, filename="a.xlsx", commit=True)
    assert (
        len(result.problems) == 2 and "不能晚于今天" in str(result.problems[0]) and "不存在" in str(result.problems[1])
    )


def test_the_cli_needs_commit_to_save(dalian, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook([project_row("C1")]))
    call_command("import_ledger", str(path), "--user", "dalian")
    assert not InvestmentProject.objects.exists()
    call_command("import_ledger", str(path), "--user", "dalian", "--commit")
    assert InvestmentProject.objects.filter(external_id="C1").exists()
    assert "已导入" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([project_row("C2", unit="210112")]))
    with pytest.raises(CommandError):
        call_command("import_ledger", str(bad), "--user", "ganjingzi", "--commit")
