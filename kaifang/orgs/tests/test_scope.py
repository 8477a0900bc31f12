"""The one visibility rule, checked for every persona against every unit: guard, pages and API agree."""

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifang.accounts.demo import PERSONAS
from kaifang.accounts.models import User
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit, get_unit_for_user

pytestmark = pytest.mark.django_db

# Expected scope, written out by hand: the subtree root per persona (reporters: their unit only).
SUBTREE_ROOT = {
    "province": "210000",
    "admin": "210000",
    "leader": "210000",
    "auditor": "210000",
    "shenyang": "210100",
    "dalian": "210200",
}
OWN_UNIT_ONLY = {"hunnan": "210112", "shenhe": "210103", "ganjingzi": "210211", "swt": "SWT"}


def expected_visible(username: str, unit: OrgUnit) -> bool:
    if username in OWN_UNIT_ONLY:
        return unit.code == OWN_UNIT_ONLY[username]
    return f"/{SUBTREE_ROOT[username]}/" in unit.path


def test_shenyang_officer_sees_the_city_and_its_thirteen_districts_and_counties(shenyang):
    visible = OrgUnit.objects.visible_to(shenyang).current()
    divisions = visible.filter(kind__in=["city", "county"])
    assert divisions.filter(kind="city").get().name == "沈阳市"
    assert divisions.filter(kind="county").count() == 13
    assert not visible.filter(code="210211").exists()  # 甘井子区 is Dalian's


def test_hunnan_reporter_sees_only_hunnan(hunnan):
    assert list(OrgUnit.objects.visible_to(hunnan).values_list("name", flat=True)) == ["浑南区"]


def test_anonymous_and_inactive_users_see_nothing(hunnan):
    from django.contrib.auth.models import AnonymousUser

    assert not OrgUnit.objects.visible_to(AnonymousUser()).exists()
    hunnan.is_active = False
    assert not OrgUnit.objects.visible_to(hunnan).exists()


def test_province_sees_all_units_including_departments_and_platforms(province):
    assert OrgUnit.objects.visible_to(province).count() == OrgUnit.objects.count()


LISTED: dict[str, set[str]] = {}


@pytest.fixture
def all_codes(db):
    return list(OrgUnit.objects.values_list("code", flat=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persona=st.sampled_from([p[0] for p in PERSONAS]), index=st.integers(min_value=0, max_value=10_000))
def test_visibility_holds_exactly_for_the_subtree_through_guard_page_and_api(persona, index, all_codes, client):
    user = User.objects.select_related("unit").get(username=persona)
    unit = OrgUnit.objects.get(code=all_codes[index % len(all_codes)])
    expected = expected_visible(persona, unit)

    assert can_see_unit(user, unit) is expected
    assert OrgUnit.objects.visible_to(user).filter(pk=unit.pk).exists() is expected
    if expected:
        assert get_unit_for_user(user, unit.code) == unit
    else:
        with pytest.raises(Http404):
            get_unit_for_user(user, unit.code)

    client.force_login(user)
    page = client.get(f"/orgs/{unit.code}/")
    assert page.status_code == (200 if expected else 404)
    api = client.get(f"/api/v1/orgunits/{unit.code}")
    assert api.status_code == (200 if expected else 404)
    if persona not in LISTED:  # the list is the same for every example of a persona: fetch it once
        LISTED[persona] = {row["code"] for row in client.get("/api/v1/orgunits?include_historic=true").json()}
    assert (unit.code in LISTED[persona]) is expected
