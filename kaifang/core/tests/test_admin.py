"""The admin is a read-only window behind the same guard: only province admins, no writes."""

import pytest

pytestmark = pytest.mark.django_db


def test_only_province_admins_enter_the_admin(client_for, admin_user, province, hunnan):
    assert client_for(admin_user).get("/django-admin/orgs/orgunit/").status_code == 200
    for user in (province, hunnan):
        response = client_for(user).get("/django-admin/orgs/orgunit/")
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_cannot_add_change_or_delete(client_for, admin_user):
    c = client_for(admin_user)
    assert c.get("/django-admin/orgs/orgunit/add/").status_code == 403
    from kaifang.orgs.models import OrgUnit

    unit = OrgUnit.objects.get(code="210112")
    response = c.post(f"/django-admin/orgs/orgunit/{unit.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert OrgUnit.objects.get(code="210112").name == "浑南区"
