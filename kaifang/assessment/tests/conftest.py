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


# Five cities, June 2018 (time progress 6/12 = 50%), two indicators reported year to date:
#            实际利用外资 target / YTD     出口额 target / YTD
SIM_FIGURES = {
    "210100": ("1000", "600", "2000", "500"),  # 沈阳市
    "210200": ("1000", "300", "2000", "1000"),  # 大连市
    "210300": ("800", "360", "1500", "675"),  # 鞍山市
    "210400": ("500", "100", "1000", "250"),  # 抚顺市
    "210500": ("1000", "700", "1000", "400"),  # 本溪市
}


@pytest.fixture
def sim_versions(db, province):
    """KH-SIM version 1 (in use): 实际利用外资 completion 20 (cap 120%), 出口额 completion 40, 督办任务 40.
    Version 2 (draft): 实际利用外资 30, 出口额 30, 督办任务 dropped, 报送质量 40 added.
    Grades by the default thresholds: 90 优秀, 80 良好, 60 一般."""
    group = UnitGroup.objects.create(code="G-SIM", name="五市")
    units = list(OrgUnit.objects.filter(code__in=SIM_FIGURES))
    group.members.set(units)
    fdi = make_indicator("T_FDI", name="实际利用外资")
    exp = make_indicator("T_EXP", name="出口额")
    open_figures([fdi, exp], units, JUNE)
    for unit in units:
        fdi_target, fdi_ytd, exp_target, exp_ytd = SIM_FIGURES[unit.code]
        Target.objects.create(indicator=fdi, unit=unit, year=2018, annual=D(fdi_target))
        Target.objects.create(indicator=exp, unit=unit, year=2018, annual=D(exp_target))
        entries = [ValueEntry("T_FDI", D(fdi_ytd)), ValueEntry("T_EXP", D(exp_ytd))]
        save_values(actor=province, unit=unit, period=JUNE, entries=entries)
    completion = {"kind": "completion", "params": {"cap": "1.2"}}
    v1 = services.create_scheme(
        actor=province,
        code="KH-SIM",
        name="五市考核",
        year=2018,
        group=group,
        items=[
            {"code": "fdi", "name": "实际利用外资", "weight": "20", "indicator": "T_FDI", **completion},
            {"code": "exp", "name": "出口额", "weight": "40", "indicator": "T_EXP", **completion},
            {"code": "tasks", "name": "督办任务", "kind": "tasks", "weight": "40"},
        ],
    )
    v1 = services.activate_scheme(actor=province, scheme=v1)
    v2 = services.revise_scheme(
        actor=province,
        scheme=v1,
        reason="提高利用外资权重，以报送质量代替督办任务",
        items=[
            {"code": "fdi", "name": "实际利用外资", "weight": "30", "indicator": "T_FDI", **completion},
            {"code": "exp", "name": "出口额", "weight": "30", "indicator": "T_EXP", **completion},
            {"code": "rpt", "name": "报送质量", "kind": "reporting", "weight": "40"},
        ],
    )
    v1.refresh_from_db()
    return v1, v2
