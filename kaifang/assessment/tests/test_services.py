"""Schemes, versions, manual entries and publication, on the platform's real data path."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.assessment import services
from kaifang.assessment.models import AssessmentSnapshot, SchemeStatus
from kaifang.assessment.selectors import assess, unit_result, visible_results
from kaifang.assessment.tests.conftest import JUNE
from kaifang.audit.models import AuditEvent
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.orgs.models import OrgUnit, UnitGroup


def test_the_running_score_is_computed_from_the_current_figures(two_cities):
    run = assess(scheme=two_cities, period=JUNE)
    shenyang = run.outcome.unit("210100")
    # 450/1000 = 45% ÷ 6/12 = 90% × 60 = 54; no task due → 40.
    assert shenyang.item("fdi").points == D("54.00")
    assert shenyang.total == D("94.00")
    # 700/1200 = 58.33% ÷ 50% = 116.67% × 60 = 70.00
    assert run.outcome.unit("210200").item("fdi").points == D("70.00")
    assert shenyang.item("fdi").sources[0] == {
        "type": "value",
        "indicator": "T_FDI",
        "name": "实际利用外资",
        "unit": "210100",
        "unit_name": "沈阳市",
        "period": "2018-06",
        "basis": "reported",  # the source says it is the unit's own report (可比口径 rule)
        "note": "本级填报",
    }


def test_published_results_never_change_when_the_data_changes(two_cities, province):
    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    frozen = (snapshot.results, snapshot.inputs, snapshot.digest)
    save_values(
        actor=province,
        unit=OrgUnit.objects.get(code="210100"),
        period=JUNE,
        entries=[ValueEntry("T_FDI", D("600"), expected_version=1)],
    )
    snapshot.refresh_from_db()
    assert (snapshot.results, snapshot.inputs, snapshot.digest) == frozen
    assert snapshot.results["units"][1]["items"][0]["points"] == "54.00"
    assert services.digest_of(snapshot.inputs, snapshot.results) == snapshot.digest
    # The running score moved: 600/1000 ÷ 50% = 120% → 72.
    assert assess(scheme=two_cities, period=JUNE).outcome.unit("210100").item("fdi").points == D("72.00")


def test_republishing_needs_a_reason_and_shows_what_changed(two_cities, province):
    first = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    with pytest.raises(ValidationError, match="无需重新发布"):
        services.publish_assessment(actor=province, scheme=two_cities, period=JUNE, reason="核对")
    save_values(
        actor=province,
        unit=OrgUnit.objects.get(code="210100"),
        period=JUNE,
        entries=[ValueEntry("T_FDI", D("600"), expected_version=1)],
    )
    with pytest.raises(ValidationError, match="说明原因"):
        services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    second = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE, reason="沈阳市更正6月数据")
    assert second.number == 2 and second.previous == first and second.reason == "沈阳市更正6月数据"
    change = next(d for d in second.diff if d["code"] == "210100")
    assert change["total"] == ["94.00", "112.00"]
    assert change["items"] == [{"code": "fdi", "name": "实际利用外资", "points": ["54.00", "72.00"]}]
    assert AssessmentSnapshot.objects.filter(scheme_code="KH-TWO").count() == 2
    assert AuditEvent.objects.filter(action="assessment.snapshot.publish").count() >= 2


def test_a_scheme_in_use_changes_only_by_a_new_version_with_who_and_why(two_cities, province):
    with pytest.raises(ValidationError, match="原因"):
        services.revise_scheme(actor=province, scheme=two_cities, reason=" ")
    new = services.revise_scheme(actor=province, scheme=two_cities, reason="提高任务权重", activate=True)
    two_cities.refresh_from_db()
    assert (new.number, new.status, new.created_by_name, new.change_reason) == (2, "active", "province", "提高任务权重")
    assert two_cities.status == SchemeStatus.RETIRED
    assert [i.code for i in new.items.all()] == ["fdi", "tasks", "bonus", "veto"]


def test_only_province_users_manage_schemes(two_cities, shenyang):
    with pytest.raises(PermissionDenied):
        services.revise_scheme(actor=shenyang, scheme=two_cities, reason="x")
    with pytest.raises(PermissionDenied):
        services.publish_assessment(actor=shenyang, scheme=two_cities, period=JUNE)


def test_bad_items_are_refused_before_anything_is_written(db, province):
    group = UnitGroup.objects.get(code="G-CITIES")
    with pytest.raises(ValidationError, match="需要选择指标"):
        services.create_scheme(
            actor=province, code="BAD", name="坏", year=2018, group=group,
            items=[{"code": "x", "name": "完成率", "kind": "completion", "weight": "10"}],
        )  # fmt: skip


def test_manual_entries_need_evidence_and_approval_and_respect_caps(two_cities, shenyang, province, admin_user):
    unit = OrgUnit.objects.get(code="210100")
    with pytest.raises(ValidationError, match="依据"):
        services.propose_adjustment(
            actor=shenyang,
            scheme_code="KH-TWO",
            item_code="bonus",
            unit=unit,
            period=JUNE,
            points=D(2),
            reason="引进世界500强",
        )
    entry = services.propose_adjustment(
        actor=shenyang,
        scheme_code="KH-TWO",
        item_code="bonus",
        unit=unit,
        period=JUNE,
        points=D(2),
        reason="引进世界500强项目",
        evidence="省商务厅确认函",
    )
    assert assess(scheme=two_cities, period=JUNE).outcome.unit("210100").item("bonus").points == D("0.00")
    with pytest.raises(PermissionDenied):
        services.decide_adjustment(actor=shenyang, adjustment=entry, action="approve")
    services.decide_adjustment(actor=province, adjustment=entry, action="approve")
    bonus = assess(scheme=two_cities, period=JUNE).outcome.unit("210100").item("bonus")
    assert bonus.points == D("2.00")
    assert bonus.sources == [{"type": "adjustment", "id": entry.pk, "period": "2018-06"}]
    with pytest.raises(ValidationError, match="超出上限"):
        services.propose_adjustment(
            actor=province, scheme_code="KH-TWO", item_code="bonus", unit=unit, period=JUNE, points=D(2),
            reason="又一项", evidence="函",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="不能执行"):
        services.decide_adjustment(actor=admin_user, adjustment=entry, action="approve")


def test_an_approved_veto_entry_sets_the_grade(two_cities, province, admin_user):
    unit = OrgUnit.objects.get(code="210200")
    entry = services.propose_adjustment(
        actor=province, scheme_code="KH-TWO", item_code="veto", unit=unit, period=JUNE, points=D(0),
        reason="发生较大安全生产事故", evidence="应急厅通报",
    )  # fmt: skip
    services.decide_adjustment(actor=admin_user, adjustment=entry, action="approve")
    dalian = assess(scheme=two_cities, period=JUNE).outcome.unit("210200")
    assert dalian.vetoed and dalian.grade == "较差"


def test_units_see_only_their_own_rows_of_a_result(two_cities, province, shenyang, hunnan):
    results = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE).results
    assert [u["code"] for u in visible_results(province, results)["units"]] == ["210200", "210100"]
    assert [u["code"] for u in visible_results(shenyang, results)["units"]] == ["210100"]
    assert visible_results(hunnan, results)["units"] == []
    assert unit_result(shenyang, results, "210100")["rank"] == 2
    from django.http import Http404

    with pytest.raises(Http404):
        unit_result(shenyang, results, "210200")


def test_the_database_refuses_to_change_a_published_snapshot(two_cities, province):
    from django.db import DatabaseError, transaction

    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    with pytest.raises(DatabaseError), transaction.atomic():
        AssessmentSnapshot.objects.filter(pk=snapshot.pk).update(reason="改了")
    snapshot.refresh_from_db()
    assert snapshot.reason == ""
