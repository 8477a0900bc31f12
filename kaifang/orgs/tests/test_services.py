"""Loading division lists: all-or-nothing, row-precise errors, idempotent, audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit, UnitGroup
from kaifang.orgs.services import load_divisions, upsert_unit

pytestmark = pytest.mark.django_db

OTHER_PROVINCE = """code,name,parent_code,level
130000,河北省,,province
130100,石家庄市,130000,prefecture
130102,长安区,130100,county
130104,桥西区,130100,county
"""


def test_liaoning_tree_has_115_divisions_with_real_codes():
    divisions = OrgUnit.objects.current().filter(kind__in=["province", "city", "county"])
    assert divisions.filter(path__startswith="/210000/").count() == 115
    assert OrgUnit.objects.get(code="210112").path == "/210000/210100/210112/"
    assert OrgUnit.objects.get(code="210122").valid_to is not None  # 辽中县, became 辽中区 210115 in 2016
    assert not OrgUnit.objects.current().filter(code="210122").exists()


def test_groups_hold_the_policy_city_sets():
    coastal = UnitGroup.objects.get(code="G-COASTAL6")
    assert sorted(coastal.members.values_list("short_name", flat=True)) == sorted(
        ["大连", "丹东", "锦州", "营口", "盘锦", "葫芦岛"]
    )
    assert UnitGroup.objects.get(code="G-CITIES").members.count() == 14


def test_another_province_loads_and_reloading_changes_nothing():
    first = load_divisions(actor=SystemActor("test"), text=OTHER_PROVINCE)
    assert (first.created, first.updated) == (4, 0)
    events = AuditEvent.objects.count()
    second = load_divisions(actor=SystemActor("test"), text=OTHER_PROVINCE)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.count() == events
    assert OrgUnit.objects.get(code="130104").path == "/130000/130100/130104/"


def test_a_bad_row_names_its_row_and_column_and_nothing_is_applied():
    text = OTHER_PROVINCE + "13010X,坏代码,130100,county\n130105,新华区,139900,county\n"
    with pytest.raises(ValidationError) as info:
        load_divisions(actor=SystemActor("test"), text=text)
    messages = " ".join(info.value.messages)
    assert "第 6 行“code”列" in messages
    assert "第 7 行“parent_code”列" in messages
    assert not OrgUnit.objects.filter(code__startswith="13").exists()


def test_missing_columns_are_named():
    with pytest.raises(ValidationError, match="parent_code"):
        load_divisions(actor=SystemActor("test"), text="code,name,level\n130000,河北省,province\n")


def test_every_write_leaves_an_audit_row_and_a_failed_change_leaves_none():
    province = OrgUnit.objects.get(code="210000")
    before = AuditEvent.objects.count()
    unit, outcome = upsert_unit(
        actor=SystemActor("test"), code="TESTPF", name="测试平台", kind="platform", parent=province
    )
    assert outcome == "created"
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id, event.after["name"]) == ("orgs.unit.create", str(unit.pk), "测试平台")

    with pytest.raises(ValidationError):
        upsert_unit(
            actor=SystemActor("test"),
            code="TESTPF",
            name="测试平台",
            kind="platform",
            parent=province,
            valid_from=datetime.date(2020, 1, 2),
            valid_to=datetime.date(2020, 1, 1),
        )
    assert AuditEvent.objects.count() == before + 1
    assert OrgUnit.objects.get(code="TESTPF").valid_to is None


def test_update_records_before_and_after():
    province = OrgUnit.objects.get(code="210000")
    upsert_unit(actor=SystemActor("test"), code="TESTPF2", name="旧名", kind="platform", parent=province)
    upsert_unit(actor=SystemActor("test"), code="TESTPF2", name="新名", kind="platform", parent=province)
    event = AuditEvent.objects.latest("id")
    assert event.action == "orgs.unit.update"
    assert (event.before["name"], event.after["name"]) == ("旧名", "新名")
