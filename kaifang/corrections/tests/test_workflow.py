"""Who may take which step: the requesting unit asks and withdraws, the level above decides."""

from __future__ import annotations

import datetime

import pytest

from kaifang.corrections import workflow
from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def request_of(unit_code: str, requester_unit_code: str, state: str = CorrectionState.SUBMITTED) -> CorrectionRequest:
    """An unsaved request (the parts depend only on its units, requester and state)."""
    return CorrectionRequest(
        reference="GZ-2018-9999",
        unit=OrgUnit.objects.get(code=unit_code),
        requester_unit=OrgUnit.objects.get(code=requester_unit_code),
        period=datetime.date(2018, 2, 1),
        state=state,
    )


@pytest.mark.parametrize(
    ("unit", "requester", "expected"),
    [
        # A county's own request: its city or the province decides.
        (
            "210112",
            "210112",
            {"hunnan": ["withdraw"], "shenyang": ["approve", "reject"], "province": ["approve", "reject"]},
        ),
        # The city asked for its county: only the province decides.
        ("210112", "210100", {"shenyang": ["withdraw"], "province": ["approve", "reject"]}),
        # A city's or a department's request: the province.
        ("210100", "210100", {"shenyang": ["withdraw"], "province": ["approve", "reject"]}),
        ("SWT", "SWT", {"swt": ["withdraw"], "province": ["approve", "reject"]}),
    ],
)
def test_the_parts_of_every_persona(personas, unit, requester, expected):
    correction = request_of(unit, requester)
    for name, user in personas.items():
        actions = [a for a, _step in workflow.allowed_actions(user, correction)]
        assert actions == expected.get(name, []), name


def test_the_person_who_asked_never_approves_even_from_above(personas):
    correction = request_of("210112", "210112")
    correction.requested_by = personas["shenyang"]  # (not possible through the service; the rule holds anyway)
    assert workflow.APPROVER not in workflow.parts_of(personas["shenyang"], correction)


def test_the_province_has_no_level_above():
    province = OrgUnit.objects.get(code="210000")
    hunnan = OrgUnit.objects.get(code="210112")
    assert workflow.approving_units(hunnan, province) == []
    assert [u.code for u in workflow.approving_units(hunnan, hunnan)] == ["210100", "210000"]
