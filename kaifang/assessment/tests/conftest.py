"""A small scheme over two cities, on the real data path (indicator values, targets)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kaifang.assessment import services
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Target
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit, UnitGroup

JUNE = datetime.date(2018, 6, 1)


@pytest.fixture
def two_cities(db, province):
    group = UnitGroup.objects.create(code="G-TWO", name="两市")
    shenyang, dalian = OrgUnit.objects.get(code="210100"), OrgUnit.objects.get(code="210200")
    group.members.set([shenyang, dalian])
    fdi = make_indicator("T_FDI", name="实际利用外资")
    open_figures([fdi], [shenyang, dalian], JUNE)  # the June round asks both cities
    for unit, target, june in ((shenyang, "1000", "450"), (dalian, "1200", "700")):
        Target.objects.create(indicator=fdi, unit=unit, year=2018, annual=D(target))
        save_values(actor=province, unit=unit, period=JUNE, entries=[ValueEntry("T_FDI", D(june))])
    scheme = services.create_scheme(
        actor=province,
        code="KH-TWO",
        name="两市考核",
        year=2018,
        group=group,
        items=[
            {"code": "fdi", "name": "实际利用外资", "kind": "completion", "weight": "60", "indicator": "T_FDI"},
            {"code": "tasks", "name": "督办任务", "kind": "tasks", "weight": "40"},
            {"code": "bonus", "name": "加减分", "kind": "manual", "weight": "0", "params": {"max_bonus": "3"}},
            {"code": "veto", "name": "一票否决", "kind": "veto", "weight": "0"},
        ],
    )
    services.activate_scheme(actor=province, scheme=scheme)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Evidence files and bulletins go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
