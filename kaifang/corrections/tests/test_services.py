"""Asking, approving, rejecting: the figures, their derived months, history, audit and what it affects."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.audit.models import AuditEvent
from kaifang.core.versions import is_stale
from kaifang.corrections import selectors
from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.corrections.services import FigureChange, create_correction, transition_correction
from kaifang.corrections.tests.conftest import FEB, HUNNAN, JAN, MAR, seed
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.indicators.services import save_values
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def value(period: Any, unit: str = HUNNAN) -> DataValue:
    return DataValue.objects.get(indicator__code="T_EXPORT", unit__code=unit, period=period)


def approve(actor: Any, correction: CorrectionRequest) -> CorrectionRequest:
    return transition_correction(
        actor=actor, correction=correction, action="approve", expected_version=correction.version
    )


def test_the_request_records_the_figure_as_stored_when_asked(request_feb, hunnan):
    assert request_feb.reference == "GZ-2018-0001"
    assert request_feb.state == CorrectionState.SUBMITTED and request_feb.requester_unit == hunnan.unit
    figure = request_feb.figures.get()
    assert (figure.old_value, figure.old_version, figure.new_value) == (D("250"), 1, D("260"))
    # Nothing is written before approval.
    assert value(FEB).reported == D("250")
    event = AuditEvent.objects.get(action="corrections.request.create", object_id=str(request_feb.pk))
    assert event.after["figures"] == {"T_EXPORT": ["250", "260"]} and event.after["state"] == "submitted"


def test_the_month_is_locked_for_direct_writes(request_feb, hunnan):
    with pytest.raises(ValidationError, match="2018年2月已锁定"):
        save_values(actor=hunnan, unit=hunnan.unit, period=FEB, entries=[ValueEntry("T_EXPORT", D("260"), "", 1)])


def test_the_city_approves_and_the_figure_and_its_derived_months_change_exactly(request_feb, shenyang):
    approve(shenyang, request_feb)
    # Year to date Jan 120, Feb 260 (was 250), Mar 400:
    # Feb month = 260 − 120 = 140 (was 130); Mar month = 400 − 260 = 140 (was 150); Mar YTD stays 400.
    feb, mar = value(FEB), value(MAR)
    assert (feb.reported, feb.ytd_value, feb.month_value, feb.version) == (D("260"), D("260"), D("140"), 2)
    assert (mar.ytd_value, mar.month_value) == (D("400"), D("140"))
    assert value(JAN).month_value == D("120")
    request_feb.refresh_from_db()
    assert request_feb.state == CorrectionState.APPROVED and request_feb.decided_by == shenyang


def test_the_value_history_and_the_audit_trail_show_the_reference(request_feb, shenyang):
    approve(shenyang, request_feb)
    change = DataValueHistory.objects.filter(value=value(FEB)).latest("id")
    assert (change.old_reported, change.new_reported, change.actor) == (D("250"), D("260"), shenyang)
    assert change.new_comment.startswith("数据更正 GZ-2018-0001：海关数据复核")
    event = AuditEvent.objects.get(action="indicators.values.correct")
    assert event.after == {"T_EXPORT": "260", "correction": "GZ-2018-0001"} and event.before == {"T_EXPORT": "250"}
    assert AuditEvent.objects.filter(action="corrections.request.approve", object_id=str(request_feb.pk)).count() == 1


def test_the_province_may_approve_a_countys_request_too(request_feb, province):
    approve(province, request_feb)
    assert value(FEB).reported == D("260")


def test_nobody_of_the_requesting_unit_approves_and_another_city_cannot_either(request_feb, hunnan, shenhe, dalian):
    for actor in (hunnan, shenhe, dalian):
        with pytest.raises(PermissionDenied):
            approve(actor, request_feb)
    assert value(FEB).reported == D("250")
    assert CorrectionRequest.objects.get(pk=request_feb.pk).state == CorrectionState.SUBMITTED


def test_a_request_the_city_made_for_its_county_goes_to_the_province(shenyang, province, february_approved):
    correction = create_correction(
        actor=shenyang,
        unit=OrgUnit.objects.get(code=HUNNAN),
        period=FEB,
        figures=[FigureChange("T_EXPORT", "260")],
        reason="市商务局核对海关数据",
    )
    with pytest.raises(PermissionDenied):
        approve(shenyang, correction)  # the requesting unit: never its own approver
    approve(province, correction)
    assert value(FEB).reported == D("260")


def test_a_stale_request_cannot_be_approved_and_writes_nothing(request_feb, shenyang):
    # After the request, February changes another way (version 1 → 2): 250 → 255.
    seed(HUNNAN, FEB, {"T_EXPORT": "255"}, version=1)
    with pytest.raises(ValidationError, match="申请时 250，现为 255") as caught:
        approve(shenyang, request_feb)
    assert is_stale(caught.value)
    # Feb stays 255 (month 255 − 120 = 135), March's month stays 400 − 255 = 145; the request waits.
    assert (value(FEB).reported, value(FEB).month_value, value(MAR).month_value) == (D("255"), D("135"), D("145"))
    assert CorrectionRequest.objects.get(pk=request_feb.pk).state == CorrectionState.SUBMITTED
    # the only correction written is the seed's own change (GZ-TEST-0000), not the refused request's
    written = [e.after.get("correction") for e in AuditEvent.objects.filter(action="indicators.values.correct")]
    assert written == ["GZ-TEST-0000"]


def test_a_step_on_an_old_version_is_refused(request_feb, shenyang):
    with pytest.raises(ValidationError) as caught:
        transition_correction(actor=shenyang, correction=request_feb, action="approve", expected_version=7)
    assert is_stale(caught.value) and value(FEB).reported == D("250")


def test_a_rejection_needs_a_reason_and_changes_no_figure(request_feb, shenyang):
    with pytest.raises(ValidationError, match="理由"):
        transition_correction(actor=shenyang, correction=request_feb, action="reject", expected_version=1)
    rejected = transition_correction(
        actor=shenyang, correction=request_feb, action="reject", expected_version=1, reason="请附海关证明"
    )
    assert rejected.state == CorrectionState.REJECTED and rejected.decision_reason == "请附海关证明"
    assert value(FEB).reported == D("250")
    with pytest.raises(ValidationError, match="不能执行"):
        approve(shenyang, rejected)


def test_a_draft_is_submitted_or_withdrawn_by_the_requesting_unit(hunnan, shenyang, february_approved):
    draft = create_correction(
        actor=hunnan,
        unit=hunnan.unit,
        period=FEB,
        figures=[FigureChange("T_EXPORT", "260")],
        reason="核对",
        submit=False,
    )
    assert draft.state == CorrectionState.DRAFT
    with pytest.raises(ValidationError, match="不能执行"):
        approve(shenyang, draft)
    with pytest.raises(PermissionDenied):
        transition_correction(actor=shenyang, correction=draft, action="submit", expected_version=1)
    submitted = transition_correction(actor=hunnan, correction=draft, action="submit", expected_version=1)
    withdrawn = transition_correction(actor=hunnan, correction=submitted, action="withdraw", expected_version=2)
    assert withdrawn.state == CorrectionState.WITHDRAWN
    assert [s.action for s in selectors.steps_of(withdrawn)] == ["create", "submit", "withdraw"]


@pytest.mark.parametrize(
    ("figures", "reason", "message"),
    [
        ([FigureChange("T_EXPORT", "250")], "原因", "与现值相同"),
        ([FigureChange("T_EXPORT", "")], "原因", "请填写更正后的数值"),
        ([FigureChange("T_EXPORT", "abc")], "原因", "不是数字"),
        ([FigureChange("T_EXPORT", "260")], "  ", "请填写更正原因"),
        ([FigureChange("NOPE", "1")], "原因", "不存在、已停用或不是填报指标"),
        ([], "原因", "请至少填写一项"),
        ([FigureChange("T_EXPORT", "260", seen_version=0)], "原因", "已被修改，现值为 250"),
    ],
)
def test_a_bad_request_names_the_problem_and_stores_nothing(hunnan, export, figures, reason, message):
    with pytest.raises(ValidationError, match=message):
        create_correction(actor=hunnan, unit=hunnan.unit, period=FEB, figures=figures, reason=reason)
    assert not CorrectionRequest.objects.exists()


def test_no_request_for_another_county_a_future_month_or_without_a_level_above(hunnan, shenhe, province, export):
    change = [FigureChange("T_EXPORT", "260")]
    with pytest.raises(PermissionDenied):
        create_correction(actor=shenhe, unit=hunnan.unit, period=FEB, figures=change, reason="x")
    with pytest.raises(ValidationError, match="尚未到来"):  # the demo's today is 2018-07-05
        create_correction(actor=hunnan, unit=hunnan.unit, period=FEB.replace(month=8), figures=change, reason="x")
    with pytest.raises(ValidationError, match="没有上级审批单位"):
        create_correction(actor=province, unit=hunnan.unit, period=FEB, figures=change, reason="x")


def test_evidence_is_optional_checked_and_stored_under_the_reference(hunnan, export):
    with pytest.raises(ValidationError, match="依据材料应为"):
        create_correction(
            actor=hunnan,
            unit=hunnan.unit,
            period=FEB,
            figures=[FigureChange("T_EXPORT", "260")],
            reason="x",
            evidence_file=SimpleUploadedFile("run.exe", b"MZ"),
        )
    correction = create_correction(
        actor=hunnan,
        unit=hunnan.unit,
        period=FEB,
        figures=[FigureChange("T_EXPORT", "260")],
        reason="x",
        evidence_file=SimpleUploadedFile("海关证明.pdf", b"%PDF-1.4"),
    )
    assert correction.evidence_file.name.startswith("corrections/evidence/210112/GZ-2018-0001/")
    assert correction.evidence_file.read() == b"%PDF-1.4"


def test_references_are_numbered_within_the_year(hunnan, export):
    refs = [
        create_correction(
            actor=hunnan, unit=hunnan.unit, period=p, figures=[FigureChange("T_EXPORT", "1")], reason="x"
        ).reference
        for p in (JAN, FEB)
    ]
    assert refs == ["GZ-2018-0001", "GZ-2018-0002"]


def test_the_snapshot_published_before_is_affected_until_republished(published, request_feb, shenyang, province):
    from kaifang.assessment.services import publish_assessment

    before = selectors.affected_results(province, request_feb)
    assert [(r.snapshot.pk, r.status) for r in before.results] == [(published.pk, selectors.WOULD_AFFECT)]
    approve(shenyang, request_feb)
    request_feb.refresh_from_db()
    after = selectors.affected_results(province, request_feb)
    assert [(r.snapshot.pk, r.status) for r in after.results] == [(published.pk, selectors.NEEDS_REPUBLISH)]
    assert selectors.corrections_affecting(province, published) == [request_feb]
    second = publish_assessment(
        actor=province, scheme=published.scheme, period=FEB, reason=selectors.republish_reason(request_feb)
    )
    assert second.reason == "数据更正 GZ-2018-0001：浑南区 2018年2月 出口额 250 → 260"
    # 浑南区: 260 / 1,800 = 14.44% ÷ 2/12 = 86.67% × 20 = 17.33 (was 16.67); 沈河区 unchanged.
    assert [(d["code"], d["total"]) for d in second.diff] == [("210112", ["16.67", "17.33"])]
    done = selectors.affected_results(province, request_feb)
    assert [(r.snapshot.pk, r.status) for r in done.results] == [(second.pk, selectors.REPUBLISHED)]
    assert selectors.corrections_affecting(province, second) == []


def test_the_level_above_hears_of_a_request_and_the_requester_of_the_decision(request_feb, shenyang, hunnan):
    from kaifang.notifications.models import Notification

    assert Notification.objects.filter(recipient=shenyang, title__contains="GZ-2018-0001").count() == 1
    approve(shenyang, request_feb)
    assert Notification.objects.filter(
        recipient=hunnan, title="数据更正已批准：浑南区 2018年2月（GZ-2018-0001）"
    ).exists()


def test_a_bulletin_of_an_affected_result_is_flagged_for_those_who_read_bulletins(
    published, request_feb, shenyang, province, hunnan
):
    from kaifang.assessment.models import Bulletin

    bulletin = Bulletin.objects.create(scheme_code="KH-SY", period=FEB, format="pdf", snapshot=published)
    Bulletin.objects.create(scheme_code="KH-SY", period=JAN, format="pdf")  # January: before the corrected month
    approve(shenyang, request_feb)
    request_feb.refresh_from_db()
    assert selectors.affected_results(province, request_feb).bulletins == [(bulletin, selectors.NEEDS_REPUBLISH)]
    assert selectors.affected_results(hunnan, request_feb).bulletins == []  # bulletins rank the whole group
