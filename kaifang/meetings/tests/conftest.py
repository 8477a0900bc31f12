"""Meeting fixtures: a provincial teleconference with every current city and county as sub-venues."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kaifang.meetings import services
from kaifang.orgs.models import OrgUnit, UnitKind

START = timezone.make_aware(datetime.datetime(2018, 3, 20, 9, 0))


@pytest.fixture
def meeting(db, province):  # type: ignore[no-untyped-def]
    units = OrgUnit.objects.current(START.date()).filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY])
    m = services.create_meeting(
        actor=province,
        title="全省对外开放工作电视电话会议",
        starts_at=START,
        main_unit=province.unit,
        main_room="省政府第一会议室",
        venue_units=units,
    )
    return services.transition_meeting(actor=province, meeting=m, action="notify")


@pytest.fixture
def venue_of():  # type: ignore[no-untyped-def]
    def get(meeting, code):  # type: ignore[no-untyped-def]
        return meeting.venues.select_related("unit", "meeting").get(unit__code=code)

    return get
