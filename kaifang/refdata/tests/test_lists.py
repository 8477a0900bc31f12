"""Other lists as data with sources and validity dates: GB/T 4754-2017, platform kinds, strategy tags."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.ledgers.reference import Industry
from kaifang.refdata import files
from kaifang.refdata.models import RefEntry
from kaifang.refdata.selectors import entries, names
from kaifang.refdata.services import load_reference

pytestmark = pytest.mark.django_db


def test_gbt4754_has_20_sections_and_97_divisions_with_source_and_dates():
    industry = entries("industry", on=datetime.date(2018, 1, 1))
    sections = [e for e in industry if e.level == "section"]
    divisions = [e for e in industry if e.level == "division"]
    assert (len(sections), len(divisions)) == (20, 97)
    by_code = {e.code: e for e in industry}
    assert (by_code["39"].name, by_code["39"].parent_code) == ("计算机、通信和其他电子设备制造业", "C")
    assert (by_code["97"].parent_code, by_code["13"].parent_code) == ("T", "C")
    assert all("GB/T 4754-2017" in e.source and e.valid_from == datetime.date(2017, 10, 1) for e in industry)
    assert entries("industry", on=datetime.date(2017, 9, 30)) == []  # the 2017 edition took effect 2017-10-01
    assert [c for c, _l in Industry.choices] == [e.code for e in sections]  # the ledger's sections come from the file


def test_platform_kinds_and_strategy_tags_carry_names_sources_and_dates():
    kinds = {e.code: e for e in entries("platform_kind")}
    assert kinds["national_etdz"].name == "国家级经济技术开发区" and kinds[
        "cbec_pilot_zone"
    ].valid_from == datetime.date(2015, 3, 7)
    tags = [e.code for e in entries("strategy_tag")]
    assert tags == ["一带一路", "RCEP", "日韩", "港澳台", "京津冀", "长三角", "长江经济带"]
    assert "国发〔2014〕39号" in {e.code: e for e in entries("strategy_tag")}["长江经济带"].source


def test_loading_the_published_files_again_changes_nothing_and_an_edit_is_audited():
    assert set(load_reference(actor=SystemActor("test")).values()) == {0}  # the migration loaded them
    RefEntry.objects.filter(list_code="platform_kind", code="seaport").update(name="旧名称")
    changed = load_reference(actor=SystemActor("test"))
    assert changed["platform_kind"] == 1 and names("platform_kind")["seaport"] == "对外开放口岸（水运）"
    assert AuditEvent.objects.filter(action="refdata.entry.update").count() == 1


def test_a_bad_file_is_refused_naming_row_and_column():
    text = "code,name,valid_from,valid_to,source\nX1,某类型,2018-13-01,,测试\nX2,,,,测试\n"
    with pytest.raises(ValidationError) as caught:
        load_reference(actor=SystemActor("test"), text_of={files.LISTS["platform_kind"]: text})
    assert caught.value.messages == [
        "platform_kinds.csv 第 2 行“valid_from”列：日期“2018-13-01”格式应为 YYYY-MM-DD。",
        "platform_kinds.csv 第 3 行“name”列不能为空。",
    ]


def test_the_command_checks_without_writing(capsys):
    call_command("load_reference")
    assert "检查通过" in capsys.readouterr().out


def test_a_platform_page_names_its_kind(client_for, province):
    page = client_for(province).get("/orgs/PF02/").content.decode()
    assert "自贸试验区片区" in page and "ftz_area" not in page
