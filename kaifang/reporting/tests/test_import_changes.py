"""The import check lists every change old → new with its warnings; a template remembers the version
of each figure it showed, and a row whose stored figure changed since is stale: it is imported only
when the uploader confirms that very row (otherwise nothing is). .ods files are read too."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.indicators.models import DataValue
from kaifang.reporting.excel import SHEET, build_template
from kaifang.reporting.models import ImportStatus
from kaifang.reporting.services import save_submission_values
from kaifang.reporting.services.imports import request_apply, upload_workbook
from kaifang.reporting.tests.conftest import JUNE, entries
from kaifang.reporting.tests.test_excel import fill

pytestmark = pytest.mark.django_db


def export() -> Decimal | None:
    return DataValue.objects.get(unit__code="210112", indicator__code="EXPORT", period=JUNE).reported


@pytest.fixture
def drafted(sub_of, hunnan):  # type: ignore[no-untyped-def]
    """浑南区 saved its draft: TRADE 1000, EXPORT 600, IMPORT 400, FIRMS 3 (each version 1)."""
    save_submission_values(actor=hunnan, submission=sub_of("210112"), entries=entries())
    return sub_of("210112")


def test_the_check_lists_each_change_old_to_new_with_its_warning(drafted, hunnan, june_round):
    template = build_template(hunnan, june_round, hunnan.unit)
    data = fill(template, {("210112", "EXPORT"): 650, ("210112", "IMPORT"): 350})
    batch = upload_workbook(user=hunnan, round_=june_round, data=data, filename="浑南区.xlsx", run_now=True)
    assert batch.status == ImportStatus.CHECKED
    changes = {c["indicator"]: c for c in batch.plan["changes"]}
    assert set(changes) == {"EXPORT", "IMPORT"}  # TRADE and FIRMS are the same as stored: not listed
    assert (changes["EXPORT"]["old"], changes["EXPORT"]["new"]) == ("600", "650")
    assert (changes["IMPORT"]["old"], changes["IMPORT"]["new"]) == ("400", "350")
    assert changes["EXPORT"]["row"] == 3 and not changes["EXPORT"]["stale"]  # row 2 is TRADE
    assert batch.plan["stale"] == [] and "2 个数据将更新" in batch.summary


def test_a_row_changed_since_download_is_stale_refused_unless_confirmed(drafted, hunnan, shenyang, june_round):
    template = build_template(hunnan, june_round, hunnan.unit)  # EXPORT shown at 600, version 1
    # Meanwhile the city corrects EXPORT to 95 … (version 2)
    save_submission_values(
        actor=shenyang, submission=drafted, entries=entries({"EXPORT": "95"}, versions={"EXPORT": 1})
    )
    # … and the county uploads its old copy, changing only IMPORT: EXPORT would silently go back to 600.
    data = fill(template, {("210112", "IMPORT"): 380})
    batch = upload_workbook(user=hunnan, round_=june_round, data=data, filename="旧模板.xlsx", run_now=True)
    assert batch.status == ImportStatus.CHECKED
    [stale] = [c for c in batch.plan["changes"] if c["stale"]]
    assert (stale["indicator"], stale["old"], stale["new"], stale["row"]) == ("EXPORT", "95", "600", 3)
    assert "下载模板时为第 1 版" in stale["why"] and "改为 95（第 2 版）" in stale["why"] and "shenyang" in stale["why"]
    assert "1 行在您下载模板后已被他人修改" in batch.summary
    with pytest.raises(ValidationError) as refused:
        request_apply(user=hunnan, batch=batch, confirmed=[])
    assert refused.value.code == "stale_rows" and "第3行 浑南区 出口额" in refused.value.messages[0]
    assert export() == Decimal("95")
    applied = request_apply(user=hunnan, batch=batch, confirmed=["210112/EXPORT"])
    applied.refresh_from_db()
    assert applied.status == ImportStatus.APPLIED and export() == Decimal("600")
    audit = AuditEvent.objects.get(action="reporting.import.apply")
    assert audit.after["stale_overwritten"] == ["210112/EXPORT"]


def test_an_old_template_without_versions_still_imports_with_a_caution(drafted, hunnan, june_round):
    def drop_versions(sheet):  # type: ignore[no-untyped-def]
        sheet.delete_cols(10)

    data = fill(build_template(hunnan, june_round, hunnan.unit), {("210112", "EXPORT"): 610}, drop_versions)
    batch = upload_workbook(user=hunnan, round_=june_round, data=data, filename="x.xlsx", run_now=True)
    assert batch.status == ImportStatus.CHECKED and not batch.plan["versioned"]
    assert "不含下载时的数据版本" in batch.summary and batch.plan["stale"] == []


def test_the_check_page_shows_old_and_new_and_the_stale_tick(drafted, hunnan, shenyang, shenhe, client_for, june_round):
    template = build_template(hunnan, june_round, hunnan.unit)
    save_submission_values(
        actor=shenyang, submission=drafted, entries=entries({"EXPORT": "95"}, versions={"EXPORT": 1})
    )
    batch = upload_workbook(
        user=hunnan, round_=june_round, data=fill(template, {}), filename="旧模板.xlsx", run_now=True
    )
    page = client_for(hunnan).get(f"/reporting/imports/{batch.pk}/").content.decode()
    assert "已被他人修改" in page and 'name="confirm" value="210112/EXPORT"' in page
    assert '<td class="num">95</td>' in page and "<strong>600</strong>" in page
    refused = client_for(hunnan).post(f"/reporting/imports/{batch.pk}/apply", follow=True).content.decode()
    assert "须逐行确认" in refused and export() == Decimal("95")
    assert client_for(shenhe).get(f"/reporting/imports/{batch.pk}/").status_code == 404
    client_for(hunnan).post(f"/reporting/imports/{batch.pk}/apply", {"confirm": "210112/EXPORT"})
    assert export() == Decimal("600")


def ods(sheets: dict[str, list[list[object]]], *, formula: bool = False) -> bytes:
    """A minimal OpenDocument spreadsheet as LibreOffice Calc and WPS write it (this machine has no Calc)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            extra = ' table:formula="of:=1+1"' if formula else ""
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}"{extra}>'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def template_rows(user, round_) -> dict[str, list[list[object]]]:  # type: ignore[no-untyped-def]
    from kaifang.core.spreadsheets import read_workbook

    book = read_workbook(build_template(user, round_, user.unit), filename="t.xlsx")
    return {s.name: [list(r) for r in s.rows] for s in book.sheets}


