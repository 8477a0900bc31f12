"""Excel round trip: template, dry-run preview, all-or-nothing apply, idempotent re-upload, hostile files."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.core.spreadsheets import read_workbook
from kaifang.indicators.models import DataValue
from kaifang.reporting.excel import HEADERS, SHEET, build_template
from kaifang.reporting.models import ImportBatch, ImportStatus
from kaifang.reporting.services import save_submission_values, transition
from kaifang.reporting.services.imports import get_batch_for_user, request_apply, upload_workbook
from kaifang.reporting.tests.conftest import GOOD, entries

pytestmark = pytest.mark.django_db


def fill(template: bytes, values: dict[tuple[str, str], object], change=None) -> bytes:  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book[SHEET]
    for row in sheet.iter_rows(min_row=2):
        key = (str(row[0].value), str(row[2].value))
        if key in values:
            row[7].value = values[key]
    if change:
        change(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def hunnan_values(**overrides: object) -> dict[tuple[str, str], object]:
    values: dict[tuple[str, str], object] = {("210112", k): float(v) for k, v in GOOD.items()}
    values.update({("210112", k): v for k, v in overrides.items()})
    return values


def upload(user, round_, data, name="浑南区.xlsx"):  # type: ignore[no-untyped-def]
    return upload_workbook(user=user, round_=round_, data=data, filename=name)


def stored() -> dict[tuple[str, str], Decimal | None]:
    return {(v.unit.code, v.indicator.code): v.reported for v in DataValue.objects.select_related("unit", "indicator")}


def test_the_template_has_chinese_headers_locked_codes_and_only_the_users_units(hunnan, shenyang, june_round):
    data = build_template(hunnan, june_round, hunnan.unit)
    book = read_workbook(data, filename="t.xlsx")
    sheet = book.sheet(SHEET)
    assert sheet.rows[0] == [*HEADERS, "数据版本"]
    assert {r[0] for r in sheet.rows[1:]} == {"210112"}
    assert openpyxl.load_workbook(io.BytesIO(data))[SHEET].column_dimensions["J"].hidden
    assert "TALENT" not in {r[2] for r in sheet.rows[1:]}  # ledger-sourced: not typed
    protected = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    assert protected.protection.sheet and protected["A2"].protection.locked and not protected["H2"].protection.locked
    city = read_workbook(build_template(shenyang, june_round, shenyang.unit), filename="t.xlsx").sheet(SHEET)
    assert {r[0] for r in city.rows[1:]} == {"210100", "210103", "210112"}


def test_another_county_cannot_download_the_template(client_for, shenhe, june_round):
    assert client_for(shenhe).get(f"/reporting/{june_round.pk}/template.xlsx?unit=210112").status_code == 404
    assert client_for(shenhe).get(f"/reporting/{june_round.pk}/template.xlsx").status_code == 200


def test_preview_then_apply_then_the_same_file_again_applies_nothing(hunnan, june_round):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    batch = upload(hunnan, june_round, data)
    assert batch.status == ImportStatus.CHECKED and not DataValue.objects.exists()  # a dry run writes nothing
    assert "4 个数据将更新" in batch.summary
    batch = request_apply(user=hunnan, batch=batch)
    assert batch.status == ImportStatus.APPLIED
    assert stored()[("210112", "EXPORT")] == Decimal(600)
    versions = list(DataValue.objects.values_list("version", flat=True))
    again = upload(hunnan, june_round, data)
    assert (
        again.status == ImportStatus.CHECKED and "0 个数据将更新" in again.summary and "此前已导入过" in again.summary
    )
    request_apply(user=hunnan, batch=again)
    assert list(DataValue.objects.values_list("version", flat=True)) == versions
    assert DataValue.objects.get(unit__code="210112", indicator__code="EXPORT").history.count() == 1


def test_a_figure_changed_after_the_preview_makes_the_apply_fail_with_nothing_applied(hunnan, shenyang, june_round):
    save_submission_values(actor=hunnan, submission=june_round.submissions.get(unit__code="210112"), entries=entries())
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(TRADE=2000, EXPORT=900))
    batch = upload(hunnan, june_round, data)
    assert batch.status == ImportStatus.CHECKED
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=shenyang, submission=sub, entries=entries({"TRADE": "1500"}, versions={"TRADE": 1}))
    batch = request_apply(user=hunnan, batch=batch)
    assert batch.status == ImportStatus.FAILED and "已被他人修改" in batch.summary
    assert stored()[("210112", "TRADE")] == Decimal(1500) and stored()[("210112", "EXPORT")] == Decimal(600)


def hostile_cases():  # type: ignore[no-untyped-def]
    def formula(sheet):  # type: ignore[no-untyped-def]
        sheet["H3"] = "=H2*2"

    def merged(sheet):  # type: ignore[no-untyped-def]
        sheet.merge_cells("H2:H3")

    def foreign_county(sheet):  # type: ignore[no-untyped-def]
        sheet["A3"] = "210211"

    def unknown_indicator(sheet):  # type: ignore[no-untyped-def]
        sheet["C3"] = "GDP"

    def header(sheet):  # type: ignore[no-untyped-def]
        sheet["H1"] = "数值"

    def duplicate(sheet):  # type: ignore[no-untyped-def]
        sheet["C3"] = sheet["C2"].value

    return [
        ("formula", formula, "含公式", "第3行H列"),
        ("merged", merged, "合并单元格", "第2行H列"),
        ("another county's code", foreign_county, "无权为“甘井子区”", "第3行A列"),
        ("unknown indicator", unknown_indicator, "“GDP”不在本批次", "第3行C列"),
        ("changed header", header, "表头应为“本期数值”", "第1行H列"),
        ("duplicate row", duplicate, "与第2行重复", "第3行C列"),
    ]


@pytest.mark.parametrize(("label", "change", "message", "where"), hostile_cases(), ids=[c[0] for c in hostile_cases()])
def test_hostile_workbooks_are_refused_with_located_messages_and_nothing_applied(
    hunnan, june_round, label, change, message, where
):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(), change)
    batch = upload(hunnan, june_round, data)
    texts = [p["text"] for p in batch.problems]
    assert batch.status == ImportStatus.FAILED, label
    assert any(message in t and where in t for t in texts), texts
    with pytest.raises(Exception):
        request_apply(user=hunnan, batch=batch)
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("六百", "“六百”不是数字"), (-5, "不能为负数"), (True, "不是数字"), (1.234, "最多保留 2 位小数")],
)
def test_wrong_types_in_value_cells_are_refused(hunnan, june_round, value, message):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(EXPORT=value))
    batch = upload(hunnan, june_round, data)
    assert batch.status == ImportStatus.FAILED
    assert any(message in p["text"] and "H列" in p["text"] for p in batch.problems), batch.problems


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.xlsx", "文件为空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "a.xlsx", "旧版 Excel"),
        (b"unit,indicator,value\n210112,EXPORT,1\n", "a.xlsx", "不是有效的 .xlsx"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_before_parsing(hunnan, june_round, data, name, message):
    batch = upload(hunnan, june_round, data, name)
    assert batch.status == ImportStatus.FAILED and message in batch.problems[0]["text"]


def test_a_zip_bomb_is_refused(hunnan, june_round):
    import zipfile

    template = build_template(hunnan, june_round, hunnan.unit)
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(template))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/media/image1.png", b"\0" * (30 * 1024 * 1024))
    batch = upload(hunnan, june_round, out.getvalue())
    assert batch.status == ImportStatus.FAILED and "压缩炸弹" in batch.problems[0]["text"]


def test_a_city_file_is_all_or_nothing_when_one_county_is_already_submitted(hunnan, shenyang, june_round, clock):
    save_submission_values(actor=hunnan, submission=june_round.submissions.get(unit__code="210112"), entries=entries())
    transition(actor=hunnan, submission=june_round.submissions.get(unit__code="210112"), action="submit")
    template = build_template(shenyang, june_round, shenyang.unit)
    values = {(u, k): float(v) for u in ("210100", "210103", "210112") for k, v in GOOD.items()}
    batch = upload(shenyang, june_round, fill(template, values), "沈阳市.xlsx")
    assert batch.status == ImportStatus.FAILED
    assert any("浑南区" in p["text"] and "已提交待审核" in p["text"] for p in batch.problems)
    assert set(stored()) == {("210112", k) for k in GOOD}


def test_uploads_and_their_pages_are_private_to_the_uploader(client_for, hunnan, shenhe, june_round):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    batch = upload(hunnan, june_round, data)
    assert client_for(hunnan).get(f"/reporting/imports/{batch.pk}/").status_code == 200
    assert client_for(shenhe).get(f"/reporting/imports/{batch.pk}/").status_code == 404
    assert client_for(shenhe).get(f"/reporting/imports/{batch.pk}/progress").status_code == 404
    assert client_for(shenhe).post(f"/reporting/imports/{batch.pk}/apply").status_code == 404
    assert not DataValue.objects.exists()
    with pytest.raises(Exception):
        get_batch_for_user(shenhe, batch.pk)


def test_the_upload_page_previews_and_applies(client_for, hunnan, june_round):
    c = client_for(hunnan)
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    response = c.post(f"/reporting/{june_round.pk}/import/", {"file": _file(data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reporting/imports/{batch.pk}/"
    page = c.get(response["Location"]).content.decode()
    assert "检查通过" in page and "确认导入" in page
    assert c.get(f"/reporting/imports/{batch.pk}/progress").json()["status"] == "checked"
    c.post(f"/reporting/imports/{batch.pk}/apply")
    assert stored()[("210112", "TRADE")] == Decimal(1000)


def _file(data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("浑南区.xlsx", data, content_type="application/octet-stream")


def test_the_cli_dry_runs_by_default_and_applies_with_commit(hunnan, shenhe, june_round, tmp_path, capsys):
    path = tmp_path / "浑南区.xlsx"
    path.write_bytes(fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values()))
    call_command("import_values", str(path), user="hunnan")
    assert "未写入" in capsys.readouterr().out and not DataValue.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_values", str(path), user="shenhe", commit=True)  # another county's codes
    assert not DataValue.objects.exists()
    call_command("import_values", str(path), user="hunnan", commit=True)
    assert "已导入" in capsys.readouterr().out and stored()[("210112", "IMPORT")] == Decimal(400)
