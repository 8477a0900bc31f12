"""kaifang corrections: list, and approve/reject only with --commit, as the named user."""

from __future__ import annotations

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.corrections.tests.conftest import FEB, HUNNAN
from kaifang.indicators.models import DataValue

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("corrections", *args, stdout=out)
    return out.getvalue()


def feb() -> D | None:
    return DataValue.objects.get(indicator__code="T_EXPORT", unit__code=HUNNAN, period=FEB).reported


def test_list_is_scoped_to_the_user(request_feb):
    assert "GZ-2018-0001\t浑南区\t2018-02\t待审批" in run("list", "--user", "shenyang")
    assert run("list", "--user", "shenhe").strip() == "共 0 项更正申请。"


def test_approve_needs_commit_and_the_level_above(request_feb):
    dry = run("approve", "GZ-2018-0001", "--user", "shenyang")
    assert "出口额 250 → 260" in dry and feb() == D("250")
    with pytest.raises(CommandError, match="无权"):
        run("approve", "GZ-2018-0001", "--user", "hunnan", "--commit")
    with pytest.raises(CommandError, match="不存在，或不在 dalian 的权限范围内"):
        run("approve", "GZ-2018-0001", "--user", "dalian", "--commit")
    assert "已批准" in run("approve", "GZ-2018-0001", "--user", "shenyang", "--commit")
    assert feb() == D("260")


def test_reject_needs_a_reason(request_feb):
    with pytest.raises(CommandError, match="理由"):
        run("reject", "GZ-2018-0001", "--user", "province", "--commit")
    run("reject", "GZ-2018-0001", "--user", "province", "--reason", "无依据", "--commit")
    assert CorrectionRequest.objects.get().state == CorrectionState.REJECTED and feb() == D("250")
