"""Targets: who may set them (province for cities, a city for its own counties only), phasing, versions."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.indicators.selectors import hand_down
from kaifang.indicators.services.targets import can_set_target, set_target
from kaifang.indicators.tests.factories import make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(db):
    return make_indicator("T_EXPORT")


def test_the_province_sets_city_targets_and_the_city_hands_down_to_its_counties(
    export, province, shenyang, hunnan, shenhe
):
    city = set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3000")
    assert city.set_by == province.unit
    set_target(actor=shenyang, indicator=export, unit=hunnan.unit, year=2018, annual="1800")
    set_target(actor=shenyang, indicator=export, unit=shenhe.unit, year=2018, annual="1500.5")
    view = hand_down(user=shenyang, indicator=export, unit=shenyang.unit, year=2018)
    assert view.children_sum == D("3300.5")
    assert view.difference == D("300.5")  # the counties were handed down 300.5 more than the city's own target
    assert view.missing_children == len(view.children) - 2
    assert AuditEvent.objects.filter(action="indicators.target.set", actor_username="shenyang").count() == 2


def test_a_city_cannot_set_its_own_target_nor_another_citys_counties(export, shenyang, ganjingzi, hunnan, leader):
    assert not can_set_target(shenyang, shenyang.unit)
    assert not can_set_target(shenyang, ganjingzi.unit)
    assert not can_set_target(hunnan, hunnan.unit)
    assert not can_set_target(leader, hunnan.unit)
    with pytest.raises(PermissionDenied):
        set_target(actor=shenyang, indicator=export, unit=ganjingzi.unit, year=2018, annual="1")


def test_a_stale_or_missing_version_is_refused(export, province, shenyang):
    set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3000")
    with pytest.raises(ValidationError) as caught:
        set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3100")
    assert caught.value.code == "stale"
    changed = set_target(
        actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3100", expected_version=1
    )
    assert changed.version == 2
    again = set_target(
        actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3100", expected_version=1
    )
    assert again.version == 2  # the same value again is a no-op, not a conflict


def test_monthly_phasing_is_cumulative_and_ends_at_the_annual_target(export, province, shenyang):
    phased = [str(100 * m) for m in range(1, 13)]
    target = set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="1200", monthly=phased)
    assert target.monthly[5] == "600"
    with pytest.raises(ValidationError):
        set_target(actor=province, indicator=export, unit=shenyang.unit, year=2019, annual="1300", monthly=phased)
    with pytest.raises(ValidationError):
        set_target(actor=province, indicator=export, unit=shenyang.unit, year=2020, annual="1200", monthly=phased[::-1])
    with pytest.raises(ValidationError):
        set_target(actor=province, indicator=export, unit=shenyang.unit, year=2021, annual="-5")


def test_the_province_sets_department_targets_outside_the_sum_of_cities(export, province, swt, shenyang):
    set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3000")
    set_target(actor=province, indicator=export, unit=swt.unit, year=2018, annual="99")
    view = hand_down(user=province, indicator=export, unit=province.unit, year=2018)
    assert swt.unit in [u for u, _t in view.children]
    assert view.children_sum == D("3000")