def test_an_ods_from_libreoffice_or_wps_is_read(drafted, hunnan, june_round):
    sheets = template_rows(hunnan, june_round)
    for row in sheets[SHEET][1:]:
        if row[2] == "EXPORT":
            row[7] = 620
    batch = upload_workbook(user=hunnan, round_=june_round, data=ods(sheets), filename="浑南区.ods", run_now=True)
    assert batch.status == ImportStatus.CHECKED, batch.problems
    assert [(c["indicator"], c["old"], c["new"]) for c in batch.plan["changes"]] == [("EXPORT", "600", "620")]
    assert batch.plan["versioned"] and batch.plan["stale"] == []


def test_an_ods_with_formulas_is_refused_naming_the_sheet(drafted, hunnan, june_round):
    batch = upload_workbook(
        user=hunnan, round_=june_round, data=ods(template_rows(hunnan, june_round), formula=True), filename="a.ods",
        run_now=True,
    )  # fmt: skip
    assert batch.status == ImportStatus.FAILED and "工作表「填报」" in batch.problems[0]["text"]
    assert "公式" in batch.problems[0]["text"]


def test_an_xls_is_refused_with_how_to_save_as_xlsx_in_wps_and_libreoffice(hunnan, june_round):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    batch = upload_workbook(user=hunnan, round_=june_round, data=data, filename="浑南区.xls", run_now=True)
    text = batch.problems[0]["text"]
    assert batch.status == ImportStatus.FAILED
    assert "WPS" in text and "LibreOffice" in text and ".xlsx" in text


def test_openpyxl_sees_the_version_column_hidden_and_locked(hunnan, june_round, drafted):
    sheet = openpyxl.load_workbook(io.BytesIO(build_template(hunnan, june_round, hunnan.unit)))[SHEET]
    assert sheet["J1"].value == "数据版本" and sheet["J3"].value == 1 and sheet["J3"].protection.locked
